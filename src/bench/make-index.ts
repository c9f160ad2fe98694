import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ingest } from "../ingest/pipeline.js";
import { PACKAGE } from "../settings.js";
import { asParsedInputs, loadRecords, prepareDataset } from "./dataset.js";
import { LazyUseLite } from "./lazy-embedder.js";
import { CachedSentenceEmbedder, SentenceVectorCache } from "./sentence-vectors.js";
import { loadSourceText, parseSize, sourceTexts } from "./synthetic-corpus.js";

/**
 * A synthetic index kept on disk, for profiling open and search with the CLI (the bench deletes its own):
 *   npm run bench:index -- --size 100k --out /tmp/ix100k [--data /tmp/ds100k]
 * The records (and their sentence-mean vectors) are generated into --data once and reused; the index is
 * built with the same cached sentence vectors as the bench, under embedder name use-lite-512, so the
 * CLI's own query embedder (USE-Lite) answers queries against it.
 */
const { values } = parseArgs({
  options: {
    size: { type: "string", default: "100k" },
    out: { type: "string" },
    data: { type: "string" },
    seed: { type: "string", default: "42" },
  },
});
if (!values.out) throw new Error("usage: make-index --size 100k --out DIR [--data DIR]");
const ROOT = PACKAGE.root;
const targetChunks = parseSize(values.size);
const dataDir = path.resolve(values.data ?? `${values.out}-data`);
const source = loadSourceText(path.join(ROOT, "data"));
const known = sourceTexts(source);
const cache = SentenceVectorCache.open(path.join(ROOT, ".cache", "bench", "sentence-vectors-use-lite-512"), "use-lite-512", 512);
const real = new LazyUseLite();
try {
  await cache.ensure(known, real.get(), (done, total) => process.stderr.write(`embedding sentences: ${done}/${total}\n`));
  const embedder = new CachedSentenceEmbedder(cache, known, real.get);
  if (!existsSync(path.join(dataDir, "meta.json"))) {
    // Same seed rule as the bench, so the corpus is the one the bench measures.
    const meta = await prepareDataset(dataDir, source, { label: values.size, targetChunks, seed: Number(values.seed) + targetChunks }, embedder);
    process.stderr.write(`generated ${meta.records} records → ${meta.chunks} chunks in ${dataDir}\n`);
  } else
    process.stderr.write(`reusing ${dataDir} (${(JSON.parse(readFileSync(path.join(dataDir, "meta.json"), "utf8")) as { chunks: number }).chunks} chunks)\n`);
  const started = performance.now();
  const report = await ingest({ inputs: [], parsed: asParsedInputs(loadRecords(dataDir)), indexDir: path.resolve(values.out), embedder });
  process.stderr.write(
    `indexed ${report.papers} papers, ${report.chunks} chunks into ${values.out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
} finally {
  await real.close();
}
