import { ExtractiveComposer } from "../generate/extractive.js";
import type { AnswerRequest } from "../generate/generator.js";
import { LlmAnswerer } from "../generate/llm-answerer.js";
import { write } from "../generate/writer.js";
import { TASK_DEFAULTS } from "../settings.js";
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
  if (retrieval.abstain) return abstention("ask", question, writer.name, retrieval) as AskResult;
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
