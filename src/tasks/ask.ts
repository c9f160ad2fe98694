import { ExtractiveComposer } from "../generate/extractive.js";
import type { AnswerRequest, AnswerSource } from "../generate/generator.js";
import { LlmAnswerer } from "../generate/llm-answerer.js";
import { write } from "../generate/writer.js";
import type { BudgetReport } from "../llm/budget.js";
import { acronymsOf } from "../retrieve/acronyms.js";
import { queryTerms } from "../retrieve/query-terms.js";
import { TASK_DEFAULTS } from "../settings.js";
import { searchableFields } from "../corpus/paper.js";
import { spellsOut } from "../text/acronyms.js";
import { namesInQuestion } from "../text/names.js";
import { keywordTerms } from "../text/tokenize.js";
import { checkCitedText, checkWarnings, taskBudget } from "./core/check.js";
import type { TaskContext } from "./core/context.js";
import { reference, type TaskResult } from "./core/result.js";
import { abstention, isAbstention, retrieve } from "./core/retrieve.js";

export interface AskOptions {
  /** Papers given to the answerer as numbered sources. */
  sources?: number;
  /** Longest answer, in sentences. */
  maxSentences?: number;
}

export type AskResult = TaskResult & { task: "ask" };

/** Retrieve, answer from the numbered sources (offline composer or model), then check citations and grounding. */
export async function ask(question: string, context: TaskContext, options: AskOptions = {}): Promise<AskResult> {
  const { index, writer } = context;
  const retrieval = await retrieve(context, question, options.sources ?? TASK_DEFAULTS.ask.sources);
  const names = unmentionedNames(question, retrieval.sources, index);
  if (retrieval.abstain || names.abstain) return abstention("ask", question, writer.name, retrieval) as AskResult;
  const request: AnswerRequest = {
    question,
    sources: retrieval.sources,
    maxSentences: options.maxSentences ?? TASK_DEFAULTS.ask.maxSentences,
    termWeight: (term) => index.keyword.knownIdf(term),
    onToken: context.onToken,
  };
  // A model's reply is read as written (citation styles, its own reference list, the sentence limit; see model-text.ts).
  const written = await write(writer, {
    offline: async () => ({
      text: withUnmentioned((await new ExtractiveComposer().answer(request)).trim(), names.missing),
      notes: [] as string[],
      droppedReferenceList: false,
      budget: null as BudgetReport | null,
    }),
    model: (chat) => new LlmAnswerer(chat).reply(request),
  });
  if (isAbstention(written.text)) return { ...abstention("ask", question, writer.name, retrieval), budget: written.budget } as AskResult;
  const cleaned = { text: written.text, dropped: written.droppedReferenceList };
  // Checked against the usable sentences: copying a withheld instruction does not count as support.
  const checked = await checkCitedText(cleaned.text, retrieval.sources, context.judge, { question, termWeight: (term) => index.keyword.knownIdf(term) });
  return {
    task: "ask",
    input: question,
    answered: true,
    generator: writer.name,
    text: checked.text,
    grounding: checked.grounding,
    references: checked.references,
    removedCitations: checked.removedCitations,
    warnings: checkWarnings(retrieval.sources, checked.grounding, {
      droppedReferenceList: cleaned.dropped,
      noun: "answer",
      withheld: true,
      notes: written.notes,
    }),
    sources: retrieval.sources.map((source) => reference(source.n, source.paper)),
    nearest: [],
    relevance: retrieval.relevance,
    budget: await taskBudget(written.budget, context.judge),
  };
}

/**
 * Names the question uses that none of the retrieved papers mentions (title, abstract, authors, venue). Asked
 * "How does GPTQ use second-order information…", a library whose papers only cite GPTQ in passing retrieves
 * HAWQ: that answer is about a neighbour. The question abstains when its first name (usually its subject) is
 * missing, or when no name the sources do mention is specific (in under 5 % of chunks, unlike "LLM"); other
 * missing names are said in the answer ("…do not mention Mamba"). Set on evals/answers.jsonl and
 * abstention.jsonl, 2026-12-02.
 */
export function unmentionedNames(question: string, sources: AnswerSource[], index: TaskContext["index"]): { missing: string[]; abstain: boolean } {
  const names = namesInQuestion(question);
  if (names.length === 0) return { missing: [], abstain: false };
  const texts = sources.map(({ paper }) => `${paper.title ?? ""} ${paper.abstract} ${searchableFields(paper)}`.toLowerCase());
  // "PMI" is mentioned by an abstract that writes "point-wise mutual information": by the corpus's own
  // definitions, or by initials.
  // Tokenised only when a name is not written out literally.
  let sourceTerms: Set<string>[] | undefined;
  const spelledOut = (name: string) => {
    const long = acronymsOf(index).expansions.get(keywordTerms(name)[0] ?? "");
    sourceTerms ??= texts.map((text) => new Set(keywordTerms(text)));
    if (long !== undefined && sourceTerms.some((terms) => long.every((term) => terms.has(term)))) return true;
    return /^\p{Lu}{2,6}s?$/u.test(name) && texts.some((text) => spellsOut(name, text));
  };
  const mentioned = new Set(names.filter((name) => texts.some((text) => text.includes(name.toLowerCase())) || spelledOut(name)));
  // A misspelt long name ("AdaBelif") was searched as the name the index knows: it is not missing. A short
  // one, or one with digits, is more likely another name ("GPTQ" is not GPT-4, "LLaVA" not LLaMA, "DINOv2" not DINO).
  const missing = names.filter((name) => !mentioned.has(name) && !(name.length >= MISSPELT_NAME_MIN && /^\p{L}+$/u.test(name) && correctable(index, name)));
  if (missing.length === 0) return { missing, abstain: false };
  const specific = names.filter((name) => mentioned.has(name) && isSpecific(name, index));
  return { missing, abstain: missing[0] === names[0] || specific.length === 0 };
}

/** The offline composer copies sentences, so what the sources leave out by name is said after them (a model says it itself). */
function withUnmentioned(text: string, missing: string[]): string {
  return missing.length === 0 || isAbstention(text) ? text : `${text} The retrieved abstracts do not mention ${missing.join(", ")}.`;
}

const MISSPELT_NAME_MIN = 6;

/** Share of chunks below which a name picks out particular papers. */
const SPECIFIC_SHARE = 0.05;

function isSpecific(name: string, index: TaskContext["index"]): boolean {
  const term = keywordTerms(name)[0];
  return term !== undefined && index.keyword.documentFrequency(term) < SPECIFIC_SHARE * Math.max(1, index.keyword.size);
}

function correctable(index: TaskContext["index"], name: string): boolean {
  const typed = new Set(keywordTerms(name));
  return queryTerms(index.keyword, name).some(({ term }) => !typed.has(term) && index.keyword.documentFrequency(term) > 0);
}
