import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadRetrievalFixtures } from "../eval/retrieval-fixtures.js";
import { PACKAGE } from "../settings.js";
import { LazyUseLite } from "./lazy-embedder.js";
import { type DatasetMeta, prepareDataset, writeQueryVectors } from "./dataset.js";
import { computeRatios, renderReport, type BenchReport, type SizeReport } from "./report.js";
import { runWorker, type ChildOutcome } from "./run-child.js";
import { CachedSentenceEmbedder, SentenceVectorCache } from "./sentence-vectors.js";
import { loadSourceText, parseSize, sourceTexts } from "./synthetic-corpus.js";

/**
 * `npm run bench [-- --sizes 1k,10k,100k,1m --peers-up-to 100k --systems citewise,langchain,orama --out .cache/bench.json]`
 * Driver: builds the sentence-vector cache and the synthetic corpora, runs every system × size in its own
 * process (src/bench/worker.ts), prints the tables (stdout) and writes the JSON report. Progress goes to stderr.
 */
const ROOT = PACKAGE.root;
const SYSTEMS = ["citewise", "langchain", "orama"];

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1k,10k,100k,1m" },
    // Peers keep every vector in JavaScript arrays: past this size they only measure swapping.
    "peers-up-to": { type: "string", default: "100k" },
    // Keeps the generated corpora (records + vectors) here and reuses them: 1M takes ~15 min to generate.
    "data-cache": { type: "string", default: "" },
    systems: { type: "string", default: SYSTEMS.join(",") },
    out: { type: "string", default: path.join(".cache", "bench.json") },
    seed: { type: "string", default: "42" },
    k: { type: "string", default: "10" },
    warmup: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    "budget-s": { type: "string", default: "45" },
    "timeout-min": { type: "string", default: "10" },
    "heap-mb": { type: "string", default: "8192" },
  },
});
const sizes = values.sizes
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const systems = values.systems
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
for (const system of systems) if (!SYSTEMS.includes(system)) throw new Error(`unknown system "${system}" (choose from ${SYSTEMS.join(", ")})`);
const options = {
  sizes,
  systems,
  queries: 0,
  seed: Number(values.seed),
  k: Number(values.k),
  warmup: Number(values.warmup),
  rounds: Number(values.rounds),
  budgetSeconds: Number(values["budget-s"]),
  timeoutMinutes: Number(values["timeout-min"]),
  heapMiB: Number(values["heap-mb"]),
  peersUpTo: values["peers-up-to"],
};
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const startedAt = new Date();
const started = performance.now();

// 1. Real text and the vectors of its sentences, titles and the fixture queries (embedded once, then cached).
progress("reading data/ and splitting sentences");
const source = loadSourceText(path.join(ROOT, "data"));
const known = sourceTexts(source);
const queries = loadRetrievalFixtures(path.join(ROOT, "evals", "retrieval.jsonl")).map((fixture) => fixture.query);
options.queries = queries.length;
const cacheFile = path.join(ROOT, ".cache", "bench", "sentence-vectors-use-lite-512");
const cache = SentenceVectorCache.open(cacheFile, "use-lite-512", 512);
const real = new LazyUseLite();
const cacheStarted = performance.now();
const embeddedThisRun = await cache.ensure([...known, ...queries], real.get(), (done, total) =>
  progress(`embedding sentences with USE-Lite: ${done}/${total}`),
);
const cacheSeconds = (performance.now() - cacheStarted) / 1000;
progress(`sentence-vector cache: ${cache.size} texts, ${embeddedThisRun} embedded now (${cacheSeconds.toFixed(1)} s)`);

const runDir = mkdtempSync(path.join(os.tmpdir(), "citewise-bench-run-"));
const queriesFile = path.join(runDir, "queries.json");
writeQueryVectors(
  queriesFile,
  queries.map((query) => ({ query, vector: Array.from(cache.get(query)!) })),
);
const sentencesFile = path.join(runDir, "sentences.json");
writeFileSync(sentencesFile, JSON.stringify(known));

const common = [
  "--queries",
  queriesFile,
  "--k",
  String(options.k),
  "--warmup",
  String(options.warmup),
  "--rounds",
  String(options.rounds),
  "--budget-ms",
  String(options.budgetSeconds * 1000),
];
const run = async (system: string, label: string, extra: string[]): Promise<ChildOutcome> => {
  progress(`${label}: ${system}`);
  const outcome = await runWorker(
    ["--system", system, "--label", label, ...common, ...extra],
    path.join(runDir, `${system}-${label}.json`),
    options.timeoutMinutes * 60_000,
    options.heapMiB,
  );
  progress(`${label}: ${system} ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ""} in ${outcome.wallSeconds.toFixed(0)} s`);
  return outcome;
};

/**
 * citewise in two processes: ingest (and unchanged re-ingest) into a kept folder, then open + queries in a
 * fresh process, so "peak RSS" is what querying costs, not what ingest held. One outcome for the report.
 */
const runCitewiseBoth = async (label: string, inputs: string[]): Promise<ChildOutcome> => {
  const indexDir = path.join(runDir, `index-${label}`);
  const ingestRun = await run("citewise-ingest", label, [...inputs, "--index-dir", indexDir]);
  if (ingestRun.status !== "ok") return ingestRun;
  const queryRun = await run("citewise", label, [...inputs, "--index-dir", indexDir]);
  rmSync(indexDir, { recursive: true, force: true });
  const ingestResult = ingestRun.result as { memory?: unknown; baselineRssMiB?: unknown };
  return {
    ...queryRun,
    wallSeconds: ingestRun.wallSeconds + queryRun.wallSeconds,
    loadBefore: Math.max(ingestRun.loadBefore, queryRun.loadBefore),
    result: { ...ingestRun.result, ...queryRun.result, ingestMemory: ingestResult.memory, ingestBaselineRssMiB: ingestResult.baselineRssMiB },
  };
};

try {
  // 2. The bundled corpus end to end with the real embedder (also the existing re-ingest and load figures).
  let bundled: ChildOutcome | null = null;
  if (systems.includes("citewise")) {
    await real.close();
    bundled = await run("citewise-real", "bundled", ["--inputs", path.join(ROOT, "data")]);
  }

  // 3. Synthetic corpora: every system on the same chunks and vectors, each in its own process.
  const sizeReports: SizeReport[] = [];
  for (const label of sizes) {
    const targetChunks = parseSize(label);
    const keep = values["data-cache"] ? path.resolve(values["data-cache"], `${label}-seed${options.seed}`) : null;
    const dataDir = keep ?? path.join(runDir, label);
    const prepStarted = performance.now();
    const embedder = new CachedSentenceEmbedder(cache, known, real.get);
    const cached = keep && existsSync(path.join(keep, "meta.json")) ? (JSON.parse(readFileSync(path.join(keep, "meta.json"), "utf8")) as DatasetMeta) : null;
    if (!cached) progress(`${label}: generating ~${targetChunks} chunks and their vectors`);
    const corpus = cached ?? (await prepareDataset(dataDir, source, { label, targetChunks, seed: options.seed + targetChunks }, embedder));
    const prepSeconds = (performance.now() - prepStarted) / 1000;
    progress(`${label}: ${corpus.records} records → ${corpus.papers} papers → ${corpus.chunks} chunks (${prepSeconds.toFixed(0)} s)`);
    await real.close();
    const results: Record<string, ChildOutcome> = {};
    const inputs = ["--data", dataDir, "--sentences", sentencesFile, "--sentence-cache", cacheFile];
    for (const system of systems) {
      if (system !== "citewise" && targetChunks > parseSize(options.peersUpTo)) continue;
      if (system === "citewise") results[system] = await runCitewiseBoth(label, inputs);
      else results[system] = await run(system, label, inputs);
    }
    sizeReports.push({ label, corpus, prepSeconds, systems: results });
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }

  const version = (name: string) => (JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    wallSeconds: (performance.now() - started) / 1000,
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    options,
    versions: {
      "@langchain/classic (MemoryVectorStore)": version("@langchain/classic"),
      "@langchain/core": version("@langchain/core"),
      "@orama/orama": version("@orama/orama"),
      vectra: version("vectra"),
    },
    sentenceCache: {
      file: path.relative(ROOT, cacheFile),
      texts: cache.size,
      embeddedThisRun,
      seconds: cacheSeconds,
      textsPerSecond: embeddedThisRun ? embeddedThisRun / cacheSeconds : null,
    },
    bundled,
    sizes: sizeReports,
    ratios: computeRatios(sizeReports),
    notes: [
      "Synthetic chunk vectors are the normalised mean of the cached USE-Lite vectors of the chunk's title and sentences, not USE-Lite run on the chunk; they are for speed and memory figures, not quality.",
      "Insert figures: citewise's include chunking and writing the index to disk; the peers' are in-memory inserts of ready-made chunks and vectors. LangChain's addVectors only appends the given arrays to a list (no index is built), so its rate is that of an array push.",
      "Orama runs with its defaults except a vector similarity threshold of 0 (with its default of 0.8, 48 of the 54 fixture queries get fewer than 10 hits on the 10k corpus); its full-text search prefix-matches every query token in its radix tree, which dominates with the fixtures' long natural-language queries.",
      "Timings are wall-clock on a shared 2-core machine: see the load averages above; concurrent work inflates every figure measured while it ran.",
      "RSS base = after the worker loaded its inputs (the peers: chunks + vectors; citewise's query process: nothing yet), before the system built or opened anything; peak covers insert (peers) or open (citewise) and the timed searches. citewise's ingest runs in a process of its own, whose peak is the 'ingest RSS' column.",
    ],
  };
  const text = renderReport(report);
  process.stdout.write(text);
  const outFile = path.resolve(values.out);
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(report, null, 2));
  process.stdout.write(`\nwritten: ${path.relative(process.cwd(), outFile)}\n`);
} finally {
  await real.close();
  rmSync(runDir, { recursive: true, force: true });
}
