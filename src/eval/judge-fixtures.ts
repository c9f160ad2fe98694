import { readFile } from "node:fs/promises";
import { readJsonLines } from "../corpus/json-lines.js";
import { FixtureError } from "./retrieval-fixtures.js";

/**
 * The groundedness-judge fixtures (evals/judge-fixtures/*.jsonl): model-written answers over the bundled
 * papers, each sentence labelled with the verdict a judge should give. See evals/judge-fixtures/README.md.
 */

const LABELS = ["supported", "contradicted", "not-enough-info", "misattributed", "uncited", "no-claim"] as const;
export type JudgeFixtureLabel = (typeof LABELS)[number];

/** Each kind of sentence and the labels it may carry. */
const KIND_LABELS: Record<string, readonly JudgeFixtureLabel[]> = {
  paraphrase: ["supported"],
  synthesis: ["supported"],
  "number-format": ["supported"],
  verbatim: ["supported"],
  reversed: ["contradicted"],
  persistence: ["contradicted"],
  "wrong-role-number": ["contradicted"],
  "wrong-number": ["contradicted"],
  quantifier: ["contradicted"],
  certainty: ["contradicted"],
  invented: ["not-enough-info"],
  misattribution: ["misattributed"],
  "pooled-citation": ["misattributed", "contradicted"],
  uncited: ["uncited"],
  "no-claim": ["no-claim"],
};

export interface JudgeFixtureSentence {
  /** Exact substring of the answer, with its citation markers. */
  text: string;
  label: JudgeFixtureLabel;
  kind: string;
  /** Paper ids the sentence cites (paragraph-end markers resolved to every sentence they cover). */
  cites: string[];
  /** For misattributed sentences: the paper(s) that really support the claim. */
  better?: string[];
  /** How the sentence cites: brackets, bracket-list, bracket-run, ranges, source-paren, …, none. */
  style: string;
  /** Why this label, quoting the abstract. */
  note: string;
}

export interface JudgeFixture {
  id: string;
  question: string;
  /** Paper ids: source [n] is sources[n - 1]. */
  sources: string[];
  /** The raw model answer (Markdown allowed). */
  answer: string;
  sentences: JudgeFixtureSentence[];
}

/** Reads and validates one fixture file; a bad line throws a FixtureError naming file:line. */
export async function loadJudgeFixtures(file: string): Promise<JudgeFixture[]> {
  const rows = readJsonLines<unknown>(await readFile(file, "utf8"), file, (line, message) => {
    throw new FixtureError(`${file}:${line}: invalid JSON: ${message}`);
  });
  const seen = new Set<string>();
  return rows.map(({ value, line }) => {
    const fail = (problem: string): never => {
      throw new FixtureError(`${file}:${line}: ${problem}`);
    };
    const fixture = checkFixture(value, fail);
    if (seen.has(fixture.id)) fail(`duplicate id "${fixture.id}"`);
    seen.add(fixture.id);
    return fixture;
  });
}

function checkFixture(value: unknown, fail: (problem: string) => never): JudgeFixture {
  if (!isRecord(value)) return fail("a fixture must be a JSON object");
  const { id, question, sources, answer, sentences } = value;
  if (typeof id !== "string" || !id) return fail('"id" must be a non-empty string');
  if (typeof question !== "string" || !question) return fail(`${id}: "question" must be a non-empty string`);
  if (typeof answer !== "string" || !answer) return fail(`${id}: "answer" must be a non-empty string`);
  if (!isStringArray(sources) || sources.length === 0) return fail(`${id}: "sources" must be a non-empty array of paper ids`);
  if (!Array.isArray(sentences) || sentences.length === 0) return fail(`${id}: "sentences" must be a non-empty array`);
  const checked = sentences.map((sentence, i) => checkSentence(sentence, answer, sources, (problem) => fail(`${id}: sentence ${i + 1}: ${problem}`)));
  return { id, question, sources, answer, sentences: checked };
}

function checkSentence(value: unknown, answer: string, sources: string[], fail: (problem: string) => never): JudgeFixtureSentence {
  if (!isRecord(value)) return fail("must be a JSON object");
  const { text, label, kind, cites, better, style, note } = value;
  if (typeof text !== "string" || !text.trim()) return fail('"text" must be a non-empty string');
  if (!answer.includes(text)) return fail(`"text" is not a substring of the answer: "${text.slice(0, 60)}"`);
  if (!LABELS.includes(label as JudgeFixtureLabel)) return fail(`"label" must be one of ${LABELS.join(", ")}`);
  const allowed = typeof kind === "string" ? KIND_LABELS[kind] : undefined;
  if (!allowed) return fail(`"kind" must be one of ${Object.keys(KIND_LABELS).join(", ")}`);
  if (!allowed.includes(label as JudgeFixtureLabel)) return fail(`kind "${kind}" cannot be labelled "${label}" (only ${allowed.join(" or ")})`);
  if (!isStringArray(cites)) return fail('"cites" must be an array of paper ids');
  const notSource = cites.find((paper) => !sources.includes(paper));
  if (notSource) return fail(`cites "${notSource}", which is not one of the answer's sources`);
  if ((label === "uncited" || label === "no-claim") && cites.length > 0) return fail(`a sentence labelled "${label}" cites nothing`);
  if (label !== "uncited" && label !== "no-claim" && cites.length === 0) return fail(`a sentence labelled "${label}" must cite something`);
  if (label === "misattributed") {
    if (!isStringArray(better) || better.length === 0) return fail('a misattributed sentence needs "better": the paper(s) that support it');
    const stray = better.find((paper) => !sources.includes(paper));
    if (stray) return fail(`"better" names "${stray}", which is not one of the answer's sources`);
  } else if (better !== undefined) return fail('only misattributed sentences have "better"');
  if (typeof style !== "string" || !style) return fail('"style" must be a non-empty string');
  if (typeof note !== "string" || !note) return fail('"note" must be a non-empty string');
  return { text, label: label as JudgeFixtureLabel, kind: kind as string, cites, ...(better ? { better: better as string[] } : {}), style, note };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string" && item.length > 0);
}

/** One labelled sentence and what a judge said about it: its verdict, or null when it never found the sentence. */
export interface JudgedFixtureSentence {
  sentence: Pick<JudgeFixtureSentence, "label" | "kind" | "style">;
  verdict: string | null;
}

interface Tally {
  n: number;
  /** Faithful sentences not flagged, planted errors caught. */
  correct: number;
  /** Verdict equal to the label. */
  exact: number;
}

export interface JudgeFixtureScore {
  /** Claim sentences scored (no-claim sentences are left out of everything but `confusion`). */
  sentences: number;
  /** Sentences labelled supported; flagged = any verdict but "supported" (false alarms). */
  faithful: { n: number; flagged: number; rate: number };
  /** Every other claim sentence; caught = a verdict other than "supported"; exact = the verdict is the label. */
  planted: { n: number; caught: number; rate: number; exact: number; exactRate: number };
  byKind: Record<string, Tally>;
  byStyle: Record<string, Tally>;
  /** label → verdict → count; an unparsed sentence's verdict is "(unparsed)". */
  confusion: Record<string, Record<string, number>>;
  /** Claim sentences the judge never gave a verdict for; they count as flagged (faithful) or missed (planted). */
  unparsed: number;
}

const UNPARSED = "(unparsed)";

/** Scores a judge on the fixtures: false alarms on faithful sentences, planted errors caught, per kind and style. */
export function scoreJudgeFixtures(results: JudgedFixtureSentence[]): JudgeFixtureScore {
  const score: JudgeFixtureScore = {
    sentences: 0,
    faithful: { n: 0, flagged: 0, rate: 0 },
    planted: { n: 0, caught: 0, rate: 0, exact: 0, exactRate: 0 },
    byKind: {},
    byStyle: {},
    confusion: {},
    unparsed: 0,
  };
  for (const { sentence, verdict } of results) {
    const row = score.confusion[sentence.label] ?? {};
    score.confusion[sentence.label] = row;
    const shown = verdict ?? UNPARSED;
    row[shown] = (row[shown] ?? 0) + 1;
    if (sentence.label === "no-claim") continue;
    score.sentences++;
    if (verdict === null) score.unparsed++;
    const exact = verdict === sentence.label;
    let correct: boolean;
    if (sentence.label === "supported") {
      correct = exact;
      score.faithful.n++;
      if (!correct) score.faithful.flagged++;
    } else {
      correct = verdict !== null && verdict !== "supported";
      score.planted.n++;
      if (correct) score.planted.caught++;
      if (exact) score.planted.exact++;
    }
    for (const [table, key] of [
      [score.byKind, sentence.kind],
      [score.byStyle, sentence.style],
    ] as const) {
      const tally = table[key] ?? { n: 0, correct: 0, exact: 0 };
      table[key] = tally;
      tally.n++;
      if (correct) tally.correct++;
      if (exact) tally.exact++;
    }
  }
  score.faithful.rate = ratio(score.faithful.flagged, score.faithful.n);
  score.planted.rate = ratio(score.planted.caught, score.planted.n);
  score.planted.exactRate = ratio(score.planted.exact, score.planted.n);
  return score;
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
