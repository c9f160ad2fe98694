import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { asParsedInputs } from "../src/bench/dataset.js";
import type { Embedder } from "../src/index/embedder.js";
import { ingest } from "../src/ingest/pipeline.js";
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

  it("is indexed in full by the bench's ingest path (records handed to ingest as parsed inputs)", async () => {
    // A relative file path once matched none of the records' source keys, and the bench indexed 0 chunks.
    const records = generateSyntheticRecords(source, { targetChunks: 200, seed: 3, file: "synthetic-probe.jsonl" });
    const expected = recordsToPapers(records).papers.flatMap((paper) => chunkPaper(paper)).length;
    const unit: Embedder = {
      name: "unit-test",
      dimension: 4,
      embedDocuments: async (texts) => texts.map((text) => [1, text.length % 7, 0, 1]),
      embedQuery: async () => [1, 0, 0, 1],
    };
    const indexDir = mkdtempSync(path.join(os.tmpdir(), "citewise-bench-probe-"));
    try {
      const report = await ingest({ inputs: [], parsed: asParsedInputs(records), indexDir, embedder: unit });
      expect(report.papers).toBe(records.length);
      expect(report.chunks).toBe(expected);
    } finally {
      rmSync(indexDir, { recursive: true, force: true });
    }
  });
});
