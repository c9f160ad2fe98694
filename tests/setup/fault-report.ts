import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { FaultCase } from "../support/fault-log.js";

/**
 * Collects what the fault-injection tests recorded (tests/support/fault-log.ts) and, after the run,
 * writes .cache/fault-report.md and .json: per class, the cases tried and held, the variants injected,
 * what citewise did, and the data lost as measured by the tests. `npm test` and `npm run faults` both produce it.
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..");

type Recorded = FaultCase & { held: number; test?: string };

export default function setup() {
  const log = process.env.CITEWISE_FAULT_LOG ?? path.join(ROOT, ".cache", "faults.jsonl");
  process.env.CITEWISE_FAULT_LOG = log;
  rmSync(log, { force: true });
  return () => {
    if (!existsSync(log)) return;
    const cases = readFileSync(log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Recorded);
    const outDir = path.join(ROOT, ".cache");
    mkdirSync(outDir, { recursive: true });
    const t = totals(cases);
    writeFileSync(path.join(outDir, "fault-report.json"), JSON.stringify({ generatedAt: new Date().toISOString(), totals: t, cases }, null, 2));
    writeFileSync(path.join(outDir, "fault-report.md"), markdown(cases));
    const classes = Object.entries(t.byCategory)
      .map(([c, v]) => `${c} ${v.held}/${v.cases}`)
      .join(", ");
    process.stdout.write(
      `\nfault report: ${t.cases} cases (${t.injected} faults injected), ${t.held} held; per class held/tried: ${classes}; ` +
        `data lost: ${t.dataLost} (measured in ${t.measured} cases) → .cache/fault-report.md\n`,
    );
  };
}

function totals(cases: Recorded[]) {
  const byCategory: Record<string, { cases: number; held: number; injected: number; dataLost: number; measured: number }> = {};
  for (const c of cases) {
    byCategory[c.category] ??= { cases: 0, held: 0, injected: 0, dataLost: 0, measured: 0 };
    const entry = byCategory[c.category]!;
    entry.cases++;
    if (c.held === c.count) entry.held++;
    entry.injected += c.count;
    if (typeof c.dataLost === "number") {
      entry.dataLost += c.dataLost;
      entry.measured++;
    }
  }
  const sum = (key: "cases" | "held" | "injected" | "dataLost" | "measured") => Object.values(byCategory).reduce((total, entry) => total + entry[key], 0);
  return { cases: sum("cases"), held: sum("held"), injected: sum("injected"), dataLost: sum("dataLost"), measured: sum("measured"), byCategory };
}

function markdown(cases: Recorded[]): string {
  const t = totals(cases);
  const lines = [
    "# citewise fault report",
    "",
    `Generated ${new Date().toISOString()} by the test run (each fault-injection test records its case with recordFault/withFault; a case that fails is recorded as not held).`,
    "",
    `**${t.cases} cases, ${t.held} held** (${t.injected} faults injected) · **data lost: ${t.dataLost}** (papers, files or bytes measured before and after, in ${t.measured} cases)`,
    "",
    "| class | cases tried | cases held | faults injected | data lost (measured cases) |",
    "|---|---|---|---|---|",
    ...Object.entries(t.byCategory).map(
      ([category, v]) => `| ${category} | ${v.cases} | ${v.held} | ${v.injected} | ${v.measured ? `${v.dataLost} (${v.measured})` : "–"} |`,
    ),
    "",
    "| class | fault | variants | held | outcome | data lost |",
    "|---|---|---|---|---|---|",
    ...cases.map(
      (c) =>
        `| ${c.category} | ${escapeCell(c.fault)} | ${c.count} | ${c.held} | ${escapeCell(c.outcome)} | ${typeof c.dataLost === "number" ? c.dataLost : "–"} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
