import { spawn, spawnSync } from "node:child_process";
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

type CliOptions = { cwd?: string; env?: Record<string, string | undefined>; input?: string };

const cliEnv = (options: CliOptions) => ({ ...process.env, OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, NO_COLOR: "1", ...options.env });
const CLI = path.join(ROOT, "bin", "citewise.js");

/** Runs the built CLI (dist/) as a user would, without a TTY. */
export function runCli(args: string[], options: CliOptions = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cliEnv(options),
    input: options.input,
    encoding: "utf8",
    timeout: 240_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Same, without blocking this process: needed when the test itself serves HTTP to the CLI. */
export function runCliAsync(args: string[], options: CliOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: cliEnv(options) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}
