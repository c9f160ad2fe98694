/**
 * Seeded fuzzing of ingest: the five real dumps in data/ and small valid JSONL, JSON, BibTeX, CSV and TSV
 * samples built from real abstracts are truncated, bit-flipped, re-encoded, padded and broken, then read
 * through parseInputs from temp files. For every case: no exception, every record and skip well-formed and
 * pointing inside the file, and every record the mutation did not touch still ingested with identical text.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { normalizeText } from "../src/corpus/normalize.js";
import type { RawRecord, SourceFormat } from "../src/corpus/paper.js";
import { parseInputs, type ParsedInputs } from "../src/ingest/parse-files.js";
import { recordsToPapers } from "../src/ingest/papers.js";
import { readTextFile } from "../src/ingest/read-source.js";
import { DATA, FILES, ROOT, tempDir } from "./helpers.js";
import { recordFault } from "./support/fault-log.js";
import * as fz from "./support/fuzz-inputs.js";

const work = tempDir("citewise-fuzz-");
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Input {
  name: string;
  ext: string;
  text: string;
  bytes: Buffer;
  format: SourceFormat;
  /** Records of the unmutated input: the reference every case is compared against. */
  baseline: RawRecord[];
  baselineSkips: number;
}

/** Lines of the input a mutation touched ([from, to], 1-based) and how many lines it added after them. */
type Damage = "none" | { from: number; to: number; shift: number; atRecordBoundary?: boolean };

interface Case {
  input: Input;
  bytes: Buffer;
  damage: Damage;
  /** Class-specific expectations; returns problems. */
  check?: (result: ParsedInputs) => string[];
}

function parseFile(name: string, bytes: Buffer, format?: SourceFormat) {
  const file = path.join(work, name);
  writeFileSync(file, bytes);
  return { file, parsed: parseInputs([file], { baseDir: work, format }) };
}

function makeInput(name: string, ext: string, text: string): Input {
  const bytes = Buffer.from(text, "utf8");
  const { file, parsed } = parseFile(`base-${name}${ext}`, bytes);
  rmSync(file);
  return { name, ext, text, bytes, format: parsed.files[0]!.format!, baseline: parsed.records, baselineSkips: parsed.skipped.length };
}

const corpus = parseInputs([DATA], { baseDir: ROOT }).records;
const entries = fz.sampleEntries(corpus);
const INPUTS: Input[] = [
  ...Object.entries(FILES).map(([name, file]) => makeInput(name, ".txt", readFileSync(path.join(ROOT, file), "utf8"))),
  makeInput("sample", ".jsonl", fz.jsonl(entries)),
  makeInput("sample", ".json", fz.jsonArray(entries)),
  makeInput("sample", ".bib", fz.bibtex(entries)),
  makeInput("sample", ".csv", fz.csv(entries)),
  makeInput("sample", ".tsv", fz.tsv(entries)),
];
const byExt = (...exts: string[]) => INPUTS.filter((input) => exts.includes(input.ext));

const recordKey = (r: RawRecord, line = r.source.line) => `${line}\t${r.title ?? ""}\t${r.abstract}`;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Does the record's line hold the start of the record (its title, abstract, JSON object or BibTeX entry)? */
function pointsAt(r: RawRecord, lineText: string): boolean {
  switch (r.source.format) {
    case "plaintext":
      return lineText.trim() === r.abstract;
    case "listing":
    case "daily":
      return lineText.trim().endsWith(r.title ?? r.abstract);
    case "jsonl":
      return lineText.includes("{");
    case "bibtex":
      return lineText.includes("@");
    case "csv":
    case "ris":
    case "xml":
      return true; // a multi-line row's first line holds whichever fields come first
  }
}

/** Baseline records the mutation cannot have touched, with the line they must now be on. */
function untouched(c: Case): string[] {
  const base = [...c.input.baseline].sort((a, b) => a.source.line - b.source.line);
  if (c.damage === "none") return base.map((r) => recordKey(r));
  const { from, to, shift, atRecordBoundary } = c.damage;
  // Line-oriented parsers, BibTeX and the JSON array recovery resynchronise after damage; a CSV quote
  // pairing, a CSV header or a JSON document's first line, once damaged, can take everything after them.
  const resyncs = atRecordBoundary || (c.input.format !== "csv" && !(c.input.ext === ".json" && from === 1));
  const keys: string[] = [];
  base.forEach((r, i) => {
    const lastLine = (base[i + 1]?.source.line ?? Infinity) - 1;
    if (lastLine < from) keys.push(recordKey(r));
    else if (r.source.line > to && resyncs) keys.push(recordKey(r, r.source.line + shift));
  });
  return keys;
}

function runCase(c: Case, id: string): { problems: string[]; lost: number; checked: number } {
  const name = `${id}${c.input.ext}`;
  const started = performance.now();
  const { file, parsed } = parseFile(name, c.bytes);
  const read = readTextFile(file);
  const lines = read.ok ? read.text.split(/\r\n|\r|\n/) : [];
  const problems: string[] = [];
  for (const r of parsed.records) {
    const where = `${r.source.file}:${r.source.line}`;
    if (r.source.file !== name) problems.push(`record with wrong file ${where}`);
    if (!normalizeText(r.abstract)) problems.push(`empty abstract at ${where}`);
    if (!(r.source.line >= 1 && r.source.line <= lines.length)) problems.push(`record line outside the file (${lines.length} lines): ${where}`);
    else if (!pointsAt(r, lines[r.source.line - 1]!)) problems.push(`record line does not point at the record: ${where}`);
  }
  for (const s of parsed.skipped) {
    if (s.file !== name || !(s.line >= 0 && s.line <= lines.length) || !s.reason.trim()) problems.push(`bad skip entry ${JSON.stringify(s).slice(0, 160)}`);
  }
  // recordsToPapers must take every new or changed record: each becomes a paper or a source of one, none dropped.
  // (Records identical to the baseline's are known to be fine; converting all ~500 per case would be slow.)
  const baselineKeys = new Set(c.input.baseline.map((r) => recordKey(r)));
  const changed = parsed.records.filter((r) => !baselineKeys.has(recordKey(r)));
  const { papers } = recordsToPapers(changed);
  if (papers.reduce((n, p) => n + p.sources.length, 0) !== changed.length) problems.push("recordsToPapers dropped records");
  if (papers.some((p) => !p.abstract || CONTROL.test(p.abstract + (p.title ?? "")))) problems.push("paper with empty text or control characters");

  // A mutation can make a file look like another format; survival is judged under the original format.
  const detected = parsed.files[0]?.format;
  const result = detected && detected !== c.input.format ? parseInputs([file], { baseDir: work, format: c.input.format }) : parsed;
  const actual = new Set(result.records.map((r) => recordKey(r)));
  const expected = untouched(c);
  const missing = expected.filter((key) => !actual.has(key));
  problems.push(...missing.slice(0, 3).map((key) => `untouched record lost: line ${key.slice(0, 90)}`));
  problems.push(...(c.check?.(result) ?? []));
  const seconds = (performance.now() - started) / 1000;
  if (seconds > 10) problems.push(`took ${seconds.toFixed(1)} s`);
  rmSync(file);
  return { problems: problems.map((p) => `${name} (${c.input.name}${c.input.ext}): ${p}`), lost: missing.length, checked: expected.length };
}

// ---- mutations ---------------------------------------------------------------------------------------

const lineOfByte = (bytes: Buffer, offset: number) => {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 10) line++;
  return line;
};
const lineOfChar = (text: string, index: number) => text.slice(0, index).split("\n").length;
const isCharStart = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) !== 0x80;
const utf8 = (text: string): Buffer => Buffer.from(text, "utf8");

function truncateAt(input: Input, offset: number): Case {
  return { input, bytes: input.bytes.subarray(0, offset), damage: { from: lineOfByte(input.bytes, offset), to: Infinity, shift: 0 } };
}

/** Truncation points inside the values that follow `marker` (a JSON string, a BibTeX group, a quoted CSV field). */
function cutsInside(input: Input, marker: RegExp, rng: fz.Rng, count: number): Case[] {
  const starts = [...input.text.matchAll(marker)].map((m) => Buffer.byteLength(input.text.slice(0, m.index + m[0].length)));
  return Array.from({ length: count }, () => truncateAt(input, rng.pick(starts) + 1 + rng.int(150)));
}

function editLines(input: Input, rng: fz.Rng, edit: "delete" | "duplicate"): Case {
  const lines = input.text.split("\n");
  const from = 1 + rng.int(lines.length - 1);
  const count = Math.min(1 + rng.int(3), lines.length - from);
  if (edit === "delete") lines.splice(from - 1, count);
  else lines.splice(from - 1 + count, 0, ...lines.slice(from - 1, from - 1 + count));
  const shift = edit === "delete" ? -count : count;
  return { input, bytes: utf8(lines.join("\n")), damage: { from, to: from + count - 1, shift } };
}

/** Inserts lines before line `at` of the input. */
function insertLines(input: Input, at: number, inserted: string[], boundary: boolean, check?: Case["check"]): Case {
  const lines = input.text.split("\n");
  lines.splice(at - 1, 0, ...inserted);
  return { input, bytes: utf8(lines.join("\n")), damage: { from: at, to: at - 1, shift: inserted.length, atRecordBoundary: boundary }, check };
}

const recordStart = (input: Input, rng: fz.Rng) => rng.pick(input.baseline).source.line;
const skipAt = (line: number, reason: RegExp) => (result: ParsedInputs) =>
  result.skipped.some((s) => s.line === line && reason.test(s.reason)) ? [] : [`no skip at line ${line} matching ${reason}`];

/** Re-encodings that keep the text: every record must come through unchanged (the baseline is re-parsed from `text`). */
function reencoded(input: Input, text: string, encode: (text: string) => Buffer): Case {
  const adjusted = text === input.text ? input : makeInput(`${input.name}-adjusted`, input.ext, text);
  return { input: adjusted, bytes: encode(text), damage: "none" };
}

const realWords = entries
  .map((e) => e.abstract)
  .filter((a) => !/[\u3000-\u9fff]/.test(a))
  .join(" ");
const hugeText = (chars: number, spaced: boolean) => (spaced ? realWords : "x").repeat(Math.ceil(chars / (spaced ? realWords.length + 1 : 1))).slice(0, chars);
const CONTROL_BYTES = [0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x1b, 0x7f];

interface FaultClass {
  fault: string;
  outcome: string;
  cases: (rng: fz.Rng) => Case[];
}

const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

/** A JSON array of 5000 objects none of which is closed: each must be reported, in linear time. */
function unclosedObjects(input: Input): Case {
  const element = (i: number) => `  {"title": "Unclosed ${i}", "abstract": ${JSON.stringify(entries[i % entries.length]!.abstract)},`;
  const bytes = utf8(["[", ...times(5000, element), "]"].join("\n"));
  const check = (result: ParsedInputs) => {
    const reported = result.skipped.filter((s) => /invalid JSON/.test(s.reason)).length;
    return reported === 5000 && result.records.length === 0 ? [] : [`${reported} of 5000 unclosed objects reported`];
  };
  return { input, bytes, damage: { from: 1, to: Infinity, shift: 0 }, check };
}

const CLASSES: FaultClass[] = [
  {
    fault: "truncated at a random byte offset",
    outcome: "records before the cut ingested unchanged, the cut record skipped or kept shortened",
    cases: (rng) => INPUTS.flatMap((input) => times(8, () => truncateAt(input, 1 + rng.int(input.bytes.length - 1)))),
  },
  {
    fault: "truncated inside a multi-byte UTF-8 character",
    outcome: "cut-off character dropped, file still read as UTF-8",
    cases: (rng) =>
      INPUTS.flatMap((input) => {
        const inside = [...input.bytes.keys()].filter((i) => !isCharStart(input.bytes[i]));
        return inside.length ? times(4, () => truncateAt(input, rng.pick(inside))) : [];
      }),
  },
  {
    fault: "truncated inside a JSON string, a BibTeX brace group or a quoted CSV field",
    outcome: "unterminated record skipped with file:line, earlier records kept",
    cases: (rng) => [
      ...byExt(".jsonl", ".json").flatMap((input) => cutsInside(input, /"abstract": ?"/g, rng, 6)),
      ...byExt(".bib").flatMap((input) => cutsInside(input, /abstract = \{/g, rng, 6)),
      ...byExt(".csv").flatMap((input) => cutsInside(input, /(^|,)"/gm, rng, 6)),
    ],
  },
  {
    fault: "truncated UTF-16 file (odd byte count)",
    outcome: "half code unit dropped, earlier records kept",
    cases: (rng) =>
      INPUTS.flatMap((input) =>
        (["le", "be"] as const).map((endian) => {
          const index = rng.int(input.text.length);
          const bytes = fz.utf16(input.text, endian, true).subarray(0, 2 + 2 * index + 1);
          return { input, bytes, damage: { from: lineOfChar(input.text, index), to: Infinity, shift: 0 } };
        }),
      ),
  },
  {
    fault: "random bit flips",
    outcome: "records before the first flipped byte ingested unchanged",
    cases: (rng) =>
      INPUTS.flatMap((input) =>
        times(8, () => {
          const bytes = Buffer.from(input.bytes);
          const positions = times(1 + rng.int(4), () => rng.int(bytes.length));
          for (const p of positions) bytes[p] = bytes[p]! ^ (1 << rng.int(8));
          return { input, bytes, damage: { from: lineOfByte(bytes, Math.min(...positions)), to: Infinity, shift: 0 } };
        }),
      ),
  },
  {
    fault: "inserted NUL and control bytes",
    outcome: "control bytes removed on reading, every record ingested unchanged",
    cases: (rng) =>
      INPUTS.flatMap((input) =>
        times(4, () => {
          const starts = [...input.bytes.keys()].filter((i) => isCharStart(input.bytes[i]));
          const at = times(1 + rng.int(6), () => rng.pick(starts)).sort((a, b) => b - a);
          let bytes = input.bytes;
          for (const p of at) bytes = Buffer.concat([bytes.subarray(0, p), Buffer.from([rng.pick(CONTROL_BYTES)]), bytes.subarray(p)]);
          return { input, bytes, damage: "none" as const };
        }),
      ),
  },
  {
    fault: "deleted lines",
    outcome: "records around the deletion ingested unchanged (CSV: those before it)",
    cases: (rng) => INPUTS.flatMap((input) => times(5, () => editLines(input, rng, "delete"))),
  },
  {
    fault: "duplicated lines",
    outcome: "records around the duplicate ingested unchanged (CSV: those before it)",
    cases: (rng) => INPUTS.flatMap((input) => times(5, () => editLines(input, rng, "duplicate"))),
  },
  {
    fault: "CRLF and CR-only line endings",
    outcome: "every record ingested unchanged, same line numbers",
    cases: () => INPUTS.flatMap((input) => ["\r\n", "\r"].map((eol) => reencoded(input, input.text, (t) => Buffer.from(t.replace(/\n/g, eol))))),
  },
  {
    fault: "UTF-8 BOM, UTF-16LE/BE with and without BOM",
    outcome: "encoding recognised, every record ingested unchanged",
    cases: () =>
      INPUTS.flatMap((input) => [
        reencoded(input, input.text, (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t)])),
        ...(["le", "be"] as const).flatMap((endian) => [true, false].map((bom) => reencoded(input, input.text, (t) => fz.utf16(t, endian, bom)))),
      ]),
  },
  {
    fault: "re-encoded as Latin-1 or Windows-1252 (curly quotes, dashes)",
    outcome: "read as Windows-1252, every record ingested with the right characters",
    cases: () =>
      INPUTS.flatMap((input) => [
        reencoded(input, input.text.replace(/[^\u0000-\u007f\u00a0-\u00ff]/gu, "?").replace(/ the /g, " thé "), (t) => Buffer.from(t, "latin1")),
        reencoded(input, fz.cp1252Safe(input.text).replace(/'/g, "’").replace(/ - /g, " – "), fz.cp1252),
      ]),
  },
  {
    fault: "line of several MB inserted",
    outcome: "no hang; no record longer than the sanity limit; records around it kept",
    cases: (rng) =>
      INPUTS.flatMap((input, i) => {
        const at = 1 + rng.int(input.text.split("\n").length);
        const check = (result: ParsedInputs) => (result.records.some((r) => r.abstract.length > 200_000) ? ["oversized record ingested"] : []);
        return [insertLines(input, at, [hugeText(3_000_000 + i, i % 2 === 0)], false, check)];
      }),
  },
  {
    fault: "record with an enormous abstract",
    outcome: "that record skipped as too long with file:line, all others kept",
    cases: (rng) =>
      INPUTS.flatMap((input) =>
        [25_000 * 7, 3_000_000].map((size, i) => {
          const at = recordStart(input, rng);
          const entry = { title: input.format === "plaintext" ? null : "An enormous record", abstract: hugeText(size, i === 0), year: 2024 };
          // ~25k words trips the word limit, 3 MB the character limit. In a text dump, a title line followed
          // by one enormous token is not a title + abstract pair at all, and is reported as such.
          const reason =
            i === 0
              ? /^abstract too long \(\d+ words, limit 20000\)/
              : input.ext === ".txt"
                ? /^abstract too long \(\d+ characters|^title without abstract/
                : /^abstract too long \(\d+ characters/;
          return insertLines(input, at, fz.recordLines(input.ext, entry), true, skipAt(at, reason));
        }),
      ),
  },
  {
    fault: "a few thousand empty records",
    outcome: "each reported (structured formats) or ignored (blank lines), all real records kept",
    cases: (rng) =>
      INPUTS.map((input) => {
        const at = recordStart(input, rng);
        const structured = input.ext !== ".txt";
        // Empty, blank, or only invisible characters (a zero-width space and a bell, JSON-escaped where JSON).
        const abstract = (i: number) => ["", "   ", "\u200b\u0007"][i % 3]!;
        // No title either: with a title the record would be a paper known by its title, and kept.
        const inserted = structured
          ? times(3000, (i) => fz.recordLines(input.ext, { title: null, abstract: abstract(i), year: 2020 })).flat()
          : times(3000, () => "");
        const check = (result: ParsedInputs) => {
          const reported = result.skipped.filter((s) => s.line >= at && s.line < at + inserted.length).length;
          return reported === (structured ? 3000 : 0) ? [] : [`${reported} skips for the 3000 empty records`];
        };
        return insertLines(input, at, inserted, true, check);
      }),
  },
  {
    fault: "deeply nested JSON (100k levels)",
    outcome: "a valid deep record kept, an unbalanced one skipped with its line",
    cases: (rng) =>
      byExt(".jsonl", ".json").flatMap((input) => {
        const pad = input.ext === ".json" ? ["  ", ","] : ["", ""];
        const deep = `{"title": "Deeply nested", "extra": ${"[".repeat(100_000)}${"]".repeat(100_000)}, "abstract": ${JSON.stringify(entries[3]!.abstract)}}`;
        const at = [recordStart(input, rng), recordStart(input, rng)];
        const kept = (line: number) => (result: ParsedInputs) =>
          result.records.some((r) => r.source.line === line && r.title === "Deeply nested") ? [] : ["deep record not kept"];
        return [
          insertLines(input, at[0]!, [`${pad[0]}${deep}${pad[1]}`], true, kept(at[0]!)),
          insertLines(input, at[1]!, [`${pad[0]}${"[".repeat(100_000)}${pad[1]}`], true, skipAt(at[1]!, /invalid JSON/)),
        ];
      }),
  },
  {
    fault: "unbalanced braces",
    outcome: "the broken record skipped with file:line, all others kept",
    cases: (rng) => [
      ...byExt(".bib", ".json", ".jsonl").flatMap((input) =>
        times(4, (i): Case => {
          const record = rng.pick(input.baseline.slice(1));
          const line = record.source.line;
          const lines = input.text.split("\n");
          const brace = i % 2 ? "}" : "{";
          let to = line;
          if (input.ext === ".bib") {
            // Into the abstract of the entry: the group can no longer close, or closes too early.
            const entryLines = lines.slice(line - 1).findIndex((l) => l.startsWith("  abstract = {"));
            to = line + entryLines;
            lines[to - 1] = lines[to - 1]!.replace("abstract = {", `abstract = {${brace}`);
          } else {
            lines[line - 1] = lines[line - 1]!.replace("{", `{${brace}`);
          }
          // Half the cases with old Mac line endings: recovery must find the next line without any "\n".
          const bytes = utf8(lines.join(i < 2 ? "\n" : "\r"));
          return { input, bytes, damage: { from: line, to, shift: 0 }, check: skipAt(line, /unbalanced|malformed|invalid JSON/) };
        }),
      ),
      ...byExt(".json").map(unclosedObjects),
    ],
  },
];

describe("parser fuzz (seeded, in-process)", () => {
  it("starts from inputs that parse cleanly: real dumps and samples of every structured format", () => {
    for (const input of INPUTS) expect(input.baselineSkips, input.name + input.ext).toBe(0);
    for (const input of byExt(".jsonl", ".json", ".bib", ".csv", ".tsv")) expect(input.baseline, input.ext).toHaveLength(entries.length);
    expect(INPUTS.slice(0, 5).map((input) => input.format)).toEqual(["plaintext", "plaintext", "listing", "listing", "daily"]);
    // The samples keep the text: JSON and CSV abstracts match the real ones exactly.
    for (const input of byExt(".jsonl", ".json", ".csv")) expect(input.baseline.map((r) => r.abstract)).toEqual(entries.map((e) => e.abstract));
  });

  CLASSES.forEach((cls, classIndex) => {
    it(cls.fault, () => {
      const cases = cls.cases(fz.createRng(0xc17e + classIndex));
      const problems: string[] = [];
      let lost = 0;
      let checked = 0;
      cases.forEach((c, i) => {
        const result = runCase(c, `c${classIndex}-${i}`);
        problems.push(...result.problems);
        lost += result.lost;
        checked += result.checked;
      });
      recordFault({ category: "input", fault: cls.fault, count: cases.length, outcome: cls.outcome, dataLost: lost });
      // The survival check must have had records to check, or it proves nothing.
      expect(checked).toBeGreaterThan(cases.length);
      expect(problems.slice(0, 15), `${problems.length} problems in ${cases.length} cases`).toEqual([]);
    });
  });
});

describe("whole files that are not abstract dumps (parseInputs on a folder)", () => {
  const abstracts = `${INPUTS[1]!.text.split("\n").slice(0, 2).join("\n")}\n`;

  it("skips a file over the size limit with a reason naming the limit, and reads the rest", () => {
    const dir = mkdtempSync(path.join(work, "dir-"));
    const big = readFileSync(path.join(ROOT, FILES.listingA));
    writeFileSync(path.join(dir, "big.txt"), big);
    writeFileSync(path.join(dir, "small.txt"), abstracts);
    process.env.CITEWISE_MAX_FILE_BYTES = "100000";
    let result: ParsedInputs;
    try {
      result = parseInputs([dir], { baseDir: dir });
    } finally {
      delete process.env.CITEWISE_MAX_FILE_BYTES;
    }
    recordFault({
      category: "input",
      fault: "file over the size limit",
      count: 1,
      outcome: "skipped with size and limit",
      dataLost: 2 - result.records.length,
    });
    expect(result.skipped).toEqual([{ file: "big.txt", line: 0, reason: `file too large (${big.length} bytes, limit 100000)` }]);
    expect(result.records.map((r) => [r.source.file, r.source.line])).toEqual([
      ["small.txt", 1],
      ["small.txt", 2],
    ]);
  });

  it("skips binary files (gzip of a corpus file, truncated gzip, PNG) whatever their extension", () => {
    const dir = mkdtempSync(path.join(work, "dir-"));
    const gzip = gzipSync(readFileSync(path.join(ROOT, FILES.daily)));
    const rng = fz.createRng(7);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from(times(4000, () => rng.int(256)))]);
    writeFileSync(path.join(dir, "backup.txt"), gzip);
    writeFileSync(path.join(dir, "part.csv"), gzip.subarray(0, 5000));
    writeFileSync(path.join(dir, "scan.jsonl"), png);
    writeFileSync(path.join(dir, "x-good.txt"), abstracts);
    const result = parseInputs([dir], { baseDir: dir });
    recordFault({
      category: "input",
      fault: "binary file (gzip, truncated gzip, PNG)",
      count: 3,
      outcome: "skipped as binary",
      dataLost: 2 - result.records.length,
    });
    expect(result.skipped).toEqual(["backup.txt", "part.csv", "scan.jsonl"].map((file) => ({ file, line: 0, reason: "binary file (not text)" })));
    expect(result.records).toHaveLength(2);
  });

  it("reads multi-megabyte single-line files quickly, skipping the line as a broken record", () => {
    const dir = mkdtempSync(path.join(work, "dir-"));
    writeFileSync(path.join(dir, "words.txt"), hugeText(8_000_000, true));
    writeFileSync(path.join(dir, "token.txt"), hugeText(8_000_000, false));
    writeFileSync(path.join(dir, "one.jsonl"), JSON.stringify({ title: "Huge", abstract: hugeText(6_000_000, true) }));
    const started = performance.now();
    const result = parseInputs([dir], { baseDir: dir });
    const seconds = (performance.now() - started) / 1000;
    recordFault({
      category: "input",
      fault: "multi-megabyte single-line file",
      count: 3,
      outcome: `skipped with line 1 and a reason in ${seconds.toFixed(1)} s`,
    });
    expect(seconds).toBeLessThan(15);
    expect(result.records).toEqual([]);
    expect(result.skipped.map((s) => [s.file, s.line])).toEqual([
      ["one.jsonl", 1],
      ["token.txt", 1],
      ["words.txt", 1],
    ]);
    const [json, token, words] = result.skipped.map((s) => s.reason);
    expect(json).toMatch(/^abstract too long \(\d+ characters, limit 200000\): probably a broken record$/);
    expect(words).toMatch(/^abstract too long \(\d+ characters, limit 200000\): probably a broken record$/);
    // One 8 MB token is not prose: the text parser sees a lone title line, and says so.
    expect(token).toMatch(/^title without abstract at end of file: "x{60}"$/);
  });

  it("turns a file that vanished or cannot be read into a skip, not an exception", () => {
    const read = readTextFile(path.join(work, "gone.txt"), "gone.txt");
    expect(read).toEqual({ ok: false, skip: { file: "gone.txt", line: 0, reason: "cannot read file (ENOENT)" } });
  });
});
