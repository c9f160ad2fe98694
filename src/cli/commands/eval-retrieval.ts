import { UserError } from "../errors.js";
import { mean } from "../../eval/metrics.js";
import { evaluateRetrieval, retrievalRuns, type RetrievalScores } from "../../eval/retrieval-eval.js";
import { loadRetrievalFixtures, resolveFixtures } from "../../eval/retrieval-fixtures.js";
import { createEmbedder } from "../../index/embedders/create.js";
import { DEFAULT_RETRIEVAL } from "../../retrieve/settings.js";
import { type GlobalOptions, openSampleIndex, readUserFile } from "../context.js";
import { printJson } from "../format.js";

/**
 * `citewise eval --retrieval`: BM25-only, dense-only and hybrid side by side on fixtures over the bundled
 * corpus (and with --grid the sweep the fusion defaults come from). The index is data/ itself, built or
 * refreshed incrementally in a cache folder unless --index/--store names one.
 */
export async function runRetrievalReport(options: { fixtures: string; grid?: boolean; json?: boolean; split?: string }, global: GlobalOptions): Promise<void> {
  readUserFile(options.fixtures, "fixtures");
  // --split keeps the fixtures of one split (evals/hard-queries.jsonl: choose on dev, report test).
  const chosen = loadRetrievalFixtures(options.fixtures).filter((fixture) => options.split === undefined || fixture.split === options.split);
  if (chosen.length === 0) throw new UserError(`${options.fixtures} has no fixtures with "split": "${options.split}"`);
  const { location, index } = await openSampleIndex(global, options);
  const embedder = await createEmbedder(index.manifest.embedder.name, { dimension: index.manifest.embedder.dimension });
  const fixtures = resolveFixtures(chosen, index.papers.values());
  const scores: RetrievalScores[] = [];
  try {
    for (const [label, searchOptions] of retrievalRuns(options.grid === true))
      scores.push(await evaluateRetrieval(index, embedder, fixtures, label, searchOptions));
  } finally {
    await embedder.close?.();
  }
  if (options.json) return printJson({ fixtures: fixtures.length, split: options.split ?? null, index: location, defaults: DEFAULT_RETRIEVAL, scores });
  printTable(scores, fixtures.length);
  printByKind(
    scores.slice(0, 3),
    fixtures.map((fixture) => fixture.kind ?? "other"),
  );
}

function printTable(scores: RetrievalScores[], count: number): void {
  process.stdout.write(`Retrieval on ${count} fixtures (papers, k=10)\n`);
  process.stdout.write(`${"run".padEnd(24)} ${"nDCG@10".padStart(8)} ${"R@10".padStart(8)} ${"MRR".padStart(8)}\n`);
  for (const s of scores)
    process.stdout.write(`${s.label.padEnd(24)} ${s.ndcg10.toFixed(4).padStart(8)} ${s.recall10.toFixed(4).padStart(8)} ${s.mrr.toFixed(4).padStart(8)}\n`);
}

function printByKind(scores: RetrievalScores[], kinds: string[]): void {
  process.stdout.write(`\nnDCG@10 by query kind\n${"kind".padEnd(12)} ${"n".padStart(3)} ${scores.map((s) => s.label.padStart(8)).join(" ")}\n`);
  for (const kind of [...new Set(kinds)].sort()) {
    const picks = kinds.map((k, i) => (k === kind ? i : -1)).filter((i) => i >= 0);
    const cells = scores.map((s) =>
      mean(picks.map((i) => s.perQuery[i]!.ndcg10))
        .toFixed(4)
        .padStart(8),
    );
    process.stdout.write(`${kind.padEnd(12)} ${String(picks.length).padStart(3)} ${cells.join(" ")}\n`);
  }
}
