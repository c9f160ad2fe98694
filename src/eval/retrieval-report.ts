import { Command } from "commander";
import path from "node:path";
import { BUNDLED_DATA_DIR, PACKAGE_ROOT, runIngest } from "../cli/context.js";
import { reportErrors } from "../cli/errors.js";
import { createEmbedder } from "../index/embedders/create.js";
import { loadIndex } from "../index/snapshot.js";
import type { SearchOptions } from "../retrieve/search.js";
import { DEFAULT_RETRIEVAL } from "../retrieve/settings.js";
import { mean } from "./metrics.js";
import { evaluateRetrieval, type RetrievalScores } from "./retrieval-eval.js";
import { loadRetrievalFixtures, resolveFixtures } from "./retrieval-fixtures.js";

/** `npm run eval:retrieval`: BM25-only, dense-only and hybrid side by side on evals/retrieval.jsonl. */
const program = new Command()
  .name("eval:retrieval")
  .option("--fixtures <file>", "retrieval fixtures (JSONL)", path.join(PACKAGE_ROOT, "evals", "retrieval.jsonl"))
  .option("--index <dir>", "index built from data/ (created or refreshed incrementally)", path.join(PACKAGE_ROOT, ".cache", "eval-index"))
  .option("--grid", "also sweep fusion weight and RRF k (how the defaults were chosen)")
  .option("--json", "print JSON")
  .action((options) =>
    reportErrors(async () => {
      await runIngest([BUNDLED_DATA_DIR], options.index, { progress: false });
      const index = await loadIndex(options.index);
      const embedder = await createEmbedder(index.manifest.embedder.name);
      const fixtures = resolveFixtures(loadRetrievalFixtures(options.fixtures), index.papers.values());
      const runs: Array<[string, SearchOptions & { mode: "bm25" | "dense" | "hybrid" }]> = [
        ["bm25", { mode: "bm25" }],
        ["dense", { mode: "dense" }],
        ["hybrid", { mode: "hybrid" }],
      ];
      if (options.grid) {
        for (const denseWeight of [0.1, 0.2, 0.3, 0.5, 1]) {
          for (const rrfK of [5, 10, 20, 60]) runs.push([`hybrid w=${denseWeight} k=${rrfK}`, { mode: "hybrid", denseWeight, rrfK }]);
        }
        runs.push(["hybrid no-mmr", { mode: "hybrid", mmrLambda: 1 }], ["hybrid extra-chunk 0.3", { mode: "hybrid", extraChunkWeight: 0.3 }]);
      }
      const scores: RetrievalScores[] = [];
      for (const [label, searchOptions] of runs) scores.push(await evaluateRetrieval(index, embedder, fixtures, label, searchOptions));
      await embedder.close?.();
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ fixtures: fixtures.length, defaults: DEFAULT_RETRIEVAL, scores }, null, 2)}\n`);
        return;
      }
      printTable(scores, fixtures.length);
      printByKind(
        scores.slice(0, 3),
        fixtures.map((f) => f.kind ?? "other"),
      );
    }),
  );

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

await program.parseAsync(process.argv);
