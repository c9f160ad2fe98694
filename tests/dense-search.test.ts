import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { ingest } from "../src/ingest/pipeline.js";
import { sumOf, writeFileAtomic } from "../src/index/files.js";
import { readPointer, writePointer } from "../src/index/local/layout.js";
import { Int8Kernel } from "../src/index/local/int8-kernel.js";
import { quantiseRows } from "../src/index/local/quantise.js";
import { SegmentVectorStore } from "../src/index/local/segment-store.js";
import { segmentsDir } from "../src/index/local/segments.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import type { VectorHit } from "../src/index/store.js";
import { corpusVectorEmbedder } from "./support/corpus-vectors.js";
import { ROOT, tempDir } from "./helpers.js";

/** Queries near real chunks: the normalised mean of two chunk vectors of the bundled corpus (USE-Lite). */
function queriesFrom(vectors: Float32Array[], count: number): Float32Array[] {
  const queries: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const a = vectors[(i * 7) % vectors.length]!;
    const b = vectors[(i * 13 + 5) % vectors.length]!;
    const mean = a.map((value, j) => value + b[j]!);
    const norm = Math.hypot(...mean);
    queries.push(mean.map((value) => value / norm));
  }
  return queries;
}

/** Every chunk scored by a plain float dot product, best first: the reference. */
function bruteForce(index: IndexSnapshot, vectors: Map<string, ArrayLike<number>>, query: Float32Array, k: number): VectorHit[] {
  return index.chunks
    .map((chunk) => {
      const vector = vectors.get(chunk.id)!;
      let score = 0;
      for (let j = 0; j < query.length; j++) score += query[j]! * vector[j]!;
      return { id: chunk.id, score };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

const recallAt = (found: VectorHit[][], wanted: VectorHit[][], k: number) =>
  found.reduce((sum, hits, i) => {
    const want = new Set(wanted[i]!.slice(0, k).map((hit) => hit.id));
    return sum + hits.slice(0, k).filter((hit) => want.has(hit.id)).length / want.size;
  }, 0) / found.length;

describe("dense search: int8 scan, exact re-rank", () => {
  let index: IndexSnapshot;
  let vectors: Map<string, ArrayLike<number>>;
  let queries: Float32Array[];

  beforeAll(async () => {
    index = await loadIndex(inject("corpusIndex"));
    vectors = await index.vectors.vectorsFor(index.chunks.map((chunk) => chunk.id));
    queries = queriesFrom(
      [...vectors.values()].map((vector) => Float32Array.from(vector)),
      250,
    );
  });
  afterEach(() => {
    delete process.env.CITEWISE_EXACT_SEARCH;
  });

  it("vectorsFor answers the same whether it scans the rows (first calls) or uses the id map (later calls)", async () => {
    const fresh = await loadIndex(inject("corpusIndex"));
    const ids = [...index.chunks.slice(0, 40).map((chunk) => chunk.id), "no-such-chunk"];
    const answers = [];
    for (let call = 0; call < 4; call++) answers.push(await fresh.vectors.vectorsFor(ids));
    expect(answers[0]!.size).toBe(40);
    for (const answer of answers.slice(1)) {
      expect(new Set(answer.keys())).toEqual(new Set(answers[0]!.keys()));
      for (const id of ids.slice(0, 40)) expect(Array.from(answer.get(id)!)).toEqual(Array.from(answers[0]!.get(id)!));
    }
    expect(Array.from(answers[3]!.get(ids[7]!)!)).toEqual(Array.from(vectors.get(ids[7]!)!));
    await fresh.close();
  });

  it("finds the exact top 10 (recall ≥ 0.98 over 250 queries on the bundled corpus's vectors) with exact scores", async () => {
    const exact = queries.map((query) => bruteForce(index, vectors, query, 10));
    const found = await Promise.all(queries.map((query) => index.vectors.query(query, 10)));
    const recall = recallAt(found, exact, 10);
    expect(recall).toBeGreaterThanOrEqual(0.98);
    // Scores are the float32 ones, not int8 approximations.
    for (const [i, hits] of found.entries()) {
      const reference = new Map(exact[i]!.map((hit) => [hit.id, hit.score]));
      for (const hit of hits) if (reference.has(hit.id)) expect(hit.score).toBeCloseTo(reference.get(hit.id)!, 6);
    }
  });

  it("honours a filter: only allowed chunks come back, still the exact best of them", async () => {
    const allowed = new Set(index.chunks.filter((_, i) => i % 3 === 0).map((chunk) => chunk.id));
    for (const query of queries.slice(0, 20)) {
      const hits = await index.vectors.query(query, 10, (id) => allowed.has(id));
      expect(hits.every((hit) => allowed.has(hit.id))).toBe(true);
      const reference = bruteForce(index, vectors, query, index.chunks.length).filter((hit) => allowed.has(hit.id));
      expect(recallAt([hits], [reference], 10)).toBeGreaterThanOrEqual(0.9);
    }
  });

  it("exact mode (option or $CITEWISE_EXACT_SEARCH) returns the brute-force order and scores", async () => {
    for (const query of queries.slice(0, 30)) {
      const reference = bruteForce(index, vectors, query, 10);
      const byOption = await index.vectors.query(query, 10, undefined, { exact: true });
      expect(byOption.map((hit) => hit.id)).toEqual(reference.map((hit) => hit.id));
      for (const [i, hit] of byOption.entries()) expect(hit.score).toBeCloseTo(reference[i]!.score, 6);
      process.env.CITEWISE_EXACT_SEARCH = "1";
      expect(await index.vectors.query(query, 10)).toEqual(byOption);
      delete process.env.CITEWISE_EXACT_SEARCH;
    }
  });
});

describe("segment files and their copies", () => {
  let template: string;
  let original: IndexSnapshot;
  let probe: Float32Array;
  const work = tempDir();

  beforeAll(async () => {
    // Written with vectra's index.json too (the opt-in), then turned into the layout of a segment from before 2026-12.
    template = path.join(work, "template");
    const { embedder } = await corpusVectorEmbedder(inject("corpusIndex"));
    process.env.CITEWISE_VECTRA_COPY = "1";
    try {
      await ingest({ inputs: [path.join(ROOT, "data", "000_76b6c8d37477a31e.txt")], indexDir: template, embedder, baseDir: ROOT });
    } finally {
      delete process.env.CITEWISE_VECTRA_COPY;
    }
    original = await loadIndex(template);
    probe = Float32Array.from((await original.vectors.vectorsFor([original.chunks[3]!.id])).get(original.chunks[3]!.id)!);
  });

  const copy = (name: string) => {
    const dir = path.join(work, name);
    cpSync(template, dir, { recursive: true });
    return dir;
  };
  const segmentOf = (dir: string) => path.join(segmentsDir(dir), readdirSync(segmentsDir(dir))[0]!);

  it("writes vectors.f32, vectors.i8 and rows twice, and vectra's index.json only when asked", async () => {
    expect(readdirSync(segmentOf(template)).sort()).toEqual(["index.json", "rows.json", "segment.json", "vectors.f32", "vectors.i8"]);
    const plain = path.join(work, "plain");
    const { embedder } = await corpusVectorEmbedder(inject("corpusIndex"));
    await ingest({ inputs: [path.join(ROOT, "data", "000_76b6c8d37477a31e.txt")], indexDir: plain, embedder, baseDir: ROOT });
    const segment = segmentOf(plain);
    expect(readdirSync(segment).sort()).toEqual(["rows.json", "segment.json", "vectors.f32", "vectors.i8"]);
    const info = JSON.parse(readFileSync(path.join(segment, "segment.json"), "utf8")) as { rows: unknown; files: Record<string, unknown> };
    expect(info.rows).toEqual(JSON.parse(readFileSync(path.join(segment, "rows.json"), "utf8")));
    expect(Object.keys(info.files).sort()).toEqual(["rows.json", "vectors.f32", "vectors.i8"]);
  });

  it("opens a legacy segment (vectra index.json, no vectors.i8) and falls back to its index.json", async () => {
    const dir = copy("legacy");
    makeLegacy(dir, segmentOf(dir));
    const legacy = await loadIndex(dir);
    expect(legacy.notices).toEqual([]);
    expect(await legacy.vectors.query(probe, 10)).toEqual(await original.vectors.query(probe, 10));
    rmSync(path.join(segmentOf(dir), "vectors.f32"));
    const fallback = await loadIndex(dir);
    expect(fallback.notices.join("\n")).toMatch(/vectors\.f32 of segment seg-\S+ is damaged or missing; its vectors were read from vectra's index\.json/);
    expect(await fallback.vectors.query(probe, 10, undefined, { exact: true })).toEqual(await original.vectors.query(probe, 10, undefined, { exact: true }));
  });

  it("damaged vectors.f32: dequantised from vectors.i8, with a notice (index.json, if any, is preferred: exact)", async () => {
    const dir = copy("f32");
    const segment = segmentOf(dir);
    rmSync(path.join(segment, "index.json"));
    writeFileSync(path.join(segment, "vectors.f32"), Buffer.alloc(readFileSync(path.join(segment, "vectors.f32")).length));
    const damaged = await loadIndex(dir);
    expect(damaged.notices.join("\n")).toMatch(/vectors\.f32 of segment seg-\S+ is damaged or missing; its vectors were dequantised from vectors\.i8/);
    const hits = await damaged.vectors.query(probe, 10);
    const exact = await original.vectors.query(probe, 10, undefined, { exact: true });
    expect(hits[0]!.id).toBe(exact[0]!.id);
    expect(Math.abs(hits[0]!.score - exact[0]!.score)).toBeLessThan(0.01);
  });

  it("damaged vectors.f32 and vectors.i8: a one-line error that says to run repair", async () => {
    const dir = copy("both");
    const segment = segmentOf(dir);
    rmSync(path.join(segment, "index.json"));
    rmSync(path.join(segment, "vectors.f32"));
    writeFileSync(path.join(segment, "vectors.i8"), "damaged");
    await expect(loadIndex(dir)).rejects.toThrow(/vectors\.f32 and vectors\.i8 are both damaged .*run "citewise repair" to embed those chunks again/);
  });
});

/** Rewrites a segment as written before 2026-12: no vectors.i8, no rows copy, sums of index.json, vectors.f32 and rows.json. */
function makeLegacy(indexDir: string, segment: string): void {
  rmSync(path.join(segment, "vectors.i8"));
  const files = {
    "index.json": sumOf(readFileSync(path.join(segment, "index.json"))),
    "vectors.f32": sumOf(readFileSync(path.join(segment, "vectors.f32"))),
    "rows.json": sumOf(readFileSync(path.join(segment, "rows.json"))),
  };
  const info = JSON.parse(readFileSync(path.join(segment, "segment.json"), "utf8")) as { count: number; dimension: number };
  writeFileSync(path.join(segment, "segment.json"), JSON.stringify({ count: info.count, dimension: info.dimension, files }));
  const version = path.join(indexDir, readPointer(indexDir)!.name);
  const list = JSON.parse(readFileSync(path.join(version, "vectors.json"), "utf8")) as { segments: { name: string; files: unknown }[] };
  for (const entry of list.segments) if (entry.name === path.basename(segment)) entry.files = files;
  const manifest = JSON.parse(readFileSync(path.join(version, "manifest.json"), "utf8")) as { files: Record<string, unknown> };
  manifest.files["vectors.json"] = writeFileAtomic(path.join(version, "vectors.json"), JSON.stringify(list));
  writePointer(indexDir, path.basename(version), writeFileAtomic(path.join(version, "manifest.json"), JSON.stringify(manifest, null, 2)).sha256);
}

describe("int8 kernel (WebAssembly SIMD)", () => {
  it("computes the same integer dot products as the JavaScript loop, per segment", () => {
    const dimension = 64;
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return (seed % 255) - 127;
    };
    const segments = [5, 3].map((rows) => Int8Array.from({ length: rows * dimension }, next));
    const kernel = Int8Kernel.create(segments, dimension);
    expect(kernel).not.toBeNull();
    const query = Int32Array.from({ length: dimension }, next);
    kernel!.setQuery(query);
    segments.forEach((codes, s) => {
      const rows = codes.length / dimension;
      const expected = Array.from({ length: rows }, (_, row) => query.reduce((sum, q, j) => sum + q * codes[row * dimension + j]!, 0));
      expect(Array.from(kernel!.scan(s, rows, dimension))).toEqual(expected);
    });
    expect(Int8Kernel.create(segments, 60)).toBeNull();
  });

  it("without the kernel (a dimension not a multiple of 16), the JavaScript scan finds the same exact top hits", async () => {
    const dimension = 24;
    const rows = 2000;
    let seed = 11;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31 - 0.5;
    };
    const vectors = Float32Array.from({ length: rows * dimension }, next);
    const segment = {
      rows: Array.from({ length: rows }, (_, i) => ({ id: `c${i}`, paperId: `p${i}`, contentHash: `h${i}` })),
      vectors,
      quantised: quantiseRows(vectors, rows, dimension),
      approximate: false,
      live: null,
    };
    const store = new SegmentVectorStore([segment], dimension);
    const found: VectorHit[][] = [];
    const exact: VectorHit[][] = [];
    for (let q = 0; q < 50; q++) {
      const query = Float32Array.from({ length: dimension }, next);
      found.push(await store.query(query, 10));
      exact.push(await store.query(query, 10, undefined, { exact: true }));
    }
    expect(recallAt(found, exact, 10)).toBeGreaterThanOrEqual(0.98);
  });
});
