import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";

/**
 * Fault-injection tests record what they tried here, one JSON line per case, so `npm run faults` can
 * report counts (bad inputs, faults injected, outcomes, data lost) from what actually ran.
 * Set CITEWISE_FAULT_LOG to a file to collect; without it, recording is a no-op.
 */
export interface FaultCase {
  /** "input" (bad files/records), "crash" (kills, concurrent writers), "llm" (provider faults), "injection", "secrets". */
  category: "input" | "crash" | "llm" | "injection" | "secrets";
  /** What was injected, e.g. "truncated UTF-16 file", "429 with retry-after 1", "SIGKILL during embedding". */
  fault: string;
  /** How many variants of it ran (e.g. 500 fuzzed files). */
  count: number;
  /** What citewise did, e.g. "skipped with file:line", "retried then answered", "previous index served". */
  outcome: string;
  /** Records/papers/vectors that were in the index before and missing after (must be 0). */
  dataLost: number;
}

export function recordFault(entry: FaultCase): void {
  const file = process.env.CITEWISE_FAULT_LOG;
  if (!file) return;
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify({ ...entry, test: expect.getState().currentTestName })}\n`);
}
