import { readFileSync } from "node:fs";
import type { Writer } from "../generate/writer.js";
import type { TaskResult } from "../tasks/core/result.js";
import type { ClaimJudge } from "../ground/verdict.js";
import { splitSentences } from "../text/sentences.js";
import type { Embedder } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import { searchPapers } from "../retrieve/search.js";
import { citationScores, keyFactsCovered } from "./citation-metrics.js";
import { mean, ndcgAt, recallAt, reciprocalRank } from "./metrics.js";
import { FixtureError, resolveFixtures } from "./retrieval-fixtures.js";
import { runTask } from "../app/run-task.js";
import { readJsonLines } from "../corpus/json-lines.js";
import { OFFLINE_WRITER } from "../generate/writer.js";

export interface SuiteItem {
  id: string;
  type: "answerable" | "unanswerable" | "task";
  /** The question, or a task's input (topic, background, comparison query). */
  question: string;
  relevant?: string[];
  keyFacts?: string[][];
  kind?: string;
  /** For type "task": which literature task, and (compare) the papers to compare as titles. */
  task?: LiteratureTask;
  papers?: string[];
  /** For type "task": papers a good output should cite (titles or "abstract: …"). */
  expectCited?: string[];
  k?: number;
}

export interface ItemResult {
  id: string;
  type: SuiteItem["type"];
  kind?: string;
  question: string;
  answered: boolean;
  answer: string;
  retrieval: { ndcg10: number; recall10: number; rr: number } | null;
  citationRecall: number | null;
  citationPrecision: number | null;
  sentences: number;
  unsupportedSentences: number;
  invalidCitations: number;
  keyFacts: { covered: number; total: number } | null;
  /**
   * Answerable items with relevant papers, when answered: sentences that cite one of the item's relevant
   * papers and speak to the question (its rarest term or a third of its terms, see ground/relevance.ts).
   */
  onTopicSentences: number | null;
  /** Tasks: share of `expectCited` papers the output cites. */
  expectedCitedRecall: number | null;
  task?: LiteratureTask;
  seconds: number;
}

export interface SuiteSummary {
  items: number;
  answerable: number;
  unanswerable: number;
  retrieval: { ndcg10: number; recall10: number; mrr: number };
  citationRecall: number;
  citationPrecision: number;
  unsupportedSentenceRate: number;
  invalidCitations: number;
  keyFactCoverage: number;
  /** Share of answered answerable items' sentences that are on topic (see ItemResult.onTopicSentences). */
  answerRelevance: number;
  abstention: { accuracy: number; precision: number; recall: number; abstained: number };
  tasks: {
    items: number;
    citationRecall: number;
    citationPrecision: number;
    unsupportedSentenceRate: number;
    invalidCitations: number;
    expectedCitedRecall: number;
  };
}

export function loadSuite(file: string): SuiteItem[] {
  const rows = readJsonLines<SuiteItem>(readFileSync(file, "utf8"), file, (line, message) => {
    throw new FixtureError(`${file}:${line}: invalid JSON: ${message}`);
  });
  return rows.map(({ value: item, line }) => {
    if (typeof item.question !== "string" || !["answerable", "unanswerable", "task"].includes(item.type)) {
      throw new FixtureError(`${file}:${line}: an item needs "question" and "type" ("answerable", "unanswerable" or "task")`);
    }
    if (item.type === "task" && !LITERATURE_TASKS.includes(item.task as LiteratureTask)) {
      throw new FixtureError(`${file}:${line}: a task item needs "task": one of ${LITERATURE_TASKS.join(", ")}`);
    }
    return item;
  });
}

/** The literature tasks a suite item can run (questions run through ask). */
export const LITERATURE_TASKS = ["summarize", "ideas", "compare", "related-work"] as const;
export type LiteratureTask = (typeof LITERATURE_TASKS)[number];

export interface SuiteRun {
  index: IndexSnapshot;
  embedder: Embedder | null;
  writer: Writer;
  /** Checks the tasks' sentences and decides ALCE entailment. */
  judge: ClaimJudge;
  onItem?: (done: number, total: number) => void;
}

export async function runSuite(items: SuiteItem[], run: SuiteRun): Promise<{ results: ItemResult[]; summary: SuiteSummary }> {
  const relevantIds = new Map(
    resolveFixtures(
      items.filter((item) => item.relevant?.length).map((item) => ({ id: item.id, query: item.question, relevant: item.relevant! })),
      run.index.papers.values(),
    ).map((fixture) => [fixture.id, fixture.relevantIds]),
  );
  const expected = resolveReferences(
    items.filter((item) => item.expectCited?.length).map((item) => [item.id, item.expectCited!]),
    run.index,
  );
  const papersToCompare = resolveReferences(
    items.filter((item) => item.papers?.length).map((item) => [item.id, item.papers!]),
    run.index,
  );
  const results: ItemResult[] = [];
  for (const item of items) {
    const started = performance.now();
    if (item.type === "task") {
      results.push(await runTaskItem(item, run, expected.get(item.id), papersToCompare.get(item.id), started));
      run.onItem?.(results.length, items.length);
      continue;
    }
    const relevant = relevantIds.get(item.id);
    let retrieval: ItemResult["retrieval"] = null;
    if (relevant) {
      const ranked = (await searchPapers(run.index, run.embedder, item.question, { k: 10 })).map((result) => result.paper.id);
      const gains = new Map(relevant.map((id) => [id, 1]));
      retrieval = { ndcg10: ndcgAt(ranked, gains, 10), recall10: recallAt(ranked, gains, 10), rr: reciprocalRank(ranked, gains) };
    }
    const result = await runTask({ task: "ask", input: item.question }, { index: run.index, embedder: run.embedder, writer: run.writer, judge: run.judge });
    const citations = await citationsOf(result, run);
    const facts = item.type === "answerable" && item.keyFacts?.length ? keyFactsCovered(result.answered ? result.text : "", item.keyFacts) : null;
    const onTopic = relevant && item.type === "answerable" && result.answered ? onTopicCount(result, new Set(relevant)) : null;
    results.push({
      id: item.id,
      type: item.type,
      kind: item.kind,
      question: item.question,
      answered: result.answered,
      answer: result.text,
      retrieval,
      citationRecall: citations?.recall ?? null,
      citationPrecision: citations?.precision ?? null,
      sentences: result.grounding.sentences.length,
      unsupportedSentences: result.grounding.sentences.filter((sentence) => !sentence.supported).length,
      invalidCitations: result.removedCitations.length,
      keyFacts: facts ? { covered: facts.filter(Boolean).length, total: facts.length } : null,
      onTopicSentences: onTopic,
      expectedCitedRecall: null,
      seconds: (performance.now() - started) / 1000,
    });
    run.onItem?.(results.length, items.length);
  }
  return { results, summary: summarize(results) };
}

function onTopicCount(result: TaskResult, relevant: Set<string>): number {
  const paperOf = new Map(result.sources.map((source) => [source.n, source.paperId]));
  return result.grounding.sentences.filter((sentence) => sentence.addresses !== false && sentence.citations.some((n) => relevant.has(paperOf.get(n) ?? "")))
    .length;
}

function resolveReferences(entries: Array<[string, string[]]>, index: IndexSnapshot): Map<string, string[]> {
  const resolved = resolveFixtures(
    entries.map(([id, relevant]) => ({ id, query: "", relevant })),
    index.papers.values(),
  );
  return new Map(resolved.map((fixture) => [fixture.id, fixture.relevantIds]));
}

async function runTaskItem(
  item: SuiteItem,
  run: SuiteRun,
  expected: string[] | undefined,
  paperIds: string[] | undefined,
  started: number,
): Promise<ItemResult> {
  // Offline runs: the eval scores the composers; LLM task runs are exercised by the task tests.
  const output = await runTask(
    { task: item.task!, input: item.question, paperIds, k: item.k },
    { index: run.index, embedder: run.embedder, writer: OFFLINE_WRITER, judge: run.judge },
  );
  const citations = await citationsOf(output, run);
  const cited = new Set(output.references.map((reference) => reference.paperId));
  return {
    id: item.id,
    type: "task",
    task: item.task,
    kind: item.kind,
    question: item.question,
    answered: output.answered,
    answer: "",
    retrieval: null,
    citationRecall: citations?.recall ?? null,
    citationPrecision: citations?.precision ?? null,
    sentences: output.grounding.sentences.length,
    unsupportedSentences: output.grounding.sentences.filter((sentence) => !sentence.supported).length,
    invalidCitations: output.removedCitations.length,
    keyFacts: null,
    onTopicSentences: null,
    expectedCitedRecall: expected?.length ? expected.filter((id) => cited.has(id)).length / expected.length : null,
    seconds: (performance.now() - started) / 1000,
  };
}

/** ALCE citation recall/precision of a result, judged against the abstracts of its numbered sources. */
async function citationsOf(result: TaskResult, run: SuiteRun) {
  if (!result.answered) return null;
  const passages = new Map(
    result.sources.map((source) => {
      const paper = run.index.papers.get(source.paperId)!;
      return [source.n, { id: paper.id, title: paper.title, sentences: splitSentences(paper.abstract, paper.language) }];
    }),
  );
  return citationScores(result.grounding.sentences, (n) => passages.get(n), run.judge);
}

function defined<T>(values: Array<T | null>): T[] {
  return values.filter((value): value is T => value !== null);
}

export function summarize(all: ItemResult[]): SuiteSummary {
  const tasks = all.filter((r) => r.type === "task");
  const results = all.filter((r) => r.type !== "task");
  const taskSentences = tasks.reduce((sum, r) => sum + r.sentences, 0);
  const answerable = results.filter((r) => r.type === "answerable");
  const unanswerable = results.filter((r) => r.type === "unanswerable");
  const retrieval = defined(results.map((r) => r.retrieval));
  const answered = results.filter((r) => r.answered);
  const abstained = results.filter((r) => !r.answered);
  const sentences = answered.reduce((sum, r) => sum + r.sentences, 0);
  const facts = defined(answerable.map((r) => r.keyFacts));
  const judgedForTopic = answerable.filter((r) => r.answered && r.onTopicSentences !== null);
  const topicSentences = judgedForTopic.reduce((sum, r) => sum + r.sentences, 0);
  return {
    items: results.length,
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    retrieval: { ndcg10: mean(retrieval.map((r) => r.ndcg10)), recall10: mean(retrieval.map((r) => r.recall10)), mrr: mean(retrieval.map((r) => r.rr)) },
    citationRecall: mean(defined(answered.map((r) => r.citationRecall))),
    citationPrecision: mean(defined(answered.map((r) => r.citationPrecision))),
    unsupportedSentenceRate: sentences ? answered.reduce((sum, r) => sum + r.unsupportedSentences, 0) / sentences : 0,
    invalidCitations: all.reduce((sum, r) => sum + r.invalidCitations, 0),
    keyFactCoverage: facts.length ? facts.reduce((sum, f) => sum + f.covered, 0) / facts.reduce((sum, f) => sum + f.total, 0) : 0,
    answerRelevance: topicSentences ? judgedForTopic.reduce((sum, r) => sum + r.onTopicSentences!, 0) / topicSentences : 0,
    abstention: {
      accuracy: results.length ? results.filter((r) => r.answered === (r.type === "answerable")).length / results.length : 0,
      precision: abstained.length ? abstained.filter((r) => r.type === "unanswerable").length / abstained.length : 1,
      recall: unanswerable.length ? unanswerable.filter((r) => !r.answered).length / unanswerable.length : 1,
      abstained: abstained.length,
    },
    tasks: {
      items: tasks.length,
      citationRecall: mean(defined(tasks.map((r) => r.citationRecall))),
      citationPrecision: mean(defined(tasks.map((r) => r.citationPrecision))),
      unsupportedSentenceRate: taskSentences ? tasks.reduce((sum, r) => sum + r.unsupportedSentences, 0) / taskSentences : 0,
      invalidCitations: tasks.reduce((sum, r) => sum + r.invalidCitations, 0),
      expectedCitedRecall: mean(defined(tasks.map((r) => r.expectedCitedRecall))),
    },
  };
}
