/**
 * The real CLI (built dist/) on a folder mixing good files with binary, empty, oversized and one-line files and
 * broken JSONL/BibTeX/CSV records: exit 0, every bad file and record reported with file:line and a reason, the
 * good abstracts indexed, and a second ingest over the existing index loses nothing.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { parseInputs } from "../src/ingest/parse-files.js";
import { recordsToPapers } from "../src/ingest/papers.js";
import { DATA, FILES, ROOT, runCli, tempDir } from "./helpers.js";
import { recordFault } from "./support/fault-log.js";
import * as fz from "./support/fuzz-inputs.js";

const { papers } = recordsToPapers(parseInputs([DATA], { baseDir: ROOT }).records);
const english = papers.filter((p) => p.language === "en");
const titled = english.filter((p) => !p.titleIsDerived).map((p) => ({ title: p.title, abstract: p.abstract, year: p.year ?? 2023 }));
const untitled = english.filter((p) => p.titleIsDerived).map((p) => p.abstract);
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;

/** Writes the folder; returns how many good abstracts it holds and the skips the report must list. */
function writeCorpus(dir: string) {
  const put = (name: string, content: string | Buffer) => writeFileSync(path.join(dir, name), content);
  const jsonl = titled.slice(0, 6).map((e) => JSON.stringify(e));
  jsonl.push('{"title": "Cut off", "abstract": "The dominant sequence transduction models', '{"authors": ["No Title", "No Abstract"]}', "[".repeat(50_000));
  put("papers.jsonl", `${jsonl.join("\n")}\n`);
  const bib = fz.bibtex(titled.slice(6, 11)).replace("abstract = {", "abstract = {{").replace("@article{fuzz0,", "@article{broken,");
  put("refs.bib", bib);
  const csv = `${fz.csv(titled.slice(11, 16))}"Broken row","This abstract never ends\n`;
  put("table.csv", csv);
  put("notes.txt", [...untitled.slice(0, 2), "Page 3", ...untitled.slice(2, 4)].join("\n"));
  put("utf16.txt", fz.utf16(untitled.slice(4, 7).join("\n"), "le", false));
  put("smart-quotes.txt", fz.cp1252(fz.cp1252Safe(untitled.slice(7, 10).join("\n")).replace(/'/g, "’")));
  put("scan.txt", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 2, 0]));
  put("backup.txt", gzipSync(readFileSync(path.join(ROOT, FILES.plain))));
  put("empty.txt", "");
  const filler = titled.slice(20, 50).map((e) => e.abstract);
  put("huge.txt", `${filler.join("\n")}\n`.repeat(130)); // ~5 MB, over the 4 MB limit set below
  put("one-line.txt", filler.join(" ").repeat(75)); // ~3 MB on one line
  const skips: Array<[string, number, RegExp]> = [
    ["papers.jsonl", 7, /^invalid JSON/],
    ["papers.jsonl", 8, /^no abstract or title$/],
    ["papers.jsonl", 9, /^invalid JSON/],
    ["refs.bib", lineOf(bib, "@article{broken,"), /^unbalanced braces: entry broken/],
    ["table.csv", lineOf(csv, '"Broken row"'), /^unterminated quoted field/],
    ["notes.txt", 3, /^line too short/],
    ["scan.txt", 0, /^binary file/],
    ["backup.txt", 0, /^binary file/],
    ["empty.txt", 0, /^empty file$/],
    ["huge.txt", 0, /^file too large \(\d+ bytes, limit 4000000\)$/],
    ["one-line.txt", 1, /^abstract too long/],
  ];
  // jsonl 6, bib 5 entries less the broken one, csv 5, notes 4, utf16 3, smart quotes 3.
  return { good: 6 + 4 + 5 + 4 + 3 + 3, skips };
}

interface Report {
  papers: number;
  added: string[];
  unchanged: string[];
  removed: string[];
  chunksEmbedded: number;
  skipped: Array<{ file: string; line: number; reason: string }>;
}

describe("citewise ingest on a folder of good and bad files (subprocess)", () => {
  const work = tempDir("citewise-bad-inputs-");
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("exits 0, reports every bad file and record with file:line, indexes the rest, and loses nothing on re-ingest", () => {
    mkdirSync(path.join(work, "corpus"));
    const { good, skips } = writeCorpus(path.join(work, "corpus"));
    const run = () => {
      const { code, stdout, stderr } = runCli(["--index", path.join(work, "index"), "ingest", "corpus", "--json"], {
        cwd: work,
        env: { CITEWISE_MAX_FILE_BYTES: "4000000" },
      });
      expect(code, stderr).toBe(0);
      return JSON.parse(stdout) as Report;
    };

    const first = run();
    for (const [file, line, reason] of skips) {
      const found = first.skipped.find((s) => s.file === `corpus/${file}` && s.line === line);
      expect(found, `${file}:${line}`).toBeDefined();
      expect(found!.reason).toMatch(reason);
    }
    expect(first.skipped).toHaveLength(skips.length);
    expect(first.papers).toBe(good);
    expect(first.added).toHaveLength(good);

    const second = run();
    recordFault({
      category: "input",
      fault: "CLI ingest of a mixed folder (binary, empty, oversized, one-line files; broken JSONL/BibTeX/CSV records; UTF-16, Windows-1252)",
      count: skips.length,
      outcome: "exit 0, each listed in skipped with file:line and reason, good abstracts indexed, re-ingest unchanged",
      dataLost: Math.max(0, first.papers - second.papers),
    });
    expect(second.papers).toBe(first.papers);
    expect(second.unchanged).toHaveLength(good);
    expect(second.removed).toEqual([]);
    expect(second.chunksEmbedded).toBe(0);
    expect(second.skipped).toEqual(first.skipped);
  });
});
