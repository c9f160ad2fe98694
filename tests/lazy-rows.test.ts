import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { sumOf } from "../src/index/files.js";
import { ROW_BLOCK_BYTES } from "../src/index/local/row-file.js";
import { loadIndex } from "../src/index/snapshot.js";
import { openStorage } from "../src/index/open-storage.js";
import { acronymsOf, buildTable } from "../src/retrieve/acronyms.js";
import { searchPapers } from "../src/retrieve/search.js";
import { FILES, runCli, tempDir } from "./helpers.js";
import { buildSmallIndex } from "./support/small-index.js";
import { cpSync } from "node:fs";

/**
 * Since format 3 a query reads papers and chunks row by row (lookup.json holds where each row is and a sum of
 * every block): damage in a row is still found before the row is used, and reported in one line. The acronym
 * table is saved at ingest; versions without it (or of format 2) still open and build it on first use.
 */
const pointerOf = (dir: string) => readFileSync(path.join(dir, "CURRENT"), "utf8").split("\n")[0]!;
const versionOf = (dir: string) => path.join(dir, pointerOf(dir));
const search = (dir: string, query: string) => runCli(["--index", dir, "search", query, "--json", "--mode", "bm25"]);
const QUERY = "object recognition";

let template: string;
beforeAll(async () => {
  template = path.join(tempDir("citewise-lazy-"), "index");
  await buildSmallIndex(template, [FILES.plain]);
});
const copyOfTemplate = () => {
  const dir = path.join(tempDir("citewise-lazy-"), "index");
  cpSync(template, dir, { recursive: true });
  return dir;
};

/** Records new sums for every file of the current version (block sums, file sums, the pointer), as citewise would have. */
function reseal(dir: string, edit: (manifest: { formatVersion: number; files: Record<string, unknown> }) => void = () => {}): void {
  const version = versionOf(dir);
  const lookupFile = path.join(version, "lookup.json");
  if (existsSync(lookupFile)) {
    const lookup = JSON.parse(readFileSync(lookupFile, "utf8"));
    for (const [key, file] of [
      ["papers", "papers.jsonl"],
      ["chunks", "chunks.jsonl"],
    ] as const) {
      const bytes = readFileSync(path.join(version, file));
      lookup[key].blocks = [];
      for (let at = 0; at < bytes.length; at += ROW_BLOCK_BYTES)
        lookup[key].blocks.push(
          createHash("sha256")
            .update(bytes.subarray(at, at + ROW_BLOCK_BYTES))
            .digest("hex")
            .slice(0, 32),
        );
    }
    writeFileSync(lookupFile, JSON.stringify(lookup));
  }
  const manifestFile = path.join(version, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  for (const file of Object.keys(manifest.files)) {
    if (existsSync(path.join(version, file))) manifest.files[file] = sumOf(readFileSync(path.join(version, file)));
    else delete manifest.files[file];
  }
  edit(manifest);
  writeFileSync(manifestFile, JSON.stringify(manifest));
  writeFileSync(path.join(dir, "CURRENT"), `${pointerOf(dir)}\nmanifest sha256 ${sumOf(readFileSync(manifestFile)).sha256}\n`);
}

/** Changes one letter of a paper's row in papers.jsonl (same length: only its block's sum can tell). */
function damagePaperRow(dir: string, paperId: string): void {
  const file = path.join(versionOf(dir), "papers.jsonl");
  const text = readFileSync(file, "utf8");
  const start = text.indexOf(`{"id":${JSON.stringify(paperId)}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const at = text.indexOf('"abstract":"', start) + 20;
  const letter = text[at] === "x" ? "y" : "x";
  writeFileSync(file, text.slice(0, at) + letter + text.slice(at + 1));
}

describe("papers and chunks read row by row", () => {
  it("open the same papers and chunks as reading the files whole", async () => {
    const index = await loadIndex(template);
    const storage = await openStorage(template);
    expect(existsSync(path.join(versionOf(template), "lookup.json"))).toBe(true);
    expect([...index.papers.values()]).toEqual(await storage.readPapers());
    expect(JSON.parse(JSON.stringify(index.chunks))).toEqual(await storage.readChunks());
    // chunks.jsonl no longer repeats the abstracts: it is a fraction of papers.jsonl.
    const size = (file: string) => readFileSync(path.join(versionOf(template), file)).length;
    expect(size("chunks.jsonl")).toBeLessThan(size("papers.jsonl") / 3);
    await index.close();
  });

  it("a same-length change in a row a query reads: one line naming papers.jsonl and the repair; repair restores it", async () => {
    const dir = copyOfTemplate();
    const clean = search(dir, QUERY);
    expect(clean.code, clean.stderr).toBe(0);
    const expected = JSON.parse(clean.stdout).results.map((r: { id: string }) => r.id);
    damagePaperRow(dir, expected[0]);
    const damaged = search(dir, QUERY);
    expect(damaged.code).toBe(2);
    expect(damaged.stderr.trim().split("\n")).toHaveLength(1);
    expect(damaged.stderr).toMatch(/papers\.jsonl is damaged \(its checksum does not match the one recorded when it was written\); run "citewise repair"/);
    // Every command that reads every paper finds it too.
    const listed = runCli(["--index", dir, "papers", "list"]);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toMatch(/papers\.jsonl is damaged/);
    const repaired = runCli(["--index", dir, "repair", "--json"]);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(repaired.stdout).repaired)).toMatch(/papers\.jsonl/);
    const after = search(dir, QUERY);
    expect(after.stderr).toBe("");
    expect(JSON.parse(after.stdout).results.map((r: { id: string }) => r.id)).toEqual(expected);
  });

  it("a row that is not the paper recorded there, under matching sums: one line naming the line, never a wrong paper", async () => {
    const dir = copyOfTemplate();
    const index = await loadIndex(dir);
    const id = [...index.papers.keys()][2]!;
    const file = path.join(versionOf(dir), "papers.jsonl");
    const rows = readFileSync(file, "utf8").split("\n");
    rows[2] = `{}${" ".repeat(Buffer.byteLength(rows[2]!) - 2)}`;
    writeFileSync(file, rows.join("\n"));
    reseal(dir);
    const reopened = await loadIndex(dir);
    expect(() => reopened.papers.get(id)).toThrow(/papers\.jsonl is damaged \(line 3 is not the paper recorded there\); run "citewise repair"/);
    // Other papers are still read.
    expect(reopened.papers.get([...index.papers.keys()][0]!)?.id).toBe([...index.papers.keys()][0]);
    const listed = runCli(["--index", dir, "papers", "list"]);
    expect(listed.code).toBe(2);
    expect(listed.stderr.trim().split("\n")).toHaveLength(1);
    expect(listed.stderr).toMatch(/papers\.jsonl.*repair/);
  });

  it("a damaged lookup.json: papers and chunks are read whole, with a notice", async () => {
    const dir = copyOfTemplate();
    const expected = JSON.parse(search(dir, QUERY).stdout).results;
    writeFileSync(path.join(versionOf(dir), "lookup.json"), "{}");
    const result = search(dir, QUERY);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/lookup\.json of gen-\d+ is damaged; papers and chunks were read whole instead/);
    expect(JSON.parse(result.stdout).results).toEqual(expected);
  });
});

describe("the acronym table saved with the version", () => {
  it("is the table the chunks give, and a version without it builds the same on first use", async () => {
    const index = await loadIndex(template);
    expect(index.manifest.files?.["acronyms.json"]).toBeDefined();
    const built = buildTable(index.chunks.map((chunk) => chunk.text));
    expect(built.expansions.size).toBeGreaterThan(0);
    expect(index.acronyms).toEqual(built);
    expect(acronymsOf(index)).toBe(index.acronyms);

    const dir = copyOfTemplate();
    rmSync(path.join(versionOf(dir), "acronyms.json"));
    reseal(dir);
    const without = await loadIndex(dir);
    expect(without.acronyms).toBeNull();
    expect(without.notices).toEqual([]);
    expect(acronymsOf(without)).toEqual(built);
  });

  it("a damaged acronyms.json is rebuilt from the chunks, with a notice", async () => {
    const dir = copyOfTemplate();
    writeFileSync(path.join(versionOf(dir), "acronyms.json"), '{"version":1,"pairs":[["llm",["wrong"]]]}');
    const index = await loadIndex(dir);
    expect(index.acronyms).toBeNull();
    expect(index.notices.join("\n")).toMatch(/acronyms\.json of gen-\d+ is damaged; the acronym table is rebuilt from the chunks/);
    expect(acronymsOf(index)).toEqual(buildTable(index.chunks.map((chunk) => chunk.text)));
  });
});

describe("an index of format 2 (chunks carrying their text, no lookup.json or acronyms.json)", () => {
  it("opens with the same papers, chunks and results, without re-ingesting", async () => {
    const dir = copyOfTemplate();
    const current = await loadIndex(dir);
    const chunks = JSON.parse(JSON.stringify(current.chunks));
    const version = versionOf(dir);
    writeFileSync(path.join(version, "chunks.jsonl"), `${chunks.map((chunk: unknown) => JSON.stringify(chunk)).join("\n")}\n`);
    rmSync(path.join(version, "lookup.json"));
    rmSync(path.join(version, "acronyms.json"));
    reseal(dir, (manifest) => {
      manifest.formatVersion = 2;
    });
    const old = await loadIndex(dir);
    expect(old.manifest.formatVersion).toBe(2);
    expect(old.notices).toEqual([]);
    expect(old.acronyms).toBeNull();
    expect(old.chunks).toEqual(chunks);
    expect([...old.papers.values()]).toEqual([...current.papers.values()]);
    const ids = async (index: typeof old) => (await searchPapers(index, null, QUERY, { mode: "bm25" })).map((result) => result.paper.id);
    expect(await ids(old)).toEqual(await ids(current));
    // The next ingest into it writes format 3 and keeps every paper.
    await buildSmallIndex(dir, [FILES.plain, FILES.plainChinese]);
    const upgraded = await loadIndex(dir);
    expect(upgraded.manifest.formatVersion).toBe(3);
    expect(upgraded.manifest.files?.["lookup.json"]).toBeDefined();
    for (const id of current.papers.keys()) expect(upgraded.papers.has(id)).toBe(true);
  });
});
