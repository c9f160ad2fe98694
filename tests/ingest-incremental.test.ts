import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ingest } from "../src/ingest/pipeline.js";
import type { Embedder } from "../src/index/embedder.js";
import { UseLiteEmbedder } from "../src/index/embedders/use-lite.js";
import { loadIndex, readPapers } from "../src/index/snapshot.js";
import { FILES, ROOT, tempDir } from "./helpers.js";

const embedder = new UseLiteEmbedder(1);
afterAll(() => embedder.close());

/** Wraps the real embedder to count what gets embedded. */
function counting(inner: Embedder) {
  const counter = { texts: 0 };
  const wrapped: Embedder = {
    name: inner.name,
    dimension: inner.dimension,
    embedQuery: (text) => inner.embedQuery(text),
    embedDocuments: async (texts) => {
      counter.texts += texts.length;
      return inner.embedDocuments(texts);
    },
  };
  return { wrapped, counter };
}

describe("ingest of the whole bundled corpus (built once in global setup)", () => {
  it("reports 527 papers added, 18 duplicates merged, nothing skipped", () => {
    const report = JSON.parse(inject("corpusIngestReport"));
    expect(report.added).toHaveLength(527);
    expect(report.duplicatesMerged).toBe(18);
    expect(report.skipped).toEqual([]);
    expect(report.chunksEmbedded).toBe(report.chunks);
    expect(report.embedder).toBe("use-lite-512");
  });

  it("stores every chunk with a unit-length 512-d vector", async () => {
    const index = await loadIndex(inject("corpusIndex"));
    expect(index.papers.size).toBe(527);
    expect(index.vectors.size).toBe(index.chunks.length);
    const vectors = await index.vectors.vectorsFor(index.chunks.slice(0, 5).map((chunk) => chunk.id));
    for (const vector of vectors.values()) {
      expect(vector).toHaveLength(512);
      expect(Math.hypot(...Array.from(vector))).toBeCloseTo(1, 4);
    }
  });
});

describe("incremental re-ingest", () => {
  const work = tempDir();
  const indexDir = path.join(work, "index");
  const corpus = path.join(work, "corpus");
  const file = path.join(corpus, "abstracts.txt");

  it("embeds new papers once, then re-ingest of unchanged input embeds nothing", async () => {
    mkdirSync(corpus);
    copyFileSync(path.join(ROOT, FILES.plain), file);

    const first = counting(embedder);
    const report1 = await ingest({ inputs: [corpus], indexDir, embedder: first.wrapped, baseDir: work });
    expect(report1.added).toHaveLength(11);
    expect(first.counter.texts).toBe(report1.chunks);

    const second = counting(embedder);
    const report2 = await ingest({ inputs: [corpus], indexDir, embedder: second.wrapped, baseDir: work });
    expect(report2).toMatchObject({ added: [], updated: [], removed: [], chunksEmbedded: 0, vectorsReused: report1.chunks });
    expect(report2.unchanged).toHaveLength(11);
    expect(second.counter.texts).toBe(0);
  });

  it("re-embeds only the changed paper's chunks and keeps papers from other files", async () => {
    const other = path.join(work, "other.txt");
    copyFileSync(path.join(ROOT, FILES.plainChinese), other);
    const addOther = await ingest({ inputs: [other], indexDir, embedder, baseDir: work });
    expect(addOther.added).toHaveLength(10);
    expect(addOther.unchanged).toHaveLength(11);

    const lines = readFileSync(file, "utf8").split("\n");
    lines[3] = `${lines[3]} We also release code and pretrained checkpoints.`;
    writeFileSync(file, lines.join("\n"));
    const run = counting(embedder);
    const report = await ingest({ inputs: [corpus], indexDir, embedder: run.wrapped, baseDir: work });
    expect(report.added).toEqual([]);
    expect(report.updated).toHaveLength(1);
    expect(report.unchanged).toHaveLength(20);
    expect(run.counter.texts).toBeGreaterThanOrEqual(1);
    expect(run.counter.texts).toBeLessThanOrEqual(2);
    expect(await readPapers(indexDir)).toHaveLength(21);
  });

  it("refuses to mix embedders and names --rebuild", async () => {
    const other: Embedder = { name: "openai:text-embedding-3-small", dimension: 1536, embedQuery: async () => [], embedDocuments: async () => [] };
    await expect(ingest({ inputs: [corpus], indexDir, embedder: other })).rejects.toThrow(
      /built with embedder "use-lite-512" \(512-d\), but "openai:text-embedding-3-small" \(1536-d\) was requested.*--rebuild/,
    );
    expect(await readPapers(indexDir)).toHaveLength(21);
  });
});
