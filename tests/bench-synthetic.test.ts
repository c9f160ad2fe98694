import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateSyntheticRecords, loadSourceText, parseSize } from "../src/bench/synthetic-corpus.js";
import { chunkPaper } from "../src/ingest/chunk.js";
import { recordsToPapers } from "../src/ingest/papers.js";

const source = loadSourceText(path.resolve("data"));

describe("synthetic bench corpus", () => {
  it("is the same for the same seed and different for another", () => {
    const a = generateSyntheticRecords(source, { targetChunks: 300, seed: 7 });
    const b = generateSyntheticRecords(source, { targetChunks: 300, seed: 7 });
    const c = generateSyntheticRecords(source, { targetChunks: 300, seed: 8 });
    expect(b).toEqual(a);
    expect(c.map((r) => r.abstract)).not.toEqual(a.map((r) => r.abstract));
  });

  it("reaches the requested chunk count within 10% once ingested, with titles and distinct abstracts", () => {
    const records = generateSyntheticRecords(source, { targetChunks: parseSize("1k"), seed: 42 });
    const { papers, duplicatesMerged } = recordsToPapers(records);
    const chunks = papers.flatMap((paper) => chunkPaper(paper));
    expect(duplicatesMerged).toBe(0);
    expect(records.every((record) => record.title)).toBe(true);
    expect(Math.abs(chunks.length - 1000)).toBeLessThanOrEqual(100);
  });
});
