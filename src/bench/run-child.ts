import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { currentRss } from "./measure.js";

export interface ChildOutcome {
  /**
   * ok: finished; partial: killed or failed after its main figures (insert, latency, peak RSS) were recorded,
   * i.e. during citewise's extra phases; failed: exited with an error; skipped: killed at the time limit.
   */
  status: "ok" | "partial" | "failed" | "skipped";
  reason?: string;
  wallSeconds: number;
  /** 1-minute load average just before the run: other work on the machine skews the timings. */
  loadBefore: number;
  /** Highest RSS the driver saw while polling the child every 200 ms (a cross-check, and the only figure for a killed child). */
  observedPeakRssMiB: number;
  /** Whatever the worker had recorded (also for killed or failed runs). */
  result: Record<string, unknown>;
}

const WORKER = fileURLToPath(new URL(`./worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url));

/** Runs src/bench/worker in a fresh Node process (same loader flags, so it also works under tsx) with a time limit. */
export function runWorker(args: string[], resultFile: string, timeoutMs: number, heapMiB: number): Promise<ChildOutcome> {
  const started = performance.now();
  const loadBefore = os.loadavg()[0]!;
  const child = spawn(process.execPath, [...process.execArgv, "--expose-gc", `--max-old-space-size=${heapMiB}`, WORKER, ...args, "--result", resultFile], {
    stdio: ["ignore", "inherit", "pipe"],
  });
  let observed = 0;
  const poll = setInterval(() => (observed = Math.max(observed, currentRss(child.pid!) ?? 0)), 200);
  let stderrTail = "";
  child.stderr.on("data", (data: Buffer) => {
    process.stderr.write(data);
    stderrTail = (stderrTail + data.toString()).slice(-4000);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);

  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      const wallSeconds = (performance.now() - started) / 1000;
      const result = existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, "utf8")) as Record<string, unknown>) : {};
      const base = { wallSeconds, loadBefore, observedPeakRssMiB: observed, result };
      // The worker records peak RSS once insert and the timed searches are done; what follows is extra.
      const mainDone = result.memory !== undefined;
      if (timedOut) {
        const phase = lastPhase(stderrTail);
        resolve({
          ...base,
          status: mainDone ? "partial" : "skipped",
          reason: `exceeded the ${+(timeoutMs / 60000).toFixed(2)} min limit per run${phase ? ` (during: ${phase})` : ""}; RSS had reached ${observed.toFixed(0)} MiB`,
        });
      } else if (code === 0 && result.status === "ok") {
        resolve({ ...base, status: "ok" });
      } else {
        const oom = /heap out of memory|Allocation failed/i.test(stderrTail);
        const reason = oom
          ? `ran out of memory (heap limit ${heapMiB} MiB, RSS ${observed.toFixed(0)} MiB)`
          : String(result.error ?? lastLines(stderrTail) ?? `exit ${code ?? signal}`);
        resolve({ ...base, status: mainDone && !oom ? "partial" : "failed", reason });
      }
    });
  });
}

function lastPhase(stderr: string): string | undefined {
  const lines = stderr
    .trim()
    .split("\n")
    .filter((line) => /^\s*\[/.test(line));
  return lines[lines.length - 1]?.replace(/^\s*\[[^\]]*\]\s*/, "");
}

function lastLines(stderr: string): string | undefined {
  const lines = stderr.trim().split("\n").filter(Boolean);
  return lines.length ? lines.slice(-3).join(" | ") : undefined;
}
