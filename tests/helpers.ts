import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const DATA = path.join(ROOT, "data");
export const FILES = {
  plainChinese: "data/000_76b6c8d37477a31e.txt",
  plain: "data/001_f5c258d6cc97556b.txt",
  listingA: "data/002_8a505376c0e6a202.txt",
  listingB: "data/003_872e44fbd618f8b3.txt",
  daily: "data/004_63256046ef4bc1a5.txt",
};

export function tempDir(prefix = "citewise-test-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs the built CLI (dist/) as a user would, without a TTY. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {}) {
  const result = spawnSync(process.execPath, [path.join(ROOT, "bin", "citewise.js"), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, NO_COLOR: "1", ...options.env },
    input: options.input,
    encoding: "utf8",
    timeout: 240_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
