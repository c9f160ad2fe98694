import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";

/**
 * Fault-injection tests record what they tried here, one JSON line per case, so the fault report
 * (tests/setup/fault-report.ts) counts, per class, the cases tried and the cases that held, and the data
 * lost as the tests measured it. Set CITEWISE_FAULT_LOG to a file to collect; without it, recording is a no-op.
 */
export type FaultCategory =
  /** bad files and records */
  | "input"
  /** kills and concurrent writers */
  | "crash"
  /** model-server faults */
  | "llm"
  | "injection"
  | "secrets"
  /** output files: devices, FIFOs, links, modes, inputs, the index folder */
  | "output"
  /** the index: damaged pointer, manifest and files, foreign folders, pinned readers, failed publishes */
  | "index"
  /** re-ingest of bad input */
  | "reingest"
  /** the write lock */
  | "lock"
  /** hangs and unbounded growth: trickling servers, FIFOs, huge fields and queries */
  | "limits"
  /** escape sequences reaching the terminal */
  | "terminal"
  /** one-line errors, exit 2 */
  | "errors";

export interface FaultCase {
  category: FaultCategory;
  /** What was injected, e.g. "truncated UTF-16 file", "429 with retry-after 1", "SIGKILL during embedding". */
  fault: string;
  /** How many variants of it ran (e.g. 500 fuzzed files). */
  count: number;
  /** How many of them citewise handled as required (set by withFault; a recorded passing case holds all). */
  held?: number;
  /** What citewise did, e.g. "skipped with file:line", "retried then answered", "previous index served". */
  outcome: string;
  /**
   * What the test measured as lost: papers, files or bytes that existed before and not after (must be 0).
   * Left out where no user data is at stake (a model-server fault, a leaked secret).
   */
  dataLost?: number;
}

export function recordFault(entry: FaultCase): void {
  const file = process.env.CITEWISE_FAULT_LOG;
  if (!file) return;
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify({ held: entry.count, ...entry, test: expect.getState().currentTestName })}\n`);
}

/**
 * Runs one fault case and records it whatever happens: held when the checks pass, not held (and the failure
 * rethrown) when they do not, so the report counts what was tried, not only what passed. `run` returns the
 * data it measured as lost.
 */
export async function withFault(
  entry: Omit<FaultCase, "held" | "dataLost">,
  /** May return what it measured: { dataLost }. */
  run: () => unknown,
): Promise<void> {
  try {
    const measured = ((await run()) ?? {}) as { dataLost?: number };
    recordFault({ ...entry, held: entry.count, dataLost: measured.dataLost });
  } catch (error) {
    recordFault({ ...entry, held: 0, outcome: `FAILED: ${(error as Error).message.split("\n")[0]}` });
    throw error;
  }
}
