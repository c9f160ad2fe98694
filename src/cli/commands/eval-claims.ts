import path from "node:path";
import { claimEvalMarkdown, evaluateClaims, type ClaimEvalReport } from "../../eval/claim-eval.js";
import { loadClaimSet } from "../../eval/claim-sets.js";
import { runJudgeFixtures } from "../../eval/judge-fixture-run.js";
import { loadJudgeFixtures } from "../../eval/judge-fixtures.js";
import { type GlobalOptions, openSampleIndex, readUserFile } from "../context.js";
import type { ClaimJudge } from "../../ground/verdict.js";
import { printJson } from "../format.js";

/**
 * `citewise eval --claims DIR...`: the groundedness judge on SciFact-format claim-verification sets — per gold
 * label the share of pairs given each verdict, macro-F1 over the three labels, and the cost per pair.
 */
export async function runClaimsReport(dirs: string[], options: { split: string; limit?: number; json?: boolean }, judge: ClaimJudge): Promise<void> {
  const reports: ClaimEvalReport[] = [];
  for (const dir of dirs) {
    const pairs = loadClaimSet(dir, options.split).slice(0, options.limit);
    const set = path.basename(path.resolve(dir));
    if (!options.json) process.stderr.write(`citewise: judging ${pairs.length} pairs of ${set} ${options.split}…\n`);
    reports.push(await evaluateClaims(pairs, judge, { set, split: options.split }));
  }
  if (options.json) {
    const shape = (r: ClaimEvalReport) => ({
      set: r.set,
      split: r.split,
      judge: r.judge,
      pairs: r.pairs,
      labels: Object.fromEntries(Object.entries(r.labels).map(([label, v]) => [label, { pairs: v.pairs, predicted: v.predicted }])),
      macroF1: r.macroF1,
      f1: r.f1,
      msPerPair: r.msPerPair,
    });
    return printJson(reports.length === 1 ? shape(reports[0]!) : { sets: reports.map(shape) });
  }
  process.stdout.write(`Judge ${judge.name}: share of (claim, cited abstract) pairs judged supported, by gold label\n\n${claimEvalMarkdown(reports)}\n`);
  for (const r of reports) {
    process.stdout.write(`\n${r.set} ${r.split} — confusion (rows gold, columns verdict)\n`);
    for (const [label, v] of Object.entries(r.labels))
      process.stdout.write(
        `  ${label.padEnd(10)} ${String(v.pairs).padStart(5)}  ${Object.entries(v.predicted)
          .map(([p, n]) => `${p} ${n}`)
          .join("  ")}\n`,
      );
  }
}

/**
 * `citewise eval --judge-fixtures [files]`: the judge on model-written answers over data/ (evals/judge-fixtures),
 * through the same path as every task's text. Per file: false alarms on faithful sentences, planted errors
 * caught, by kind and by citation style.
 */
export async function runJudgeFixturesReport(files: string[], options: { json?: boolean; verbose?: boolean }, global: GlobalOptions, judge: ClaimJudge) {
  for (const file of files) readUserFile(file, "fixtures");
  const { index } = await openSampleIndex(global, options);
  const reports = [];
  for (const file of files) {
    const run = await runJudgeFixtures(await loadJudgeFixtures(file), index, judge);
    reports.push({ file: path.relative(process.cwd(), file) || file, judge: judge.name, msPerSentence: run.msPerSentence, ...run.score, results: run.results });
  }
  if (options.json) return printJson({ files: reports });
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  for (const report of reports) {
    process.stdout.write(
      `${report.file} — judge ${report.judge}: ${report.sentences} claim sentences; faithful flagged ${report.faithful.flagged}/${report.faithful.n} (${pct(report.faithful.rate)}); planted caught ${report.planted.caught}/${report.planted.n} (${pct(report.planted.rate)}), exact label ${pct(report.planted.exactRate)}; unparsed ${report.unparsed}; ${report.msPerSentence.toFixed(1)} ms/sentence\n`,
    );
    for (const [kind, tally] of Object.entries(report.byKind))
      process.stdout.write(`  ${kind.padEnd(18)} ${String(tally.correct).padStart(3)}/${String(tally.n).padEnd(3)} right, ${tally.exact} exact\n`);
    if (options.verbose)
      for (const r of report.results)
        if (r.sentence.label !== "no-claim" && (r.sentence.label === "supported") !== (r.verdict === "supported"))
          process.stdout.write(
            `  ✗ ${r.id} ${r.sentence.kind}/${r.sentence.label} → ${r.verdict}${r.reason ? ` (${r.reason})` : ""}: ${r.text.slice(0, 140)}\n`,
          );
  }
}
