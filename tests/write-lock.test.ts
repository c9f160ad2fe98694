import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { FILES, ROOT, runCli, tempDir } from "./helpers.js";
import { withFault } from "./support/fault-log.js";
import { buildSmallIndex, changedFiles, folderFingerprint, lostPapers, paperIdsOf } from "./support/small-index.js";

/** The write lock excludes: acquisition is atomic with its content, release removes only one's own lock, signals release it. */
const CLI = path.join(ROOT, "bin", "citewise.js");
const isRoot = process.getuid?.() === 0;

/** A process that takes and releases the lock in a loop, checking while it holds it that nobody else took it. */
const HAMMER = `
import { acquireWriteLock } from ${JSON.stringify(pathToFileURL(path.join(ROOT, "dist", "index", "local", "write-lock.js")).href)};
import { readFileSync } from "node:fs";
const [dir, rounds] = [process.argv[2], Number(process.argv[3])];
let held = 0, refused = 0, stolen = 0;
for (let i = 0; i < rounds; i++) {
  let lock;
  try { lock = acquireWriteLock(dir); } catch (error) { if (/another citewise|taking the lock|keep taking/.test(error.message)) { refused++; continue; } throw error; }
  held++;
  const until = Date.now() + 2;
  while (Date.now() < until) if (!lock.stillHeld()) { stolen++; break; }
  lock.release();
}
process.stdout.write(JSON.stringify({ held, refused, stolen }));
`;

describe("the write lock", () => {
  it("two processes taking it in a loop never hold it at the same time, and never remove each other's lock", async () => {
    const dir = tempDir();
    const script = path.join(dir, "hammer.mjs");
    writeFileSync(script, HAMMER);
    const run = () =>
      new Promise<{ held: number; refused: number; stolen: number }>((resolve, reject) => {
        const child = spawn(process.execPath, [script, dir, "1500"]);
        let out = "";
        let err = "";
        child.stdout.on("data", (chunk) => (out += chunk));
        child.stderr.on("data", (chunk) => (err += chunk));
        child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
      });
    await withFault(
      {
        category: "lock",
        fault: "two processes acquiring and releasing the lock 1,500 times each",
        count: 3000,
        outcome: "no acquisition lost its lock to the other process",
      },
      async () => {
        const [a, b] = await Promise.all([run(), run()]);
        expect(a.held + a.refused).toBe(1500);
        expect(a.held).toBeGreaterThan(0);
        expect(b.held).toBeGreaterThan(0);
        expect(a.refused + b.refused).toBeGreaterThan(0); // they really competed
        expect(a.stolen + b.stolen).toBe(0);
        expect(existsSync(path.join(dir, "LOCK"))).toBe(false);
      },
    );
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} during an ingest releases the lock, so the next ingest starts at once`, async () => {
      const indexDir = path.join(tempDir(), "index");
      await buildSmallIndex(indexDir, [FILES.plain]);
      const before = await paperIdsOf(indexDir);
      await withFault(
        { category: "lock", fault: `${signal} while an ingest embeds`, count: 1, outcome: "lock released on the signal; next ingest ran without a takeover" },
        async () => {
          const child = spawn(process.execPath, [CLI, "--index", indexDir, "ingest", FILES.listingA, "--json"], {
            cwd: ROOT,
            env: { ...process.env, OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined },
          });
          const journal = path.join(indexDir, "pending-vectors.jsonl");
          const started = Date.now();
          while (!existsSync(journal) && Date.now() - started < 120_000) await new Promise((resolve) => setTimeout(resolve, 50));
          expect(existsSync(path.join(indexDir, "LOCK"))).toBe(true);
          child.kill(signal);
          const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
            child.on("close", (code, sig) => resolve({ code, signal: sig })),
          );
          expect(exit.signal).toBe(signal);
          expect(existsSync(path.join(indexDir, "LOCK"))).toBe(false);
          const next = runCli(["--index", indexDir, "ingest", FILES.plain]);
          expect(next.code, next.stderr).toBe(0);
          expect(next.stderr).not.toMatch(/taking over the lock/);
          return { dataLost: lostPapers(before, await paperIdsOf(indexDir)) };
        },
      );
    });
  }

  it("a LOCK that is a folder is a one-line error, exit 2, and the folder is left alone", async () => {
    const indexDir = path.join(tempDir(), "index");
    await buildSmallIndex(indexDir, [FILES.plain]);
    mkdirSync(path.join(indexDir, "LOCK"));
    writeFileSync(path.join(indexDir, "LOCK", "mine.txt"), "mine\n");
    await withFault({ category: "lock", fault: "LOCK is a folder", count: 1, outcome: "exit 2 one line; folder untouched" }, async () => {
      const result = runCli(["--index", indexDir, "ingest", FILES.plainChinese]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(/LOCK is a folder, not citewise's lock; remove it/);
      expect(readFileSync(path.join(indexDir, "LOCK", "mine.txt"), "utf8")).toBe("mine\n");
      return { dataLost: Number(readFileSync(path.join(indexDir, "LOCK", "mine.txt"), "utf8") !== "mine\n") };
    });
  });

  it.skipIf(!isRoot)("an index the user may not write: ingest is a one-line error (exit 2), the index unchanged", async () => {
    const parent = tempDir();
    chmodSync(parent, 0o755);
    const indexDir = path.join(parent, "index");
    cpSync(path.join(ROOT, "tests", "fixtures"), path.join(parent, "fixtures"), { recursive: true });
    await buildSmallIndex(indexDir, [FILES.plain]);
    spawnSync("chmod", ["-R", "a+rX,go-w", parent]);
    const before = folderFingerprint(indexDir);
    await withFault(
      {
        category: "lock",
        fault: "ingest by a user without write access to the index (uid 65534)",
        count: 1,
        outcome: "exit 2 'permission denied'; nothing written",
      },
      async () => {
        const result = spawnSync(process.execPath, [CLI, "--index", indexDir, "ingest", path.join(parent, "fixtures", "sample.jsonl")], {
          uid: 65534,
          gid: 65534,
          cwd: parent,
          env: { ...process.env, HOME: parent, NO_COLOR: "1" },
          encoding: "utf8",
          timeout: 120_000,
        });
        expect(result.status, result.stderr).toBe(2);
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
        expect(result.stderr).toMatch(/permission denied \(EACCES\)/);
        expect(folderFingerprint(indexDir)).toEqual(before);
        return { dataLost: changedFiles(before, folderFingerprint(indexDir)) };
      },
    );
  });
});
