import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUNDLED_DATA_DIR, PACKAGE_ROOT } from "../cli/context.js";
import { loadRetrievalFixtures } from "../eval/retrieval-fixtures.js";
import { ingest } from "../ingest/pipeline.js";
import { UseLiteEmbedder } from "../index/embedders/use-lite.js";
import { loadIndex } from "../index/snapshot.js";
import { searchPapers, type RetrievalMode } from "../retrieve/search.js";

/** `npm run bench`: ingest throughput and search latency on the bundled corpus, printed and saved as JSON. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const indexDir = mkdtempSync(path.join(os.tmpdir(), "citewise-bench-"));
const embedder = new UseLiteEmbedder();
const started = performance.now();
const report = await ingest({ inputs: [BUNDLED_DATA_DIR], indexDir, embedder });
const ingestSeconds = (performance.now() - started) / 1000;
const reingestStart = performance.now();
await ingest({ inputs: [BUNDLED_DATA_DIR], indexDir, embedder });
const reingestSeconds = (performance.now() - reingestStart) / 1000;

const loadStart = performance.now();
const index = await loadIndex(indexDir);
const loadMs = performance.now() - loadStart;
const queries = loadRetrievalFixtures(path.join(PACKAGE_ROOT, "evals", "retrieval.jsonl")).map((fixture) => fixture.query);
await searchPapers(index, embedder, "warm-up query", { k: 10 });

const latency: Record<string, { p50: number; p95: number; max: number; queries: number }> = {};
for (const mode of ["bm25", "dense", "hybrid"] as RetrievalMode[]) {
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const query of queries) {
      const t = performance.now();
      await searchPapers(index, embedder, query, { k: 10, mode });
      times.push(performance.now() - t);
    }
  }
  latency[mode] = { p50: percentile(times, 50), p95: percentile(times, 95), max: Math.max(...times), queries: times.length };
}
await embedder.close();
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const result = {
  machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  corpus: { records: report.papers + report.duplicatesMerged, papers: report.papers, chunks: report.chunks },
  ingest: { seconds: ingestSeconds, abstractsPerSecond: (report.papers + report.duplicatesMerged) / ingestSeconds, chunksPerSecond: report.chunks / ingestSeconds, reingestUnchangedSeconds: reingestSeconds },
  indexLoadMs: loadMs,
  searchLatencyMs: latency,
  peakRssMiB: peakRss / 2 ** 20,
};
rmSync(indexDir, { recursive: true, force: true });

const out = process.stdout;
out.write(`citewise bench — bundled corpus (${result.corpus.records} abstracts → ${result.corpus.papers} papers, ${result.corpus.chunks} chunks), ${result.machine.cpus} cores, Node ${result.machine.node}\n\n`);
out.write(`ingest (offline USE-Lite embedder): ${ingestSeconds.toFixed(1)} s  = ${result.ingest.abstractsPerSecond.toFixed(1)} abstracts/s, ${result.ingest.chunksPerSecond.toFixed(1)} chunks/s   [goal < 60 s]\n`);
out.write(`re-ingest, nothing changed:         ${reingestSeconds.toFixed(2)} s\n`);
out.write(`index load:                         ${loadMs.toFixed(0)} ms\n\n`);
out.write(`search latency over ${queries.length} fixture queries × 3 (index loaded, k=10)   [goal p95 < 100 ms]\n`);
out.write(`  mode      p50 ms   p95 ms   max ms\n`);
for (const [mode, l] of Object.entries(latency)) out.write(`  ${mode.padEnd(8)} ${l.p50.toFixed(1).padStart(7)} ${l.p95.toFixed(1).padStart(8)} ${l.max.toFixed(1).padStart(8)}\n`);
out.write(`\npeak RSS (main thread process, embedding workers included): ${result.peakRssMiB.toFixed(0)} MiB\n`);
const outDir = path.join(PACKAGE_ROOT, ".cache");
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, "bench.json"), JSON.stringify(result, null, 2));
out.write(`written: .cache/bench.json\n`);
