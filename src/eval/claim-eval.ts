import type { ClaimJudge } from "../ground/verdict.js";
import { CLAIM_LABELS, type ClaimLabel, type ClaimPair } from "./claim-sets.js";

const PREDICTED = ["supported", "contradicted", "not-enough-info"] as const;
type Predicted = (typeof PREDICTED)[number];
const GOLD_OF: Record<Predicted, ClaimLabel> = { supported: "SUPPORT", contradicted: "CONTRADICT", "not-enough-info": "NEI" };

export interface ClaimEvalReport {
  set: string;
  split: string;
  judge: string;
  pairs: number;
  labels: Record<ClaimLabel, { pairs: number; predicted: Record<Predicted, number>; accepted: number }>;
  macroF1: number;
  f1: Record<ClaimLabel, number>;
  msPerPair: number;
}

/**
 * Runs the judge on every (claim, cited abstract) pair: per gold label, how often each verdict was given
 * ("accepted" = judged supported), and macro-F1 over the three labels. Verdicts other than the three
 * (misattributed, uncited) count as not-enough-info: the cited abstract alone did not settle the claim.
 */
export async function evaluateClaims(pairs: ClaimPair[], judge: ClaimJudge, meta: { set: string; split: string }): Promise<ClaimEvalReport> {
  const labels = Object.fromEntries(
    CLAIM_LABELS.map((label) => [label, { pairs: 0, predicted: Object.fromEntries(PREDICTED.map((p) => [p, 0])) as Record<Predicted, number>, accepted: 0 }]),
  ) as ClaimEvalReport["labels"];
  const started = performance.now();
  for (const pair of pairs) {
    const { verdict } = await judge.judge(pair.claim, [{ id: pair.doc.id, title: pair.doc.title, sentences: pair.doc.sentences }]);
    const predicted: Predicted = verdict === "supported" || verdict === "contradicted" ? verdict : "not-enough-info";
    labels[pair.label].pairs++;
    labels[pair.label].predicted[predicted]++;
  }
  const msPerPair = pairs.length ? (performance.now() - started) / pairs.length : 0;
  const f1 = {} as Record<ClaimLabel, number>;
  for (const predicted of PREDICTED) {
    const gold = GOLD_OF[predicted];
    const truePositives = labels[gold].predicted[predicted];
    const predictedTotal = CLAIM_LABELS.reduce((sum, label) => sum + labels[label].predicted[predicted], 0);
    const precision = predictedTotal ? truePositives / predictedTotal : 0;
    const recall = labels[gold].pairs ? truePositives / labels[gold].pairs : 0;
    f1[gold] = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  }
  for (const label of CLAIM_LABELS) labels[label].accepted = labels[label].pairs ? labels[label].predicted.supported / labels[label].pairs : 0;
  const macroF1 = CLAIM_LABELS.reduce((sum, label) => sum + f1[label], 0) / CLAIM_LABELS.length;
  return { ...meta, judge: judge.name, pairs: pairs.length, labels, macroF1, f1, msPerPair };
}

export function claimEvalMarkdown(reports: ClaimEvalReport[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows = reports.map(
    (r) =>
      `| ${r.set} | ${r.split} | ${r.pairs} | ${pct(r.labels.SUPPORT.accepted)} | ${pct(r.labels.CONTRADICT.accepted)} | ${pct(r.labels.NEI.accepted)} | ${pct(r.labels.CONTRADICT.predicted.contradicted / Math.max(1, r.labels.CONTRADICT.pairs))} | ${r.macroF1.toFixed(3)} | ${r.msPerPair.toFixed(1)} |`,
  );
  return [
    "| set | split | pairs | SUPPORT accepted | CONTRADICT accepted | NEI accepted | CONTRADICT caught as contradicted | macro-F1 | ms/pair |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
