import { ExtractiveComposer } from "../generate/extractive.js";
import type { AnswerRequest } from "../generate/generator.js";
import { LlmAnswerer } from "../generate/llm-answerer.js";
import { write } from "../generate/writer.js";
import { queryTerms } from "../retrieve/query-terms.js";
import { TASK_DEFAULTS } from "../settings.js";
import { keywordTerms } from "../text/tokenize.js";
import { checkCitedText, checkWarnings } from "./core/check.js";
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
  if (retrieval.abstain || unknownNames(question, index).length > 0) return abstention("ask", question, writer.name, retrieval) as AskResult;
  const request: AnswerRequest = {
    question,
    sources: retrieval.sources,
    maxSentences: options.maxSentences ?? TASK_DEFAULTS.ask.maxSentences,
    termWeight: (term) => index.keyword.knownIdf(term),
    onToken: context.onToken,
  };
  // A model's reply is read as written (citation styles, its own reference list, the sentence limit; see model-text.ts).
  const written = await write(writer, {
    offline: async () => ({ text: (await new ExtractiveComposer().answer(request)).trim(), notes: [] as string[], droppedReferenceList: false }),
    model: (chat) => new LlmAnswerer(chat).reply(request),
  });
  if (isAbstention(written.text)) return abstention("ask", question, writer.name, retrieval) as AskResult;
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
  };
}

/**
 * Names the question uses that no indexed text contains ("GPTQ", "SmoothQuant", "RT-2"): a question about a
 * method the library has never heard of is not answered from papers about its neighbours. Words typed in
 * lower case, and names the typo matching recognises, are not names here.
 */
export function unknownNames(question: string, index: TaskContext["index"]): string[] {
  return [...question.matchAll(NAME_LIKE)]
    .map((match) => match[0])
    .filter((name) => {
      const terms = keywordTerms(name);
      return terms.length > 0 && terms.every((term) => index.keyword.documentFrequency(term) === 0) && !correctable(index, name);
    });
}

/** Capitals after the first letter, or letters with digits: "SmoothQuant", "GPTQ", "RT-2" (not "LLMs" alone). */
const NAME_LIKE = /\b(?:\p{Ll}*\p{Lu}\p{Ll}*\p{Lu}[\p{L}\d-]*|\p{Lu}{3,}[\p{L}\d-]*|\p{Lu}[\p{L}]*-?\d[\p{L}\d-]*)\b/gu;

function correctable(index: TaskContext["index"], name: string): boolean {
  const typed = new Set(keywordTerms(name));
  return queryTerms(index.keyword, name).some(({ term }) => !typed.has(term) && index.keyword.documentFrequency(term) > 0);
}
