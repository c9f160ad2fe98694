import type { Command } from "commander";
import pc from "picocolors";
import { hasAbstract, type Paper } from "../../corpus/paper.js";
import { hasIndex, readPapers } from "../../index/snapshot.js";
import { onlyBundledSample, SAMPLE_NOTICE } from "../../app/location.js";
import { keyForFile, sourceKey } from "../../ingest/merge-sources.js";
import { ingestWithProgress, openIndexFor, resolveIndexLocation, type GlobalOptions } from "../context.js";
import { storedEmbedder } from "./ingest.js";
import { reportErrors, UserError } from "../errors.js";
import { paperFacts, paperLabel, paperToJson, printJson } from "../format.js";
import { addFilterOptions, choice, filtersFrom, parsePositiveInt } from "../options.js";
import { paperMatches } from "../../retrieve/filters.js";

export function registerPapers(program: Command): void {
  const papers = program.command("papers").description("list or show the papers in the index");

  addFilterOptions(papers.command("list"))
    .description("list indexed papers: id, year, first author, title, venue and source file")
    .option("--sort <order>", "order: added (default, the order they were indexed), year (newest first) or title", choice("--sort", LIST_ORDERS), "added")
    .option("-n, --limit <n>", "show at most this many", parsePositiveInt("--limit", 1_000_000))
    .option("--json", "print as JSON")
    .addHelpText("after", "\nExamples:\n  citewise papers list --sort year --author Hochreiter\n  citewise papers list --venue NeurIPS --year 2023- --json")
    .action((options, command: Command) =>
      reportErrors(async () => {
        const all = await loadPapers(command.optsWithGlobals() as GlobalOptions);
        const filters = filtersFrom(options);
        const selected = sortPapers(
          all.filter((paper) => paperMatches(paper, filters)),
          options.sort,
        ).slice(0, options.limit ?? Infinity);
        if (onlyBundledSample(all)) process.stderr.write(pc.dim(`note: ${SAMPLE_NOTICE}\n`));
        if (options.json) return printJson(selected.map(paperToJson));
        for (const paper of selected) process.stdout.write(`${listLine(paper)}\n`);
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
        const details = [
          paper.doi && `doi ${paper.doi}`,
          paper.arxivId && `arXiv ${paper.arxivId}`,
          paper.url && `url ${paper.url}`,
          paper.entryType && `type ${paper.entryType}`,
          paper.citationKey && `key ${paper.citationKey}`,
          paper.aliases?.length && `also known as ${paper.aliases.join(", ")}`,
          paper.categories.length > 0 && `keywords ${paper.categories.join(", ")}`,
        ].filter(Boolean);
        const body = hasAbstract(paper) ? paper.abstract : pc.dim("(no abstract in the library: the paper is known by its title, searchable, never quoted)");
        process.stdout.write(
          `${pc.bold(paperLabel(paper))}\n${pc.dim(`id ${paper.id}`)}\n${pc.dim(paperFacts(paper))}\n${details.map((line) => pc.dim(`${line}\n`)).join("")}\n${body}\n`,
        );
      }),
    );

  papers
    .command("remove")
    .alias("rm")
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
        // A paper of a removed file that another file also holds stays: said, so the user knows why it is still listed.
        const keys = new Set(sources.map(keyForFile));
        const removedIds = new Set(report.removals.map((removal) => removal.id));
        const kept = all
          .filter((paper) => !removedIds.has(paper.id) && paper.sources.some((ref) => keys.has(sourceKey(ref))))
          .map((paper) => ({
            id: paper.id,
            title: paper.displayTitle,
            alsoIn: paper.sources.filter((ref) => !keys.has(sourceKey(ref))).map((ref) => `${ref.file}:${ref.line}`),
          }));
        if (options.json) return printJson({ removed: report.removals, kept, papers: report.papers });
        for (const removal of report.removals) process.stdout.write(`removed ${removal.id} (${removal.title})\n`);
        for (const paper of kept) process.stdout.write(`kept ${paper.id} (${paper.title}): also in ${paper.alsoIn.join(", ")}\n`);
        process.stdout.write(pc.dim(`${report.papers} papers left in ${report.indexDir}\n`));
      }),
    );
}

const LIST_ORDERS = ["added", "year", "title"] as const;

function sortPapers(papers: Paper[], order: (typeof LIST_ORDERS)[number]): Paper[] {
  if (order === "year") return [...papers].sort((a, b) => (b.year ?? -1) - (a.year ?? -1) || a.displayTitle.localeCompare(b.displayTitle));
  if (order === "title") return [...papers].sort((a, b) => a.displayTitle.localeCompare(b.displayTitle, undefined, { sensitivity: "base" }));
  return papers;
}

/** id, year, first author, title, venue, source: one line, the columns a library view has. */
function listLine(paper: Paper): string {
  // The name as written: "Mart van Baalen" has no safe surname to cut out.
  const first = paper.authors[0] ? `${paper.authors[0]}${paper.authors.length > 1 ? " et al." : ""}` : "";
  const where = paper.sources[0] ? `${paper.sources[0].file}:${paper.sources[0].line}` : "";
  const title = `${paperLabel(paper)}${hasAbstract(paper) ? "" : pc.dim(" (title only)")}`;
  return [
    pc.dim(paper.id.padEnd(40)),
    String(paper.year ?? "----"),
    first.length > 24 ? `${first.slice(0, 23)}…` : first.padEnd(24),
    title,
    pc.dim([paper.venue, where].filter(Boolean).join(" · ")),
  ].join("  ");
}

async function loadPapers(global: GlobalOptions): Promise<Paper[]> {
  const indexDir = resolveIndexLocation(global);
  if (!(await hasIndex(indexDir))) await (await openIndexFor(global)).index.close();
  return readPapers(indexDir);
}

export function findPaper(papers: Paper[], id: string): Paper {
  const exact = papers.find((paper) => paper.id === id);
  if (exact) return exact;
  // An id the paper had before better metadata arrived or a duplicate merged into it.
  const earlier = papers.find((paper) => paper.aliases?.includes(id));
  if (earlier) return earlier;
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
