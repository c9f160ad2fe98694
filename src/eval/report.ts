import type { ItemResult, SuiteSummary } from "./answer-suite.js";

const pct = (value: number | null) => (value === null ? "–" : `${(value * 100).toFixed(1)}%`);
const num = (value: number | null, digits = 3) => (value === null ? "–" : value.toFixed(digits));

export interface ReportContext {
  suite: string;
  generator: string;
  judge: string;
  embedder: string;
  date: string;
}

export function summaryLines(summary: SuiteSummary): Array<[string, string]> {
  const answers: Array<[string, string]> = [
    ["items (answerable / unanswerable)", `${summary.items} (${summary.answerable} / ${summary.unanswerable})`],
    ["retrieval nDCG@10 / Recall@10 / MRR", `${num(summary.retrieval.ndcg10)} / ${num(summary.retrieval.recall10)} / ${num(summary.retrieval.mrr)}`],
    ["citation recall (ALCE)", pct(summary.citationRecall)],
    ["citation precision (ALCE)", pct(summary.citationPrecision)],
    ["unsupported-sentence rate", pct(summary.unsupportedSentenceRate)],
    ["invalid citations (must be 0)", String(summary.invalidCitations)],
    ["key-fact coverage", pct(summary.keyFactCoverage)],
    ["answer relevance (sentences citing a relevant paper, on the question)", pct(summary.answerRelevance)],
    ["abstention accuracy", pct(summary.abstention.accuracy)],
    ["abstention precision / recall (unanswerable)", `${pct(summary.abstention.precision)} / ${pct(summary.abstention.recall)}`],
  ];
  return [
    ...(summary.items ? answers : [["invalid citations (must be 0)", String(summary.invalidCitations)] as [string, string]]),
    ...(summary.tasks.items
      ? ([
          ["task items", String(summary.tasks.items)],
          ["tasks: citation recall / precision (ALCE)", `${pct(summary.tasks.citationRecall)} / ${pct(summary.tasks.citationPrecision)}`],
          ["tasks: unsupported-sentence rate", pct(summary.tasks.unsupportedSentenceRate)],
          ["tasks: expected papers cited", pct(summary.tasks.expectedCitedRecall)],
        ] as Array<[string, string]>)
      : []),
  ];
}

export function markdownReport(results: ItemResult[], summary: SuiteSummary, context: ReportContext): string {
  const lines = [
    "# citewise eval report",
    "",
    `Suite \`${context.suite}\` · answers by **${context.generator}** · entailment judge **${context.judge}** · embedder ${context.embedder} · ${context.date}`,
    "",
    "## Summary",
    "",
    "| metric | value |",
    "|---|---|",
    ...summaryLines(summary).map(([name, value]) => `| ${name} | ${value} |`),
    "",
    "## Items",
    "",
    "| id | type | answered | nDCG@10 | R@10 | cit. recall | cit. precision | unsupported | invalid cites | key facts | question |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...results
      .map((r) =>
        [
          r.id,
          r.task ? `task: ${r.task}` : r.type,
          r.type === "task"
            ? r.answered
              ? "yes"
              : "**no**"
            : r.answered === (r.type === "answerable")
              ? r.answered
                ? "yes"
                : "no (correct)"
              : r.answered
                ? "**yes (should abstain)**"
                : "**no (should answer)**",
          num(r.retrieval?.ndcg10 ?? null, 2),
          num(r.retrieval?.recall10 ?? null, 2),
          pct(r.citationRecall),
          pct(r.citationPrecision),
          r.answered ? `${r.unsupportedSentences}/${r.sentences}` : "–",
          String(r.invalidCitations),
          r.keyFacts ? `${r.keyFacts.covered}/${r.keyFacts.total}` : r.expectedCitedRecall !== null ? `cites ${pct(r.expectedCitedRecall)} of expected` : "–",
          r.question.replace(/\|/g, "\\|"),
        ].join(" | "),
      )
      .map((row) => `| ${row} |`),
    "",
    "Citation recall/precision follow ALCE (Gao et al., 2023): a sentence is supported when its cited abstracts jointly entail it; a citation is precise unless the sentence is unsupported or the citation is not needed (it alone does not entail the sentence and the other citations do).",
    "",
  ];
  return lines.join("\n");
}

const MINIMUM_METRICS = [
  "ndcg10",
  "recall10",
  "mrr",
  "citationRecall",
  "citationPrecision",
  "keyFactCoverage",
  "answerRelevance",
  "abstentionAccuracy",
  "abstentionPrecision",
  "abstentionRecall",
  "taskCitationRecall",
  "taskCitationPrecision",
  "taskExpectedCitedRecall",
] as const;
const MAXIMUM_METRICS = ["invalidCitations", "unsupportedSentenceRate", "taskUnsupportedSentenceRate"] as const;

/** Thresholds recorded in the repo (evals/thresholds.json); CI fails when a metric falls past one. */
export interface Thresholds {
  minimum: Partial<Record<(typeof MINIMUM_METRICS)[number], number>>;
  maximum: Partial<Record<(typeof MAXIMUM_METRICS)[number], number>>;
}

/**
 * What is wrong with a thresholds document, or [] when it is usable. A gate that names no known metric
 * checks nothing and would pass every run, so it is refused like any other mistake.
 */
export function thresholdProblems(value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ['expected an object with "minimum" and/or "maximum" metric floors'];
  const problems: string[] = [];
  let checked = 0;
  for (const [section, known] of [
    ["minimum", MINIMUM_METRICS],
    ["maximum", MAXIMUM_METRICS],
  ] as const) {
    const entries = (value as Record<string, unknown>)[section];
    if (entries === undefined) continue;
    if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
      problems.push(`"${section}" must be an object of metric: number`);
      continue;
    }
    for (const [name, limit] of Object.entries(entries)) {
      if (!(known as readonly string[]).includes(name)) problems.push(`unknown metric "${section}.${name}" (known: ${known.join(", ")})`);
      else if (typeof limit !== "number" || !Number.isFinite(limit)) problems.push(`"${section}.${name}" must be a number`);
      else checked++;
    }
  }
  for (const key of Object.keys(value))
    if (key !== "minimum" && key !== "maximum" && !key.startsWith("_")) problems.push(`unknown section "${key}" (expected "minimum" and "maximum")`);
  if (problems.length === 0 && checked === 0) problems.push("it names no metric, so it would check nothing");
  return problems;
}

export function checkThresholds(summary: SuiteSummary, thresholds: Thresholds): string[] {
  const values: Record<string, number> = {
    ndcg10: summary.retrieval.ndcg10,
    recall10: summary.retrieval.recall10,
    mrr: summary.retrieval.mrr,
    citationRecall: summary.citationRecall,
    citationPrecision: summary.citationPrecision,
    keyFactCoverage: summary.keyFactCoverage,
    answerRelevance: summary.answerRelevance,
    abstentionAccuracy: summary.abstention.accuracy,
    abstentionPrecision: summary.abstention.precision,
    abstentionRecall: summary.abstention.recall,
    invalidCitations: summary.invalidCitations,
    unsupportedSentenceRate: summary.unsupportedSentenceRate,
    taskCitationRecall: summary.tasks.citationRecall,
    taskCitationPrecision: summary.tasks.citationPrecision,
    taskExpectedCitedRecall: summary.tasks.expectedCitedRecall,
    taskUnsupportedSentenceRate: summary.tasks.unsupportedSentenceRate,
  };
  const failures: string[] = [];
  for (const [name, floor] of Object.entries(thresholds.minimum ?? {})) {
    if (values[name] === undefined) failures.push(`unknown metric in thresholds: ${name}`);
    else if (values[name]! < floor!) failures.push(`${name} ${values[name]!.toFixed(4)} is below the recorded minimum ${floor}`);
  }
  for (const [name, ceiling] of Object.entries(thresholds.maximum ?? {})) {
    if (values[name] === undefined) failures.push(`unknown metric in thresholds: ${name}`);
    else if (values[name]! > ceiling!) failures.push(`${name} ${values[name]!.toFixed(4)} is above the recorded maximum ${ceiling}`);
  }
  return failures;
}
