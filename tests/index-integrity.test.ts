import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sameSum, sumOf } from "../src/index/files.js";
import { loadIndex } from "../src/index/snapshot.js";
import { FILES, ROOT, runCli, runCliAsync, tempDir } from "./helpers.js";
import { withFault } from "./support/fault-log.js";
import { buildSmallIndex, changedFiles, folderFingerprint, lostPapers, paperIdsOf } from "./support/small-index.js";

/**
 * The index is never deleted or silently wrong: damaged pointers and manifests fall back or stop with a
 * repair that works, folders with other files are never built into, silent damage is found by checksums
 * and repaired from redundant copies, readers pin one version and never write, and a failed publish
 * leaves nothing behind.
 */
const CLI = path.join(ROOT, "bin", "citewise.js");
const isRoot = process.getuid?.() === 0;
const pointerOf = (dir: string) => readFileSync(path.join(dir, "CURRENT"), "utf8").split("\n")[0]!;
const generations = (dir: string) =>
  readdirSync(dir)
    .filter((name) => /^gen-\d+$/.test(name))
    .sort();

/** A two-version index: data/000 then data/000 + data/001 (so a fallback version exists). */
let template: string;
let templatePapers: Set<string>;
beforeAll(async () => {
  template = path.join(tempDir("citewise-integrity-"), "index");
  await buildSmallIndex(template, [FILES.plainChinese]);
  await buildSmallIndex(template, [FILES.plainChinese, FILES.plain]);
  templatePapers = await paperIdsOf(template);
  expect(templatePapers.size).toBe(21);
  expect(generations(template)).toHaveLength(2);
});
const copyOfTemplate = () => {
  const dir = path.join(tempDir("citewise-integrity-"), "index");
  cpSync(template, dir, { recursive: true });
  return dir;
};
const search = (dir: string, query = "object recognition", extra: string[] = []) => runCli(["--index", dir, "search", query, "--json", ...extra]);

describe("a damaged pointer or manifest never makes citewise rebuild over the user's papers", () => {
  for (const [fault, damage] of [
    ["empty CURRENT", (dir: string) => writeFileSync(path.join(dir, "CURRENT"), "")],
    ["CURRENT naming a version that does not exist", (dir: string) => writeFileSync(path.join(dir, "CURRENT"), "gen-000099\n")],
    ["CURRENT holding garbage", (dir: string) => writeFileSync(path.join(dir, "CURRENT"), "\u0000\u0001garbage")],
    ["a current manifest of null", (dir: string) => writeFileSync(path.join(dir, pointerOf(dir), "manifest.json"), "null")],
  ] as const) {
    it(`${fault}: the newest intact version is read with a notice; nothing is deleted; repair fixes the pointer`, async () => {
      const dir = copyOfTemplate();
      const before = generations(dir);
      damage(dir);
      await withFault(
        { category: "index", fault, count: 1, outcome: "fell back to the newest intact version with a notice; repair published a new version" },
        async () => {
          const result = search(dir);
          expect(result.code, result.stderr).toBe(0);
          expect(result.stderr).toMatch(/citewise: note: .*reading the newest intact version instead: gen-\d+/);
          expect(result.stderr).not.toMatch(/building one from the bundled sample/);
          expect(generations(dir)).toEqual(before);
          const repaired = runCli(["--index", dir, "repair"]);
          expect(repaired.code, repaired.stderr).toBe(0);
          expect(repaired.stdout).toMatch(/^Repaired the index/);
          const clean = search(dir);
          expect(clean.stderr).toBe("");
          // Repair publishes the newest papers it can read (a version with a damaged manifest still has its records).
          const after = await paperIdsOf(dir);
          expect(lostPapers(templatePapers, after)).toBe(0);
          return { dataLost: lostPapers(templatePapers, after) };
        },
      );
    });
  }

  it("an only version with a null manifest: one-line error naming the repair, which recovers every paper", async () => {
    const dir = path.join(tempDir(), "index");
    await buildSmallIndex(dir, [FILES.plain]);
    const before = await paperIdsOf(dir);
    writeFileSync(path.join(dir, pointerOf(dir), "manifest.json"), "null");
    await withFault(
      {
        category: "index",
        fault: "the only version's manifest is null",
        count: 1,
        outcome: "exit 2 naming citewise repair; repair recovered all papers from records.jsonl",
      },
      async () => {
        const result = search(dir);
        expect(result.code).toBe(2);
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
        expect(result.stderr).toMatch(/no other version in it is intact; run "citewise --index .* repair" to recover its papers/);
        expect(generations(dir)).toHaveLength(1);
        const repaired = runCli(["--index", dir, "repair"]);
        expect(repaired.code, repaired.stderr).toBe(0);
        const after = await paperIdsOf(dir);
        expect(lostPapers(before, after)).toBe(0);
        expect(search(dir).code).toBe(0);
        return { dataLost: lostPapers(before, after) };
      },
    );
  });
  it("a papers.jsonl row without the paper fields, under a matching checksum: a one-line error, and repair recovers from the records", async () => {
    const dir = path.join(tempDir(), "index");
    await buildSmallIndex(dir, [FILES.plain]);
    const before = await paperIdsOf(dir);
    const version = path.join(dir, pointerOf(dir));
    // Rewrite one row as {} and record the new sums, as if citewise had written it.
    const papersFile = path.join(version, "papers.jsonl");
    const rows = readFileSync(papersFile, "utf8").trimEnd().split("\n");
    rows[2] = "{}";
    writeFileSync(papersFile, `${rows.join("\n")}\n`);
    const manifestFile = path.join(version, "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
    manifest.files["papers.jsonl"] = sumOf(readFileSync(papersFile));
    writeFileSync(manifestFile, JSON.stringify(manifest));
    writeFileSync(path.join(dir, "CURRENT"), `${pointerOf(dir)}\nmanifest sha256 ${sumOf(readFileSync(manifestFile)).sha256}\n`);
    await withFault(
      { category: "index", fault: "a {} row in papers.jsonl with matching sums", count: 1, outcome: "exit 2 naming repair; repair recovered every paper" },
      async () => {
        const listed = runCli(["--index", dir, "papers", "list"]);
        expect(listed.code, listed.stderr).toBe(2);
        expect(listed.stderr.trim().split("\n")).toHaveLength(1);
        expect(listed.stderr).toMatch(/papers\.jsonl.*repair/);
        const repaired = runCli(["--index", dir, "repair"]);
        expect(repaired.code, repaired.stderr).toBe(0);
        const lost = lostPapers(before, await paperIdsOf(dir));
        expect(lost).toBe(0);
        return { dataLost: lost };
      },
    );
  });

  it("records lost and a papers.jsonl line without the paper fields: repair and ingest --rebuild recover the real papers", async () => {
    const dir = path.join(tempDir(), "index");
    await buildSmallIndex(dir, [FILES.plain]);
    const before = await paperIdsOf(dir);
    const version = path.join(dir, pointerOf(dir));
    rmSync(path.join(dir, "CURRENT"));
    rmSync(path.join(version, "records.jsonl"));
    writeFileSync(path.join(version, "papers.jsonl"), `${readFileSync(path.join(version, "papers.jsonl"), "utf8")}{"id":"zz","title":"x","abstract":"y"}\n`);
    await withFault(
      {
        category: "index",
        fault: "records.jsonl lost, a papers.jsonl row without sources",
        count: 2,
        outcome: "repair and ingest --rebuild recover every paper",
      },
      async () => {
        const copy = path.join(tempDir(), "index");
        cpSync(dir, copy, { recursive: true });
        const repaired = runCli(["--index", dir, "repair"]);
        expect(repaired.code, repaired.stderr).toBe(0);
        const rebuilt = runCli(["--index", copy, "ingest", "--rebuild", path.join(ROOT, FILES.plain)]);
        expect(rebuilt.code, rebuilt.stderr).toBe(0);
        const lost = lostPapers(before, await paperIdsOf(dir)) + lostPapers(before, await paperIdsOf(copy));
        expect(lost).toBe(0);
        expect(await paperIdsOf(dir)).not.toContain("zz");
        return { dataLost: lost };
      },
    );
  });
});

describe("the index folder: built only when new, never into other files", () => {
  it("builds from the bundled sample only into a folder that does not exist or is empty", async () => {
    await withFault(
      {
        category: "index",
        fault: '--index: folder with the user\'s files; --index ""; --index naming a file',
        count: 3,
        outcome: "one-line error, exit 2, nothing written",
      },
      async () => {
        const dir = tempDir();
        writeFileSync(path.join(dir, "notes.txt"), "mine\n");
        mkdirSync(path.join(dir, "segments"));
        writeFileSync(path.join(dir, "segments", "intro.txt"), "mine too\n");
        const before = folderFingerprint(dir);
        const foreign = search(dir);
        expect(foreign.code).toBe(2);
        expect(foreign.stderr).toMatch(/is not a citewise index: it holds other files \(notes\.txt\); pass --index with an empty or new folder/);
        expect(runCli(["--index", dir, "ingest", FILES.plain]).code).toBe(2);
        expect(folderFingerprint(dir)).toEqual(before);

        const empty = runCli(["--index", "", "search", "x"], { cwd: dir });
        expect(empty.code).toBe(2);
        expect(empty.stderr).toMatch(/--index is empty/);
        expect(folderFingerprint(dir)).toEqual(before);

        const file = path.join(dir, "notes.txt");
        const asFile = search(file);
        expect(asFile.code).toBe(2);
        expect(asFile.stderr).toMatch(/is a file, not a folder/);
        expect(readFileSync(file, "utf8")).toBe("mine\n");
        return { dataLost: folderFingerprint(dir).length === before.length ? 0 : 1 };
      },
    );
  });

  it("files of the user inside an index (segments/intro.txt, gen-…/notes.txt) survive every ingest and clean-up", async () => {
    const dir = copyOfTemplate();
    const mine = [
      path.join(dir, "segments", "intro.txt"),
      path.join(dir, generations(dir)[0]!, "notes.txt"),
      path.join(dir, "gen-000007", "notes.txt"),
      path.join(dir, "README.md"),
    ];
    for (const file of mine) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `kept ${file}\n`);
    }
    await withFault(
      {
        category: "index",
        fault: "user files inside the index folder, its segments/ and its generations",
        count: mine.length,
        outcome: "every user file kept through 3 ingests (versions retired, segments removed)",
      },
      async () => {
        for (const files of [[FILES.plain], [FILES.plainChinese], [FILES.plain, FILES.plainChinese]]) {
          const result = runCli(["--index", dir, "ingest", ...files, "--json"]);
          expect(result.code, result.stderr).toBe(0);
        }
        const lost = mine.filter((file) => !existsSync(file) || readFileSync(file, "utf8") !== `kept ${file}\n`);
        expect(lost).toEqual([]);
        expect(search(dir).code).toBe(0);
        return { dataLost: lost.length };
      },
    );
  });
});

describe("silent damage is detected and repaired from redundant copies", () => {
  const cases: Array<{ fault: string; damage: (dir: string) => void; read: "notice" | "error"; pattern: RegExp }> = [
    {
      fault: "flipped bytes in keyword.bin",
      damage: (dir) => flip(path.join(dir, pointerOf(dir), "keyword.bin"), 200),
      read: "notice",
      pattern: /keyword\.bin of gen-\d+ is damaged; the keyword index was rebuilt in memory from the chunks/,
    },
    {
      fault: "same-length overwrite of vectors.f32",
      damage: (dir) => {
        const file = segmentFile(dir, "vectors.f32");
        writeFileSync(file, Buffer.alloc(statSync(file).size, 0x3f));
      },
      read: "notice",
      // Dense search runs on the int8 copy, dequantised: the same papers, approximate scores.
      pattern: /vectors\.f32 of segment seg-\S+ is damaged or missing; its vectors were dequantised from vectors\.i8 \(dense scores are approximate/,
    },
    {
      fault: "flipped bytes in vectors.i8",
      damage: (dir) => flip(segmentFile(dir, "vectors.i8"), 5000),
      read: "notice",
      pattern: /vectors\.i8 of segment seg-\S+ is damaged or missing; it was rebuilt in memory from vectors\.f32/,
    },
    {
      fault: "rows.json rotated by one",
      damage: (dir) => {
        const file = segmentFile(dir, "rows.json");
        const rows = JSON.parse(readFileSync(file, "utf8")) as unknown[];
        writeFileSync(file, JSON.stringify([...rows.slice(1), rows[0]]));
      },
      read: "notice",
      pattern: /rows\.json of segment seg-\S+ is damaged; its rows were read from the copy in segment\.json/,
    },
    {
      fault: "papers.jsonl missing lines",
      damage: (dir) => {
        const file = path.join(dir, pointerOf(dir), "papers.jsonl");
        writeFileSync(file, readFileSync(file, "utf8").split("\n").slice(3).join("\n"));
      },
      read: "error",
      pattern: /papers\.jsonl is damaged \(its checksum does not match the one recorded when it was written\); run "citewise repair"/,
    },
  ];
  for (const { fault, damage, read, pattern } of cases) {
    it(`${fault}: ${read === "notice" ? "the same results, with a notice" : "a one-line error"}; repair restores a clean index`, async () => {
      const dir = copyOfTemplate();
      const expected = JSON.parse(search(dir, "object recognition", ["--mode", "dense"]).stdout).results.map((r: { id: string }) => r.id);
      damage(dir);
      await withFault(
        {
          category: "index",
          fault,
          count: 1,
          outcome:
            read === "notice"
              ? "detected by checksum, worked around in memory with a notice; repair rewrote it"
              : "detected by checksum, exit 2; repair re-derived the file",
        },
        async () => {
          const result = search(dir, "object recognition", ["--mode", "dense"]);
          if (read === "notice") {
            expect(result.code, result.stderr).toBe(0);
            expect(result.stderr).toMatch(pattern);
            expect(JSON.parse(result.stdout).results.map((r: { id: string }) => r.id)).toEqual(expected);
          } else {
            expect(result.code).toBe(2);
            expect(result.stderr.trim().split("\n")).toHaveLength(1);
            expect(result.stderr).toMatch(pattern);
          }
          const repaired = runCli(["--index", dir, "repair", "--json"]);
          expect(repaired.code, repaired.stderr).toBe(0);
          expect(JSON.parse(repaired.stdout).repaired.length).toBeGreaterThan(0);
          const clean = search(dir, "object recognition", ["--mode", "dense"]);
          expect(clean.stderr).toBe("");
          expect(JSON.parse(clean.stdout).results.map((r: { id: string }) => r.id)).toEqual(expected);
          const after = await paperIdsOf(dir);
          expect(runCli(["--index", dir, "repair"]).stdout).toMatch(/^Intact: every file of the index/);
          return { dataLost: lostPapers(templatePapers, after) };
        },
      );
    });
  }

  it("ingest --rebuild works after a segment folder was deleted; a deleted segment.json is repaired, not kept", async () => {
    const dir = copyOfTemplate();
    const segments = readdirSync(path.join(dir, "segments"));
    await withFault(
      {
        category: "index",
        fault: "segment folder deleted, then ingest --rebuild; segment.json deleted, then ingest",
        count: 2,
        outcome: "--rebuild re-embedded from stored records; the broken segment was replaced",
      },
      async () => {
        rmSync(path.join(dir, "segments", segments[0]!), { recursive: true });
        const broken = search(dir);
        expect(broken.code).toBe(2);
        expect(broken.stderr).toMatch(/vector segment seg-\S+ is missing/);
        const rebuilt = runCli(["--index", dir, "ingest", "--rebuild", "--json"]);
        expect(rebuilt.code, rebuilt.stderr).toBe(0);
        expect(JSON.parse(rebuilt.stdout).papers).toBe(21);
        expect(search(dir).code).toBe(0);

        const current = JSON.parse(readFileSync(path.join(dir, pointerOf(dir), "vectors.json"), "utf8")).segments.map((s: { name: string }) => s.name);
        rmSync(path.join(dir, "segments", current[0], "segment.json"));
        const ingested = runCli(["--index", dir, "ingest", FILES.plain, "--json"]);
        expect(ingested.code, ingested.stderr).toBe(0);
        expect(JSON.parse(ingested.stdout).repairs.join("\n")).toMatch(/segment\.json of seg-\S+ is missing or damaged/);
        const now = JSON.parse(readFileSync(path.join(dir, pointerOf(dir), "vectors.json"), "utf8")).segments.map((s: { name: string }) => s.name);
        expect(now).not.toContain(current[0]);
        const clean = search(dir);
        expect(clean.code).toBe(0);
        expect(clean.stderr).toBe("");
        return { dataLost: lostPapers(templatePapers, await paperIdsOf(dir)) };
      },
    );
  });
});

describe("readers", () => {
  it("pin one version while other processes re-ingest: no load mixes chunks of one version with papers of another", async () => {
    const dir = path.join(tempDir(), "index");
    const work = tempDir();
    const file = path.join(work, "papers.jsonl");
    const corpus = await loadIndex(inject("corpusIndex"));
    const pool = [...corpus.papers.values()].filter((paper) => paper.title && paper.language === "en").slice(0, 12);
    const write = (papers: typeof pool) =>
      writeFileSync(file, `${papers.map((paper) => JSON.stringify({ title: paper.title, abstract: paper.abstract })).join("\n")}\n`);
    write(pool.slice(0, 6));
    expect(runCli(["--index", dir, "ingest", file]).code).toBe(0);
    await withFault(
      {
        category: "index",
        fault: "loads in a loop while 6 re-ingests alternate between two paper sets",
        count: 6,
        outcome: "every load consistent (papers, chunks, vectors of one version)",
      },
      async () => {
        let loads = 0;
        let mixed = 0;
        let running = true;
        const reader = (async () => {
          while (running) {
            try {
              const index = await loadIndex(dir);
              loads++;
              const consistent =
                index.papers.size === index.manifest.counts.papers &&
                index.chunks.length === index.manifest.counts.chunks &&
                index.vectors.size === index.chunks.length &&
                index.chunks.every((chunk) => index.papers.has(chunk.paperId));
              if (!consistent) mixed++;
            } catch (error) {
              throw new Error(`a load failed while re-ingests ran: ${(error as Error).message}`);
            }
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
        for (let round = 0; round < 6; round++) {
          write(round % 2 === 0 ? pool.slice(4, 12) : pool.slice(0, 6));
          const result = await runCliAsync(["--index", dir, "ingest", file, "--json"]);
          expect(result.code, result.stderr).toBe(0);
        }
        running = false;
        await reader;
        expect(loads).toBeGreaterThan(20);
        expect(mixed).toBe(0);
        return { dataLost: mixed };
      },
    );
  });

  it("a FIFO in place of CURRENT or of a version's papers.jsonl: no hang; the newest intact version, or one line naming the file", async () => {
    const dir = copyOfTemplate();
    rmSync(path.join(dir, "CURRENT"));
    spawnSync("mkfifo", [path.join(dir, "CURRENT")]);
    const other = copyOfTemplate();
    const papers = path.join(other, pointerOf(other), "papers.jsonl");
    rmSync(papers);
    spawnSync("mkfifo", [papers]);
    await withFault(
      { category: "index", fault: "a FIFO as CURRENT and as papers.jsonl", count: 2, outcome: "no hang: fallback with a notice, or exit 2 naming the file" },
      async () => {
        const pointer = search(dir);
        expect(pointer.code, pointer.stderr).toBe(0);
        expect(pointer.stderr).toMatch(/reading the newest intact version instead/);
        const file = search(other);
        expect(file.code).toBe(2);
        expect(file.stderr.trim().split("\n")).toHaveLength(1);
        expect(file.stderr).toMatch(/papers\.jsonl \(not a regular file/);
        return { dataLost: lostPapers(templatePapers, await paperIdsOf(dir)) };
      },
    );
  });

  it.skipIf(!isRoot)("files this user may not read are reported as permission denied, not as damage to repair", async () => {
    const parent = tempDir();
    chmodSync(parent, 0o755);
    const dir = path.join(parent, "index");
    cpSync(template, dir, { recursive: true });
    // Folders may be listed; the files are the owner's alone.
    spawnSync("chmod", ["-R", "a+rX", dir]);
    spawnSync("find", [dir, "-type", "f", "-exec", "chmod", "go-rw", "{}", "+"]);
    await withFault(
      { category: "errors", fault: "index files readable only by their owner", count: 1, outcome: "exit 2, permission denied (EACCES), no repair advice" },
      async () => {
        const result = searchAsNobody(dir, parent);
        expect(result.status, result.stderr).toBe(2);
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
        expect(result.stderr).toMatch(/cannot read .*CURRENT: permission denied \(EACCES\); ask the index's owner for read access/);
        expect(result.stderr).not.toMatch(/repair|damaged/);
      },
    );
  });

  it.skipIf(!isRoot)("never write into the index: a user who may only read it gets answers, even from a damaged copy", async () => {
    const parent = tempDir();
    chmodSync(parent, 0o755);
    const dir = path.join(parent, "index");
    cpSync(template, dir, { recursive: true });
    writeFileSync(segmentFile(dir, "vectors.f32"), Buffer.alloc(statSync(segmentFile(dir, "vectors.f32")).size));
    spawnSync("chmod", ["-R", "a+rX,go-w", dir]);
    const before = folderFingerprint(dir);
    await withFault(
      {
        category: "index",
        fault: "search by a user without write access (uid 65534) on an index with a damaged vectors.f32",
        count: 1,
        outcome: "answered from the int8 copy with a notice; not one file written",
      },
      async () => {
        const result = searchAsNobody(dir, parent, ["--json"]);
        expect(result.status, result.stderr).toBe(0);
        expect(result.stderr).toMatch(/vectors\.f32 of segment .* damaged/);
        expect(result.stderr).not.toMatch(/EACCES|unexpected/);
        expect(JSON.parse(result.stdout).results.length).toBeGreaterThan(0);
        expect(folderFingerprint(dir)).toEqual(before);
        return { dataLost: changedFiles(before, folderFingerprint(dir)) };
      },
    );
  });
});

describe("a failed publish (disk full) leaves nothing behind, so freeing space is enough to retry", () => {
  it("ENOSPC while writing the new version (injected): exit 2, one line, the index exactly as before; the retry succeeds", async () => {
    // How many bytes a successful publish writes (new version + new segment files), measured on another copy.
    const probe = copyOfTemplate();
    const sizeOf = (rows: string[]) => rows.reduce((sum, row) => sum + Number(row.split(" ")[1]), 0);
    const beforeProbe = folderFingerprint(probe);
    expect(runCli(["--index", probe, "ingest", FILES.listingB]).code).toBe(0);
    // ingest-inputs.json is written after the publish (a full disk there loses only the unchanged-inputs shortcut), so it is not counted.
    const total = sizeOf(
      folderFingerprint(probe).filter((row) => !beforeProbe.includes(row) && !/(^|\/)index\.json /.test(row) && !/(^|\/)ingest-inputs\.json /.test(row)),
    );
    const dir = copyOfTemplate();
    const before = folderFingerprint(dir);
    await withFault(
      {
        category: "index",
        fault: "ENOSPC at 5 points of a publish (CITEWISE_FAIL_WRITES_AFTER)",
        count: 5,
        outcome: "exit 2 'no space left on device'; no partial version or segment left; retry published",
      },
      async () => {
        for (const bytes of [0, 0.3, 0.6, 0.9, 0.995].map((share) => Math.floor(share * total))) {
          const result = runCli(["--index", dir, "ingest", FILES.listingB, "--json"], { env: { CITEWISE_FAIL_WRITES_AFTER: String(bytes) } });
          expect(result.code, `${bytes}: ${result.stderr}`).toBe(2);
          expect(result.stderr.trim().split("\n")).toHaveLength(1);
          expect(result.stderr).toMatch(/no space left on device \(ENOSPC\); nothing was published and the previous version is intact; free some space/);
          // Only the journal of vectors already paid for may stay (it makes the retry cheaper).
          expect(folderFingerprint(dir).filter((row) => !row.startsWith("pending-vectors.jsonl"))).toEqual(before);
        }
        const retry = runCli(["--index", dir, "ingest", FILES.listingB, "--json"]);
        expect(retry.code, retry.stderr).toBe(0);
        expect(JSON.parse(retry.stdout).chunksEmbedded).toBe(0); // every vector came from the journal
        return { dataLost: lostPapers(templatePapers, await paperIdsOf(dir)) };
      },
    );
  });

  const tmpfs = path.join(tempDir(), "small-disk");
  let mounted = false;
  beforeAll(() => {
    if (!isRoot) return;
    mkdirSync(tmpfs, { recursive: true });
    mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", tmpfs]).status === 0;
  });
  afterAll(() => {
    if (mounted) spawnSync("umount", [tmpfs]);
  });

  // 100 kB left fails the journal or a version file; 40 kB fails while a segment is written.
  it.skipIf(!isRoot).each([100_000, 40_000])(
    "a real full disk (a 24 MB tmpfs, %i bytes left): the failed ingest cleans up after itself, and works once space is freed",
    async (left) => {
      if (!mounted) return console.warn("mounting a tmpfs is not permitted here; real-disk case skipped");
      const dir = path.join(tmpfs, `index-${left}`);
      cpSync(template, dir, { recursive: true });
      const before = folderFingerprint(dir);
      const used = () => Number(spawnSync("df", ["-B1", "--output=avail", tmpfs], { encoding: "utf8" }).stdout.trim().split("\n")[1]);
      const filler = path.join(tmpfs, "filler.bin");
      writeFileSync(filler, Buffer.alloc(Math.max(0, used() - left)));
      await withFault(
        {
          category: "index",
          fault: `ingest on a real full disk (tmpfs, ${left} bytes left)`,
          count: 1,
          outcome: "exit 2 ENOSPC; folder as before; retry after freeing space published",
        },
        async () => {
          const result = runCli(["--index", dir, "ingest", FILES.listingA, "--json"]);
          expect(result.code, result.stderr).toBe(2);
          expect(result.stderr).toMatch(/no space left on device \(ENOSPC\)/);
          expect(folderFingerprint(dir).filter((row) => !row.startsWith("pending-vectors.jsonl"))).toEqual(before);
          rmSync(filler);
          const retry = runCli(["--index", dir, "ingest", FILES.listingA, "--json"]);
          expect(retry.code, retry.stderr).toBe(0);
          const after = await paperIdsOf(dir);
          expect(after.size).toBeGreaterThan(templatePapers.size);
          return { dataLost: lostPapers(templatePapers, after) };
        },
      );
    },
  );
});

function flip(file: string, offset: number): void {
  const bytes = readFileSync(file);
  bytes[offset] = bytes[offset]! ^ 0xff;
  writeFileSync(file, bytes);
}

/** A file of the first segment the current version uses. */
function segmentFile(dir: string, name: string): string {
  const list = JSON.parse(readFileSync(path.join(dir, pointerOf(dir), "vectors.json"), "utf8")) as { segments: { name: string }[] };
  return path.join(dir, "segments", list.segments[0]!.name, name);
}

/** `search` run as uid/gid 65534 (a user who may only read what others may), from `cwd`. */
function searchAsNobody(dir: string, cwd: string, extra: string[] = []) {
  return spawnSync(process.execPath, [CLI, "--index", dir, "search", "object recognition", ...extra], {
    uid: 65534,
    gid: 65534,
    cwd,
    env: { ...process.env, HOME: cwd, NO_COLOR: "1", OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined },
    encoding: "utf8",
    timeout: 120_000,
  });
}

describe("file sums: loads check a CRC-32 (fast), older sums without one are checked by SHA-256", () => {
  it("a version records both for every file; one changed byte fails either check, an intact file passes both", () => {
    const dir = copyOfTemplate();
    const manifest = JSON.parse(readFileSync(path.join(dir, pointerOf(dir), "manifest.json"), "utf8")) as {
      files: Record<string, { bytes: number; sha256: string; crc32?: number }>;
    };
    const segments = readdirSync(path.join(dir, "segments"));
    const vectors = readFileSync(path.join(dir, "segments", segments[0]!, "vectors.f32"));
    const segmentSum = (
      JSON.parse(readFileSync(path.join(dir, "segments", segments[0]!, "segment.json"), "utf8")) as { files: Record<string, { crc32?: number }> }
    ).files["vectors.f32"];
    expect(typeof segmentSum?.crc32).toBe("number");
    const papers = readFileSync(path.join(dir, pointerOf(dir), "papers.jsonl"));
    const keyword = readFileSync(path.join(dir, pointerOf(dir), "keyword.bin"));
    for (const [bytes, sum] of [
      [keyword, manifest.files["keyword.bin"]!],
      [vectors, sumOf(vectors)],
      [papers, manifest.files["papers.jsonl"]!],
    ] as const) {
      const { crc32: _crc, ...withoutCrc } = sum;
      expect(sameSum(bytes, sum)).toBe(true);
      expect(sameSum(bytes, withoutCrc)).toBe(true);
      const changed = Buffer.from(bytes);
      const at = Math.floor(changed.length / 2);
      changed.writeUInt8(changed.readUInt8(at) ^ 0x10, at);
      expect(sameSum(changed, sum)).toBe(false);
      expect(sameSum(changed, withoutCrc)).toBe(false);
    }
    expect(typeof manifest.files["keyword.bin"]!.crc32).toBe("number");
  });
});
