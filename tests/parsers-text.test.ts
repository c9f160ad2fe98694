import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { detectFormat } from "../src/ingest/detect.js";
import { parseInputs } from "../src/ingest/parse-files.js";
import { parseDaily } from "../src/ingest/parsers/daily.js";
import { parseListing } from "../src/ingest/parsers/listing.js";
import { parsePlaintext } from "../src/ingest/parsers/plaintext.js";
import { FILES, ROOT, tempDir } from "./helpers.js";
import { readFileSync } from "node:fs";

const ABSTRACT_A =
  "We study how sparse mixture-of-experts layers route tokens and show that a simple load-balancing loss keeps every expert busy while improving perplexity by 3% on standard benchmarks.";
const ABSTRACT_B =
  "This work introduces a retrieval-augmented decoder that consults a datastore of one billion tokens at every step, reducing hallucinated facts by half on open-domain question answering.";

describe("text parsers", () => {
  it("plaintext: one abstract per line, short lines reported with their line number", () => {
    const result = parsePlaintext(`${ABSTRACT_A}\n\nPage 3\n${ABSTRACT_B}\n`, "notes.txt");
    expect(result.records.map((r) => [r.source.line, r.title ?? null])).toEqual([
      [1, null],
      [4, null],
    ]);
    expect(result.skipped).toEqual([{ file: "notes.txt", line: 3, reason: "line too short to be an abstract (6 chars)" }]);
  });

  it("listing: pairs titles with abstracts and reports a title whose abstract is missing", () => {
    const text = `Get trending papers in your email inbox!\nSubscribeSparse Experts\n${ABSTRACT_A}\nOrphan Title\nRetrieval Decoders\n${ABSTRACT_B}\n`;
    const result = parseListing(text, "list.txt");
    expect(result.records.map((r) => [r.title, r.source.line])).toEqual([
      ["Sparse Experts", 2],
      ["Retrieval Decoders", 5],
    ]);
    expect(result.skipped).toEqual([{ file: "list.txt", line: 4, reason: 'title without abstract: "Orphan Title"' }]);
  });

  it("daily: keeps authors and dates, reports a truncated entry at the end", () => {
    const text = `Daily Papers\n\nSparse Experts\n\n${ABSTRACT_A}\n\n  • 4 authors\n·\nMar 3, 2024\n\nRetrieval Decoders\n\n${ABSTRACT_B}\n\n  • 11 authors\n·\nMay 12\n\nCut Off Title\n`;
    const result = parseDaily(text, "daily.txt");
    expect(result.records.map((r) => [r.title, r.authorCount, r.date, r.year])).toEqual([
      ["Sparse Experts", 4, "Mar 3, 2024", 2024],
      ["Retrieval Decoders", 11, "May 12", null],
    ]);
    expect(result.skipped).toEqual([{ file: "daily.txt", line: 19, reason: 'title without abstract: "Cut Off Title"' }]);
  });

  it("detects every format from content and extension", () => {
    const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
    expect(detectFormat(FILES.plain, read(FILES.plain))).toBe("plaintext");
    expect(detectFormat(FILES.plainChinese, read(FILES.plainChinese))).toBe("plaintext");
    expect(detectFormat(FILES.listingA, read(FILES.listingA))).toBe("listing");
    expect(detectFormat(FILES.daily, read(FILES.daily))).toBe("daily");
    expect(detectFormat("x.txt", `{"title": "a", "abstract": "b"}`)).toBe("jsonl");
    expect(detectFormat("x.txt", `@article{key, title={A}}`)).toBe("bibtex");
    expect(detectFormat("x.txt", `title,abstract\nA,B`)).toBe("csv");
    expect(detectFormat("refs.bib", "")).toBe("bibtex");
    expect(detectFormat("papers.csv", "")).toBe("csv");
  });
});

describe("reading files", () => {
  it("skips empty and binary files with a reason, and still reads the good ones", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "a-empty.txt"), "");
    writeFileSync(path.join(dir, "b-binary.txt"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
    writeFileSync(path.join(dir, "c-good.txt"), `${ABSTRACT_A}\n`);
    writeFileSync(path.join(dir, "d-latin1.txt"), Buffer.from(`${ABSTRACT_B.replace("This", "Th\xe9s")}\n`, "latin1"));
    const result = parseInputs([dir], { baseDir: dir });
    expect(result.skipped).toEqual([
      { file: "a-empty.txt", line: 0, reason: "empty file" },
      { file: "b-binary.txt", line: 0, reason: "binary file (not text)" },
    ]);
    expect(result.records).toHaveLength(2);
    expect(result.records[1]!.abstract.startsWith("Thés")).toBe(true);
    expect(result.files.find((f) => f.file === "d-latin1.txt")?.note).toMatch(/Latin-1/);
  });

  it("reports a missing path by name", () => {
    expect(() => parseInputs(["/nonexistent/papers.bib"])).toThrow("no such file or directory: /nonexistent/papers.bib");
  });
});
