import type { Command } from "commander";
import pc from "picocolors";
import type { IngestReport } from "../../ingest/pipeline.js";
import { DEFAULT_EMBEDDER } from "../../index/embedders/create.js";
import { BUNDLED_DATA_DIR, resolveIndexLocation, runIngest, type GlobalOptions } from "../context.js";
import { reportErrors } from "../errors.js";
import { printJson } from "../format.js";
import { parseFormat } from "../options.js";

export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description("parse, chunk and embed paper abstracts into the local index (incremental: unchanged papers are not re-embedded)")
    .argument("[paths...]", "files or folders to ingest (default: the bundled sample corpus)")
    .option("-f, --format <format>", "force a parser: plaintext, listing, daily, jsonl, bibtex, csv (default: detected per file)", parseFormat)
    .option("--embedder <name>", `embedder: ${DEFAULT_EMBEDDER} (offline) or openai:<model>`)
    .option("--rebuild", "discard the existing index and re-embed everything")
    .option("--json", "print the ingest report as JSON")
    .option("--show-skipped <n>", "how many skipped records to list", "20")
    .addHelpText("after", "\nExamples:\n  citewise ingest data/\n  citewise ingest papers.bib notes.csv --json\n  citewise ingest --rebuild --embedder openai:text-embedding-3-small data/")
    .action((paths: string[], options, command: Command) =>
      reportErrors(async () => {
        const global = command.optsWithGlobals() as GlobalOptions;
        const indexDir = resolveIndexLocation(global);
        const inputs = paths.length ? paths : [BUNDLED_DATA_DIR];
        const report = await runIngest(inputs, indexDir, { embedder: options.embedder, format: options.format, rebuild: options.rebuild, progress: options.json ? false : undefined });
        if (options.json) printJson(report);
        else printReport(report, Number(options.showSkipped) || 20);
      }),
    );
}

function printReport(report: IngestReport, maxSkipped: number): void {
  const out = process.stdout;
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
      "\n",
  );
  if (report.skipped.length) {
    out.write(pc.yellow("Skipped:\n"));
    for (const skip of report.skipped.slice(0, maxSkipped)) out.write(`  ${skip.file}:${skip.line}: ${skip.reason}\n`);
    if (report.skipped.length > maxSkipped) out.write(`  … and ${report.skipped.length - maxSkipped} more (use --json for all)\n`);
  }
}
