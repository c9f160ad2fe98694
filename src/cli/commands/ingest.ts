import type { Command } from "commander";
import pc from "picocolors";
import type { IngestReport } from "../../ingest/pipeline.js";
import { storedSourceFiles } from "../../ingest/pipeline.js";
import { DEFAULT_EMBEDDER, STATIC_EMBEDDER } from "../../index/embedders/create.js";
import { hasIndex, loadIndexManifest } from "../../index/snapshot.js";
import { IndexCorruptError, IndexNotFoundError } from "../../index/storage.js";
import { ingestWithProgress, resolveIndexLocation, type GlobalOptions } from "../context.js";
import { PACKAGE } from "../../settings.js";
import { reportErrors, UserError } from "../errors.js";
import { printJson } from "../format.js";
import { parseFormat, parsePositiveInt } from "../options.js";

export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description("parse, chunk and embed paper abstracts into the local index (incremental: unchanged papers are not re-embedded)")
    .argument("[paths...]", "files or folders to ingest (default: read the index's own source files again; for a new index, the bundled sample corpus)")
    .option("-f, --format <format>", "force a parser: plaintext, listing, daily, jsonl, bibtex, csv (default: detected per file)", parseFormat)
    .option("--embedder <name>", `embedder: ${DEFAULT_EMBEDDER} (offline, default), ${STATIC_EMBEDDER} (offline, much faster, weaker) or openai:<model>`)
    .option("--rebuild", "chunk and embed every stored paper again (e.g. to switch embedders); the papers stay")
    .option("--timeout <seconds>", "deadline of each request to an openai: embedder", parsePositiveInt("--timeout", 3600), 60)
    .option("--json", "print the ingest report as JSON")
    .option("--show-skipped <n>", "how many skipped records to list (0 lists none)", parsePositiveInt("--show-skipped", 100_000, 0), 20)
    .addHelpText(
      "after",
      "\nBad input never removes a paper: if a file that was ingested before no longer parses (or is read with another\n" +
        '--format), its previous papers are kept and the report says so. Papers leave only with "citewise papers remove",\n' +
        "or when their file is gone from a folder being ingested.\n" +
        "Examples:\n  citewise ingest data/\n  citewise ingest papers.bib notes.csv --json\n  citewise ingest --rebuild --embedder openai:text-embedding-3-small",
    )
    .action((paths: string[], options, command: Command) =>
      reportErrors(async () => {
        const global = command.optsWithGlobals() as GlobalOptions;
        const indexDir = resolveIndexLocation(global);
        const inputs = paths.length ? paths : await defaultInputs(indexDir, options.json);
        const report = await ingestWithProgress(inputs, indexDir, {
          embedder: options.embedder,
          format: options.format,
          rebuild: options.rebuild,
          timeoutSeconds: options.timeout,
          progress: options.json ? false : undefined,
        });
        if (options.json) printJson(report);
        else printReport(report, options.showSkipped);
      }),
    );

  program
    .command("repair")
    .description("check every file of the index against the checksums recorded when it was written, and rebuild what is damaged from the intact copies")
    .option(
      "--timeout <seconds>",
      "deadline of each request to an openai: embedder (only if vectors must be embedded again)",
      parsePositiveInt("--timeout", 3600),
      60,
    )
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      "\nThe keyword index is rebuilt from the chunks, papers from the stored records (and the other way round), chunks from\n" +
        "the papers, a segment's rows from their copy and its vectors from vectra's index.json if it has one; other vectors lost\n" +
        "from vectors.f32 are embedded again (searches meanwhile use the int8 copy, with approximate scores).\n" +
        "A damaged CURRENT pointer is replaced by one to the newest intact version. Your source files are not read.\n" +
        "Example:\n  citewise --index ~/papers-index repair",
    )
    .action((options, command: Command) =>
      reportErrors(async () => {
        const indexDir = resolveIndexLocation(command.optsWithGlobals() as GlobalOptions);
        if (!(await indexExists(indexDir))) throw new UserError(`no index in ${indexDir} to repair`);
        const report = await ingestWithProgress([], indexDir, {
          parsed: { records: [], skipped: [], files: [], folders: [] },
          repair: true,
          timeoutSeconds: options.timeout,
          progress: options.json ? false : undefined,
          ...(await storedEmbedder(indexDir)),
        });
        if (options.json)
          return printJson({
            indexDir: report.indexDir,
            repaired: report.repairs,
            published: report.published,
            papers: report.papers,
            chunks: report.chunks,
            chunksEmbedded: report.chunksEmbedded,
          });
        if (report.repairs.length === 0) {
          process.stdout.write(
            `${pc.green("Intact:")} every file of the index in ${report.indexDir} matches its checksum (${report.papers} papers, ${report.chunks} chunks); nothing was changed\n`,
          );
          return;
        }
        process.stdout.write(
          `${pc.bold("Repaired")} the index in ${report.indexDir} (${report.papers} papers, ${report.chunks} chunks; ${report.chunksEmbedded} chunks embedded again):\n`,
        );
        for (const repair of report.repairs) process.stdout.write(`  - ${repair}\n`);
      }),
    );
}

/** True for an index, also a damaged one (which hasIndex reports as an error). */
async function indexExists(indexDir: string): Promise<boolean> {
  try {
    return await hasIndex(indexDir);
  } catch (error) {
    if (error instanceof IndexCorruptError) return true;
    throw error;
  }
}

/** The embedder the index was built with, so repair and removal never mix vector spaces (the default when no manifest is intact). */
export async function storedEmbedder(indexDir: string): Promise<{ embedder?: string; dimension?: number }> {
  try {
    const manifest = await loadIndexManifest(indexDir);
    return { embedder: manifest.embedder.name, dimension: manifest.embedder.dimension };
  } catch (error) {
    if (error instanceof IndexCorruptError || error instanceof IndexNotFoundError) return {};
    throw error;
  }
}

/** A bare `citewise ingest`: the index's own source files again, or for a new index the bundled sample corpus. */
async function defaultInputs(indexDir: string, quiet: boolean): Promise<string[]> {
  if (!(await hasIndex(indexDir))) return [PACKAGE.dataDir];
  const { files, papers } = await storedSourceFiles(indexDir);
  if (files.length === 0)
    throw new UserError(
      `the index in ${indexDir} holds ${papers} papers but none of their source files can be read again; say which files or folders to ingest`,
    );
  if (!quiet) process.stderr.write(`citewise: reading the index's ${files.length} source file(s) again\n`);
  return files;
}

function printReport(report: IngestReport, maxSkipped: number): void {
  const out = process.stdout;
  if (report.unchangedFiles !== undefined) {
    out.write(
      `${pc.bold("unchanged:")} ${report.unchangedFiles} files, nothing to do (${report.papers} papers, ${report.chunks} chunks in ${report.indexDir}; ${report.seconds.toFixed(1)} s)\n`,
    );
    return;
  }
  for (const file of report.files) {
    const status = file.format ? `${file.records} records as ${file.format}` : "not read";
    out.write(`  ${file.file}: ${status}${file.skipped ? `, ${file.skipped} skipped` : ""}${file.note ? ` (${file.note})` : ""}\n`);
  }
  out.write(
    `${pc.bold("Indexed")} ${report.papers} papers, ${report.chunks} chunks in ${report.indexDir} (${report.seconds.toFixed(1)} s, embedder ${report.embedder})\n` +
      `  added ${pc.green(String(report.added.length))} · updated ${report.updated.length} · unchanged ${report.unchanged.length}` +
      ` · removed ${report.removed.length} · skipped ${report.skipped.length} · duplicates merged ${report.duplicatesMerged}\n` +
      `  chunks embedded ${report.chunksEmbedded}, vectors reused ${report.vectorsReused}` +
      (report.vectorsResumed ? ` (${report.vectorsResumed} recovered from an interrupted ingest)` : "") +
      (report.published ? "" : "; nothing changed, nothing was written") +
      "\n",
  );
  for (const kept of report.kept) out.write(pc.yellow(`  kept ${kept.papers} paper(s) of ${kept.file} from the previous ingest: ${kept.reason}\n`));
  if (report.removals.length) {
    out.write("Removed:\n");
    for (const removal of report.removals.slice(0, maxSkipped)) out.write(`  ${removal.id} (${removal.title}): ${removal.reason}\n`);
    if (report.removals.length > maxSkipped) out.write(`  … and ${report.removals.length - maxSkipped} more (use --json for all)\n`);
  }
  for (const repair of report.repairs) out.write(pc.yellow(`  repaired: ${repair}\n`));
  if (report.skipped.length) {
    out.write(pc.yellow("Skipped:\n"));
    for (const skip of report.skipped.slice(0, maxSkipped)) out.write(`  ${skip.file}:${skip.line}: ${skip.reason}\n`);
    if (report.skipped.length > maxSkipped) out.write(`  … and ${report.skipped.length - maxSkipped} more (use --json for all)\n`);
  }
}
