import { describe, expect, it } from "vitest";
import { chunkPaper } from "../src/ingest/chunk.js";
import { parseInputs } from "../src/ingest/parse-files.js";
import { recordsToPapers } from "../src/ingest/papers.js";
import { DATA, FILES, ROOT } from "./helpers.js";

const parsed = parseInputs([DATA], { baseDir: ROOT });
const merged = recordsToPapers(parsed.records);
const papersFrom = (file: string) => merged.papers.filter((paper) => paper.sources.some((source) => source.file === file));

describe("bundled sample corpus", () => {
  it("detects each file's format and counts its abstracts exactly", () => {
    const byFile = Object.fromEntries(parsed.files.map((file) => [file.file, [file.format, file.records, file.skipped]]));
    expect(byFile).toEqual({
      [FILES.plainChinese]: ["plaintext", 10, 0],
      [FILES.plain]: ["plaintext", 11, 0],
      [FILES.listingA]: ["listing", 242, 0],
      [FILES.listingB]: ["listing", 221, 0],
      [FILES.daily]: ["daily", 61, 0],
    });
    expect(parsed.records).toHaveLength(545);
  });

  it("merges the 18 duplicate abstracts into 527 papers with unique ids", () => {
    expect(merged.duplicatesMerged).toBe(18);
    expect(merged.papers).toHaveLength(527);
    expect(new Set(merged.papers.map((paper) => paper.id)).size).toBe(527);
    // The paper listed in three files keeps all three sources.
    const triple = merged.papers.find((paper) => paper.abstract.startsWith("In the classical transformer attention scheme"));
    expect(triple?.sources.map((source) => source.file).sort()).toEqual([FILES.listingA, FILES.listingB, FILES.daily]);
  });

  it("derives and marks titles for untitled abstracts; real titles are kept", () => {
    const untitled = papersFrom(FILES.plain);
    expect(untitled).toHaveLength(11);
    for (const paper of untitled) {
      expect(paper.title).toBeNull();
      expect(paper.titleIsDerived).toBe(true);
      expect(paper.displayTitle.length).toBeGreaterThan(10);
      expect(paper.abstract.startsWith(paper.displayTitle.replace(/…$/, ""))).toBe(true);
      expect(paper.id).toMatch(/^h-[0-9a-f]{12}$/);
    }
    const lotr = merged.papers.find((paper) => paper.title === "LoTR: Low Tensor Rank Weight Adaptation");
    expect(lotr?.titleIsDerived).toBe(false);
    expect(lotr?.id).toBe("lotr-low-tensor-rank-weight-adaptation");
  });

  it("strips site chrome, including the Subscribe label glued to the first title", () => {
    const titles = merged.papers.map((paper) => paper.title ?? "");
    expect(titles).toContain("Norm of Word Embedding Encodes Information Gain");
    expect(titles.some((title) => /subscribe|trending papers|daily papers/i.test(title))).toBe(false);
    expect(merged.papers.some((paper) => /Get trending papers/.test(paper.abstract))).toBe(false);
  });

  it("keeps author counts and dates from the daily-paper dump, including a long title and upvote counts", () => {
    const gd = merged.papers.find((paper) => paper.title?.startsWith("One Step of Gradient Descent is Provably"));
    expect(gd).toMatchObject({ authorCount: 3, date: "Jul 7, 2023", year: 2023 });
    const yolo = merged.papers.find((paper) => paper.title?.startsWith("A Novel Compression Framework for YOLOv8"));
    expect(yolo).toMatchObject({ authorCount: 3, date: "Sep 16", year: null });
    const starbucks = merged.papers.find((paper) => paper.title?.startsWith("Knowledge Composition using Task Vectors"));
    expect(starbucks).toMatchObject({ date: "Jul 3, 2024", year: 2024 });
    expect(papersFrom(FILES.daily).every((paper) => paper.authorCount !== null && paper.date !== null)).toBe(true);
  });

  it("keeps the Chinese abstract, tagged zh, and chunks it on Chinese full stops", () => {
    const chinese = merged.papers.filter((paper) => paper.language === "zh");
    expect(chinese).toHaveLength(1);
    const chunks = chunkPaper(chinese[0]!);
    expect(chunks.length).toBeGreaterThanOrEqual(1);
    expect(chunks.flatMap((chunk) => chunk.sentences).every((sentence) => /[。!?]$/.test(sentence))).toBe(true);
    expect(merged.papers.filter((paper) => paper.language === "en")).toHaveLength(526);
  });

  it("chunks on sentence boundaries, with the title on every chunk and no sentence lost", () => {
    for (const paper of merged.papers.slice(0, 120)) {
      const chunks = chunkPaper(paper);
      const rejoined = chunks
        .flatMap((chunk) => chunk.sentences)
        .join(" ")
        .replace(/\s+/g, "");
      expect(rejoined).toBe(paper.abstract.replace(/\s+/g, ""));
      for (const chunk of chunks) {
        if (paper.title) expect(chunk.text.startsWith(`${paper.title}\n`)).toBe(true);
        expect(chunk.sentences.at(-1)).toMatch(/[.!?。)\]"'%0-9a-z]$/i);
      }
    }
  });

  it("gives the same ids on every run (stable ids)", () => {
    const again = recordsToPapers(parseInputs([DATA], { baseDir: ROOT }).records);
    expect(again.papers.map((paper) => paper.id)).toEqual(merged.papers.map((paper) => paper.id));
  });
});
