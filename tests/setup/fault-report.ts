import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { FaultCase } from "../support/fault-log.js";

/**
 * Collects what the fault-injection tests recorded (tests/support/fault-log.ts) and, after the run,
 * writes .cache/fault-report.md and .json: per category, the faults tried, how often, what citewise
 * did, and the data lost. `npm test` and `npm run faults` both produce it.
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..");

export default function setup() {
  const log = process.env.CITEWISE_FAULT_LOG ?? path.join(ROOT, ".cache", "faults.jsonl");
  process.env.CITEWISE_FAULT_LOG = log;
  rmSync(log, { force: true });
  return () => {
    if (!existsSync(log)) return;
    const cases = readFileSync(log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as FaultCase & { test?: string });
    const outDir = path.join(ROOT, ".cache");
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, "fault-report.json"), JSON.stringify({ generatedAt: new Date().toISOString(), cases, totals: totals(cases) }, null, 2));
    writeFileSync(path.join(outDir, "fault-report.md"), markdown(cases));
    const t = totals(cases);
    process.stdout.write(`\nfault report: ${t.injected} faults injected in ${cases.length} cases (${Object.entries(t.byCategory).map(([c, n]) => `${c} ${n}`).join(", ")}); data lost: ${t.dataLost} → .cache/fault-report.md\n`);
  };
}

function totals(cases: FaultCase[]) {
  const byCategory: Record<string, number> = {};
  for (const c of cases) byCategory[c.category] = (byCategory[c.category] ?? 0) + c.count;
  return { injected: cases.reduce((sum, c) => sum + c.count, 0), dataLost: cases.reduce((sum, c) => sum + c.dataLost, 0), byCategory };
}

function markdown(cases: (FaultCase & { test?: string })[]): string {
  const t = totals(cases);
  const lines = [
    "# citewise fault report",
    "",
    `Generated ${new Date().toISOString()} by the test run (tests record each injected fault with recordFault).`,
    "",
    `**${t.injected} faults injected** in ${cases.length} cases · **data lost: ${t.dataLost}**`,
    "",
    "| category | faults injected |",
    "|---|---|",
    ...Object.entries(t.byCategory).map(([category, n]) => `| ${category} | ${n} |`),
    "",
    "| category | fault | count | outcome | data lost |",
    "|---|---|---|---|---|",
    ...cases.map((c) => `| ${c.category} | ${escape(c.fault)} | ${c.count} | ${escape(c.outcome)} | ${c.dataLost} |`),
    "",
  ];
  return lines.join("\n");
}

function escape(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
