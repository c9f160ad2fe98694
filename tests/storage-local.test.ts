import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Paper } from "../src/corpus/paper.js";
import { loadRetrievalFixtures } from "../src/eval/retrieval-fixtures.js";
import { ingest } from "../src/ingest/pipeline.js";
import { Bm25Index } from "../src/index/bm25.js";
import { segmentsDir } from "../src/index/local/segments.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import { searchPapers } from "../src/retrieve/search.js";
import { corpusVectorEmbedder } from "./support/corpus-vectors.js";
import { ROOT, tempDir } from "./helpers.js";

const queries = loadRetrievalFixtures(path.join(ROOT, "evals", "retrieval.jsonl")).map((fixture) => fixture.query);

describe("saved keyword index", () => {
  it("loads with the same BM25 results as tokenising every chunk again", async () => {
    const index = await loadIndex(inject("corpusIndex"));
    const rebuilt = Bm25Index.fromTexts(index.chunks.map((chunk) => chunk.text));
    for (const query of queries) expect(index.keyword.search(query, 20)).toEqual(rebuilt.search(query, 20));
  });

  it("refuses a truncated or foreign blob instead of answering from garbage", async () => {
    const bytes = (await loadIndex(inject("corpusIndex"))).keyword.toBinary();
    expect(() => Bm25Index.fromBinary(bytes.subarray(0, bytes.length - 10))).toThrow(/truncated/);
    expect(() => Bm25Index.fromBinary(new TextEncoder().encode('{"not": "bm25"}'))).toThrow(/not a citewise keyword index/);
  });
});

/** Writes some bundled-corpus papers as a JSONL file (same title + abstract, so their chunks and vectors are known). */
function writePapers(file: string, papers: Paper[]): void {
  writeFileSync(file, `${papers.map((paper) => JSON.stringify({ title: paper.title, abstract: paper.abstract, year: paper.year })).join("\n")}\n`);
}

const segmentNames = (indexDir: string) => readdirSync(segmentsDir(indexDir)).sort();
/** Segments the published version lists (CURRENT's first line names it). */
const usedSegments = (indexDir: string): string[] => {
  const version = readFileSync(path.join(indexDir, "CURRENT"), "utf8").split("\n")[0]!;
  return (JSON.parse(readFileSync(path.join(indexDir, version, "vectors.json"), "utf8")) as { segments: { name: string }[] }).segments.map(
    (segment) => segment.name,
  );
};

describe("vector segments across re-ingests", () => {
  let corpus: IndexSnapshot;
  let titled: Paper[];
  const work = tempDir();
  const indexDir = path.join(work, "index");
  const fileA = path.join(work, "a.jsonl");
  const fileB = path.join(work, "b.jsonl");
  let embedder: Awaited<ReturnType<typeof corpusVectorEmbedder>>["embedder"];
  let counter: Awaited<ReturnType<typeof corpusVectorEmbedder>>["counter"];

  beforeAll(async () => {
    corpus = await loadIndex(inject("corpusIndex"));
    ({ embedder, counter } = await corpusVectorEmbedder(inject("corpusIndex")));
    titled = [...corpus.papers.values()].filter((paper) => paper.title && paper.language === "en").slice(0, 40);
  });

  const run = async () => {
    const before = counter.requested;
    const report = await ingest({ inputs: [fileA, fileB].filter(existsSync), indexDir, embedder, baseDir: work });
    return { report, embedded: counter.requested - before };
  };

  it("a new file adds one segment and leaves the existing one untouched", async () => {
    writePapers(fileA, titled.slice(0, 30));
    const first = await run();
    expect(first.report.papers).toBe(30);
    const [segmentA] = segmentNames(indexDir);
    expect(segmentNames(indexDir)).toHaveLength(1);

    writePapers(fileB, titled.slice(30, 40));
    const second = await run();
    expect(second.report.added).toHaveLength(10);
    expect(second.embedded).toBe(second.report.chunks - first.report.chunks);
    expect(segmentNames(indexDir)).toHaveLength(2);
    expect(segmentNames(indexDir)).toContain(segmentA);
  });

  it("removed papers become dead rows: no vector is rewritten and dense search no longer finds them", async () => {
    const before = segmentNames(indexDir);
    writePapers(fileA, titled.slice(0, 20));
    const { report, embedded } = await run();
    expect(report.removed).toHaveLength(10);
    expect(embedded).toBe(0);
    expect(segmentNames(indexDir)).toEqual(before);
    const index = await loadIndex(indexDir);
    expect(index.vectors.size).toBe(index.chunks.length);
    // Query with the removed paper's own chunk vector: before removal it was its own nearest neighbour.
    const removedChunk = corpus.chunks.find((chunk) => chunk.paperId === titled[25]!.id)!;
    const [vector] = await embedder.embedDocuments([removedChunk.text]);
    const dense = await index.vectors.query(vector!, 5);
    expect(dense.map((hit) => hit.id)).not.toContain(removedChunk.id);
    expect(dense.every((hit) => index.chunkById.has(hit.id))).toBe(true);
  });

  it("a mostly-dead segment is compacted: rewritten with its live rows, the old one deleted once no kept version uses it", async () => {
    const [segmentA] = segmentNames(indexDir);
    writePapers(fileA, titled.slice(0, 5));
    const { report, embedded } = await run();
    expect(embedded).toBe(0);
    expect(report.papers).toBe(15);
    expect(usedSegments(indexDir)).not.toContain(segmentA);
    // The replaced version is kept as a fallback, with its segments; the next publish retires both.
    expect(segmentNames(indexDir)).toContain(segmentA);
    writePapers(fileB, titled.slice(30, 39));
    await run();
    expect(segmentNames(indexDir)).not.toContain(segmentA);
    const index = await loadIndex(indexDir);
    expect(index.vectors.size).toBe(index.chunks.length);
    // Every stored vector is still the real one for its chunk text.
    const stored = await index.vectors.vectorsFor(index.chunks.map((chunk) => chunk.id));
    const original = await corpus.vectors.vectorsByContentHash();
    for (const chunk of index.chunks) expect(Array.from(stored.get(chunk.id)!)).toEqual(Array.from(original.get(chunk.contentHash)!));
  });

  it("serves a segment whose float32 copy is missing from its int8 copy (approximate scores), without writing; repair embeds it again", async () => {
    const before = await loadIndex(indexDir);
    const expected = await Promise.all(
      queries.slice(0, 10).map(async (query) => (await searchPapers(before, null, query, { k: 5, mode: "bm25" })).map((r) => r.paper.id)),
    );
    const probe = (await embedder.embedDocuments([before.chunks[0]!.text]))[0]!;
    const expectedDense = await before.vectors.query(probe, 10, undefined, { exact: true });
    const name = segmentNames(indexDir)[0]!;
    const segment = path.join(segmentsDir(indexDir), name);
    const current = new Set(before.chunks.map((chunk) => chunk.id));
    const liveRows = (JSON.parse(readFileSync(path.join(segment, "rows.json"), "utf8")) as string[][]).filter(([id]) => current.has(id!)).length;
    rmSync(path.join(segment, "vectors.f32"));
    const after = await loadIndex(indexDir);
    // A reader never writes into the index (it may not be allowed to): the damage is reported, worked around in memory.
    expect(existsSync(path.join(segment, "vectors.f32"))).toBe(false);
    expect(after.notices.join("\n")).toMatch(
      /vectors\.f32 of segment seg-\S+ is damaged or missing; its vectors were dequantised from vectors\.i8 \(dense scores are approximate/,
    );
    const dense = await after.vectors.query(probe, 10);
    // int8 keeps the ranking here; the scores are off by the rounding of each vector to 127 steps.
    expect(dense.map((hit) => hit.id)).toEqual(expectedDense.map((hit) => hit.id));
    for (const [i, hit] of dense.entries()) {
      expect(Math.abs(hit.score - expectedDense[i]!.score)).toBeLessThan(0.01);
    }
    expect(dense.some((hit, i) => hit.score !== expectedDense[i]!.score)).toBe(true);
    const lexical = await Promise.all(
      queries.slice(0, 10).map(async (query) => (await searchPapers(after, null, query, { k: 5, mode: "bm25" })).map((r) => r.paper.id)),
    );
    expect(lexical).toEqual(expected);

    const repaired = await ingest({ inputs: [], parsed: { records: [], skipped: [], files: [], folders: [] }, indexDir, embedder, repair: true });
    expect(repaired.repairs.join("\n")).toMatch(/vectors\.f32 of segment/);
    // Approximate vectors are not carried into the repaired version: that segment's chunks are embedded again.
    expect(liveRows).toBeGreaterThan(0);
    expect(repaired.chunksEmbedded).toBe(liveRows);
    expect(usedSegments(indexDir)).not.toContain(name);
    for (const used of usedSegments(indexDir)) expect(existsSync(path.join(segmentsDir(indexDir), used, "vectors.f32"))).toBe(true);
    const clean = await loadIndex(indexDir);
    expect(clean.notices).toEqual([]);
    expect(await clean.vectors.query(probe, 10)).toEqual(expectedDense);
  });
});
