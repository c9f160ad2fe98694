import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LOCK_FILE } from "../src/index/local/write-lock.js";
import { segmentsDir } from "../src/index/local/segments.js";
import { loadIndex } from "../src/index/snapshot.js";
import { recordFault } from "./support/fault-log.js";
import { FILES, ROOT, runCli, tempDir } from "./helpers.js";

const CLI = path.join(ROOT, "bin", "citewise.js");

/** Starts `citewise ingest` in the background so the test can kill it or race it. */
function startIngest(indexDir: string, file: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, "--index", indexDir, "ingest", file, "--json"], {
    cwd: ROOT,
    env: { ...process.env, OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const journalLines = (indexDir: string) => {
  const file = path.join(indexDir, "pending-vectors.jsonl");
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;
};

async function paperIds(indexDir: string): Promise<Set<string>> {
  const index = await loadIndex(indexDir);
  expect(index.vectors.size).toBe(index.chunks.length);
  expect(index.keyword.size).toBe(index.chunks.length);
  return new Set(index.papers.keys());
}

function lost(before: Set<string>, after: Set<string>): number {
  return [...before].filter((id) => !after.has(id)).length;
}

function ingestJson(indexDir: string, file: string) {
  const result = runCli(["--index", indexDir, "ingest", file, "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe("an ingest killed with SIGKILL", () => {
  const indexDir = path.join(tempDir(), "index");

  it("leaves the previous index usable, and the re-run resumes from the vectors already embedded", async () => {
    const first = ingestJson(indexDir, FILES.plain);
    const before = await paperIds(indexDir);

    const run = startIngest(indexDir, FILES.listingA);
    await waitFor(() => journalLines(indexDir) >= 64, "64 embedded chunks in the journal");
    run.child.kill("SIGKILL");
    const killed = await run.done;
    expect(killed.signal).toBe("SIGKILL");
    const journaled = journalLines(indexDir);

    // The previous version still answers, through the library and the CLI.
    expect(await paperIds(indexDir)).toEqual(before);
    const search = runCli(["--index", indexDir, "search", "in-context learning", "--json"]);
    expect(search.code, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout).results.length).toBeGreaterThan(0);
    expect(existsSync(path.join(indexDir, LOCK_FILE))).toBe(true); // left behind by the killed process

    const resumed = ingestJson(indexDir, FILES.listingA);
    expect(resumed.vectorsResumed).toBeGreaterThanOrEqual(journaled - 1); // a torn last line may be lost
    // Only the chunks the killed run had not embedded yet are embedded now.
    expect(resumed.chunksEmbedded + resumed.vectorsResumed).toBe(resumed.chunks - first.chunks);
    const after = await paperIds(indexDir);
    expect(after.size).toBe(before.size + 242);
    expect(lost(before, after)).toBe(0);
    expect(existsSync(path.join(indexDir, LOCK_FILE))).toBe(false);
    expect(existsSync(path.join(indexDir, "pending-vectors.jsonl"))).toBe(false);
    recordFault({
      category: "crash",
      fault: "SIGKILL during embedding",
      count: 1,
      outcome: `previous index served; re-run resumed ${resumed.vectorsResumed} vectors`,
      dataLost: lost(before, after),
    });
  });

  const crashes = [
    { point: "after-segments", file: FILES.daily },
    { point: "before-pointer-swap", file: FILES.listingB },
    { point: "after-pointer-swap", file: FILES.plainChinese },
  ] as const;
  for (const { point, file } of crashes) {
    it(`at "${point}" keeps a readable index (old or new, never a mix) and the re-run completes`, async () => {
      const before = await paperIds(indexDir);
      const crashed = await startIngest(indexDir, file, { CITEWISE_CRASH_AT: point }).done;
      expect(crashed.signal).toBe("SIGKILL");

      const during = await paperIds(indexDir);
      if (point === "after-pointer-swap") expect(during.size).toBeGreaterThan(before.size);
      else expect(during).toEqual(before);
      expect(lost(before, during)).toBe(0);

      const rerun = ingestJson(indexDir, file);
      expect(rerun.chunksEmbedded).toBe(0); // everything came from the journal or the published version
      const after = await paperIds(indexDir);
      expect(lost(before, after)).toBe(0);
      // Leftovers of the crash (unpublished generation, unused segments) are cleaned up by the re-run: what
      // remains is the published version and the one it replaced (kept as a fallback), and their segments.
      const current = readFileSync(path.join(indexDir, "CURRENT"), "utf8").split("\n")[0]!;
      const generations = readdirSync(indexDir).filter((name) => name.startsWith("gen-"));
      expect(generations).toContain(current);
      expect(generations.length).toBeLessThanOrEqual(2);
      const used = new Set(
        generations.flatMap((name) =>
          JSON.parse(readFileSync(path.join(indexDir, name, "vectors.json"), "utf8")).segments.map((segment: { name: string }) => segment.name),
        ),
      );
      expect(readdirSync(segmentsDir(indexDir)).sort()).toEqual([...used].sort());
      for (const name of generations) expect(existsSync(path.join(indexDir, name, "manifest.json"))).toBe(true);
      recordFault({
        category: "crash",
        fault: `SIGKILL at ${point}`,
        count: 1,
        outcome: point === "after-pointer-swap" ? "new version served" : "previous version served",
        dataLost: lost(before, after),
      });
    });
  }
});

describe("two ingests at once", () => {
  it("the second fails at once with a clear message; the first completes and nothing is lost", async () => {
    const indexDir = path.join(tempDir(), "index");
    ingestJson(indexDir, FILES.plain);
    const before = await paperIds(indexDir);
    const first = startIngest(indexDir, FILES.daily);
    await waitFor(() => journalLines(indexDir) > 0, "the first ingest to start embedding");
    const second = runCli(["--index", indexDir, "ingest", FILES.listingB]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/another citewise ingest \(pid \d+.*is writing/);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    const finished = await first.done;
    expect(finished.code, finished.stderr).toBe(0);
    const after = await paperIds(indexDir);
    expect(after.size).toBe(before.size + JSON.parse(finished.stdout).added.length);
    expect(lost(before, after)).toBe(0);
    recordFault({
      category: "crash",
      fault: "second ingest while one is running",
      count: 1,
      outcome: "refused with exit 2 naming the lock owner",
      dataLost: lost(before, after),
    });
  });
});
