import type { Command } from "commander";
import pc from "picocolors";
import type { Paper } from "../../corpus/paper.js";
import { hasIndex, readPapers } from "../../index/snapshot.js";
import { keyForFile, sourceKey } from "../../ingest/merge-sources.js";
import { ingestWithProgress, openIndexFor, resolveIndexLocation, type GlobalOptions } from "../context.js";
import { storedEmbedder } from "./ingest.js";
import { reportErrors, UserError } from "../errors.js";
import { paperFacts, paperLabel, paperToJson, printJson } from "../format.js";
import { filtersFrom, parsePositiveInt, parseYearRange } from "../options.js";
import { paperMatches } from "../../retrieve/filters.js";

export function registerPapers(program: Command): void {
  const papers = program.command("papers").description("list or show the papers in the index");

  papers
    .command("list")
    .description("list indexed papers")
    .option("--year <range>", "only papers from these years", parseYearRange)
    .option("--source <text>", "only papers from source files whose path contains this text")
    .option("--lang <code>", "only papers in this language")
    .option("-n, --limit <n>", "show at most this many", parsePositiveInt("--limit", 1_000_000))
    .option("--json", "print as JSON")
    .action((options, command: Command) =>
      reportErrors(async () => {
        const all = await loadPapers(command.optsWithGlobals() as GlobalOptions);
        const filters = filtersFrom(options);
        const selected = all.filter((paper) => paperMatches(paper, filters)).slice(0, options.limit ?? Infinity);
        if (options.json) return printJson(selected.map(paperToJson));
        for (const paper of selected) process.stdout.write(`${pc.dim(paper.id.padEnd(48))} ${paperLabel(paper)}\n`);
        process.stdout.write(pc.dim(`${selected.length} of ${all.length} papers\n`));
      }),
    );

  papers
    .command("show")
    .description("show one paper: metadata, sources and full abstract")
    .argument("<id>", "paper id (a unique prefix is enough)")
    .option("--json", "print as JSON")
    .action((id: string, options, command: Command) =>
      reportErrors(async () => {
        const paper = findPaper(await loadPapers(command.optsWithGlobals() as GlobalOptions), id);
        if (options.json) return printJson(paperToJson(paper));
        process.stdout.write(`${pc.bold(paperLabel(paper))}\n${pc.dim(`id ${paper.id}`)}\n${pc.dim(paperFacts(paper))}\n\n${paper.abstract}\n`);
      }),
    );

  papers
    .command("remove")
    .description("take papers out of the index: by id (a unique prefix is enough), or every paper of a source file")
    .argument("[ids...]", "paper ids")
    .option("--source <file...>", "remove every paper that came from this file")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      "\nIngesting a file that contains a removed paper adds it again.\nExamples:\n  citewise papers remove lotr-low-tensor-rank\n  citewise papers remove --source old-export.bib",
    )
    .action((ids: string[], options, command: Command) =>
      reportErrors(async () => {
        const global = command.optsWithGlobals() as GlobalOptions;
        const sources: string[] = options.source ?? [];
        if (ids.length === 0 && sources.length === 0) throw new UserError('say which papers to remove: ids, or --source FILE (see "citewise papers list")');
        const indexDir = resolveIndexLocation(global);
        if (!(await hasIndex(indexDir))) throw new UserError(`no index in ${indexDir}`);
        const all = await readPapers(indexDir);
        const paperIds = ids.map((id) => findPaper(all, id).id);
        for (const source of sources) {
          const key = keyForFile(source);
          if (!all.some((paper) => paper.sources.some((ref) => sourceKey(ref) === key))) throw new UserError(`no indexed paper came from ${source}`);
        }
        const report = await ingestWithProgress([], indexDir, {
          parsed: { records: [], skipped: [], files: [], folders: [] },
          remove: { paperIds, sources },
          progress: false,
          ...(await storedEmbedder(indexDir)),
        });
        if (options.json) return printJson({ removed: report.removals, papers: report.papers });
        for (const removal of report.removals) process.stdout.write(`removed ${removal.id} (${removal.title})\n`);
        process.stdout.write(pc.dim(`${report.papers} papers left in ${report.indexDir}\n`));
      }),
    );
}

async function loadPapers(global: GlobalOptions): Promise<Paper[]> {
  const indexDir = resolveIndexLocation(global);
  if (!(await hasIndex(indexDir))) await (await openIndexFor(global)).index.close();
  return readPapers(indexDir);
}

export function findPaper(papers: Paper[], id: string): Paper {
  const exact = papers.find((paper) => paper.id === id);
  if (exact) return exact;
  const matches = papers.filter((paper) => paper.id.startsWith(id));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new UserError(
      `"${id}" matches ${matches.length} papers: ${matches
        .slice(0, 5)
        .map((p) => p.id)
        .join(", ")}${matches.length > 5 ? ", …" : ""}`,
    );
  }
  const near = papers.filter((paper) => paper.displayTitle.toLowerCase().includes(id.toLowerCase())).slice(0, 3);
  throw new UserError(`no paper with id "${id}"${near.length ? `; did you mean ${near.map((p) => p.id).join(", ")}?` : ""} (see "citewise papers list")`);
}
