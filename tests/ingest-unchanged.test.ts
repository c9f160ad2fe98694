import { createHash } from "node:crypto";
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Embedder } from "../src/index/embedder.js";
import { ingest } from "../src/ingest/pipeline.js";
import { FILES, ROOT, tempDir } from "./helpers.js";

/** A cheap deterministic embedder that counts what it embeds. */
function hashingEmbedder() {
  const counter = { texts: 0 };
  const vector = (text: string) => {
    const digest = createHash("sha256").update(text).digest();
    const values = Array.from({ length: 8 }, (_, i) => digest[i]! - 127.5);
    const norm = Math.hypot(...values);
    return values.map((value) => value / norm);
  };
  const embedder: Embedder = {
    name: "test-hash-8",
    dimension: 8,
    embedQuery: async (text) => vector(text),
    embedDocuments: async (texts) => {
      counter.texts += texts.length;
      return texts.map(vector);
    },
  };
  return { embedder, counter };
}

describe("unchanged re-ingest", () => {
  const work = tempDir();
  const indexDir = path.join(work, "index");
  const corpus = path.join(work, "corpus");
  const versions = () =>
    readdirSync(indexDir)
      .filter((entry) => entry !== "LOCK")
      .sort();
  const current = () => readFileSync(path.join(indexDir, "CURRENT"), "utf8");

  it("decides nothing changed from size, mtime and hash, without publishing", async () => {
    mkdirSync(corpus);
    for (const file of [FILES.plain, FILES.listingA, FILES.daily]) copyFileSync(path.join(ROOT, file), path.join(corpus, path.basename(file)));
    const { embedder, counter } = hashingEmbedder();
    const first = await ingest({ inputs: [corpus], indexDir, embedder, baseDir: work });
    expect(first.published).toBe(true);
    expect(first.unchangedFiles).toBeUndefined();
    const pointer = current();
    const entries = versions();
    const embedded = counter.texts;

    // The second run finds the same files and is answered from the record of the first; nothing is written.
    const second = await ingest({ inputs: [corpus], indexDir, embedder, baseDir: work });
    expect(second).toMatchObject({ published: false, unchangedFiles: 3, added: [], updated: [], removed: [], chunksEmbedded: 0 });
    expect(second.papers).toBe(first.papers);
    expect(second.unchanged).toHaveLength(first.papers);
    expect(second.chunks).toBe(first.chunks);
    expect(second.files).toEqual(first.files);
    expect(counter.texts).toBe(embedded);
    expect(current()).toBe(pointer);
    expect(versions()).toEqual(entries);
  });

  it("a file touched but not edited is still unchanged (its hash says so), and its new mtime is recorded", async () => {
    const { embedder } = hashingEmbedder();
    const file = path.join(corpus, path.basename(FILES.daily));
    const later = new Date(statSync(file).mtimeMs + 5000);
    utimesSync(file, later, later);
    const pointer = current();
    const touched = await ingest({ inputs: [corpus], indexDir, embedder, baseDir: work });
    expect(touched).toMatchObject({ published: false, unchangedFiles: 3 });
    expect(current()).toBe(pointer);
    const saved = JSON.parse(readFileSync(path.join(indexDir, "ingest-inputs.json"), "utf8")) as { files: Array<{ path: string; mtimeMs: number }> };
    expect(saved.files.find((stamp) => stamp.path === file)?.mtimeMs).toBe(statSync(file).mtimeMs);
    const again = await ingest({ inputs: [corpus], indexDir, embedder, baseDir: work });
    expect(again.unchangedFiles).toBe(3);
  });

  it("re-ingests a file whose content changed, even with the same size and mtime", async () => {
    const { embedder, counter } = hashingEmbedder();
    const file = path.join(corpus, path.basename(FILES.plain));
    const stats = statSync(file);
    const text = readFileSync(file, "utf8");
    // Same length, same mtime, different bytes: only the hash tells.
    const at = text.indexOf("the ");
    writeFileSync(file, `${text.slice(0, at)}THE ${text.slice(at + 4)}`);
    utimesSync(file, stats.atime, stats.mtime);
    expect(statSync(file).size).toBe(stats.size);
    const report = await ingest({ inputs: [corpus], indexDir, embedder, baseDir: work });
    expect(report.unchangedFiles).toBeUndefined();
    expect(report.published).toBe(true);
    expect(report.updated).toHaveLength(1);
    expect(counter.texts).toBeGreaterThanOrEqual(1);

    appendFileSync(file, "\nA brand new paper title\nWe study an entirely new question about incremental indexing of abstracts in detail.\n");
    const appended = await ingest({ inputs: [corpus], indexDir, embedder, baseDir: work });
    expect(appended.unchangedFiles).toBeUndefined();
    expect(appended.published).toBe(true);
    expect(appended.added.length + appended.updated.length).toBeGreaterThanOrEqual(1);
  });

  it("handles a removed file as before (its papers leave the index)", async () => {
    const { embedder } = hashingEmbedder();
    const before = await ingest({ inputs: [corpus], indexDir, embedder, baseDir: work });
    expect(before.unchangedFiles).toBe(3);
    rmSync(path.join(corpus, path.basename(FILES.listingA)));
    const report = await ingest({ inputs: [corpus], indexDir, embedder, baseDir: work });
    expect(report.unchangedFiles).toBeUndefined();
    expect(report.published).toBe(true);
    expect(report.removed.length).toBeGreaterThan(0);
    expect(report.papers).toBe(before.papers - report.removed.length);
    const again = await ingest({ inputs: [corpus], indexDir, embedder, baseDir: work });
    expect(again.unchangedFiles).toBe(2);
  });

  it("never takes the shortcut for other inputs, --rebuild, or a removal", async () => {
    const { embedder } = hashingEmbedder();
    const one = path.join(corpus, path.basename(FILES.daily));
    expect((await ingest({ inputs: [one], indexDir, embedder, baseDir: work })).unchangedFiles).toBeUndefined();
    expect((await ingest({ inputs: [one], indexDir, embedder, baseDir: work })).unchangedFiles).toBe(1);
    expect((await ingest({ inputs: [one], indexDir, embedder, baseDir: work, rebuild: true })).unchangedFiles).toBeUndefined();
  });

  it("recognises records parsed elsewhere by their digest", async () => {
    const { embedder } = hashingEmbedder();
    const dir = path.join(work, "parsed-index");
    const record = {
      title: "A parsed paper",
      abstract: "An abstract given as a parsed record rather than a file.",
      source: { file: "mem", line: 1, format: "json" },
    };
    const parsed = () => ({ records: [structuredClone(record)], skipped: [], files: [], folders: [] });
    const first = await ingest({ inputs: [], parsed: parsed() as never, indexDir: dir, embedder });
    expect(first.published).toBe(true);
    const second = await ingest({ inputs: [], parsed: parsed() as never, indexDir: dir, embedder });
    expect(second).toMatchObject({ published: false, unchangedFiles: 0 });
  });
});
