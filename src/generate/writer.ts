import type { ChatModel, CompleteOptions } from "../llm/chat-model.js";
import { holdBackReferenceList } from "../ground/citations.js";
import type { AnswerSource } from "./generator.js";
import { cutOff } from "./llm-answerer.js";
import { readModelText } from "./model-text.js";
import { type BudgetedText, budgetedPrompt, type PromptSpec } from "./prompt-budget.js";

/**
 * Who writes every task's text: the offline composer, or a chat model. Chosen once per command (see
 * selectWriter) and passed to the task, which offers both ways through write(): the only place that
 * decides between them.
 */
export interface Writer {
  /** "extractive", or "openai:<model>": named in every result. */
  readonly name: string;
  /** The chat model; null offline. */
  readonly chat: ChatModel | null;
}

export const OFFLINE_WRITER: Writer = { name: "extractive", chat: null };

export function modelWriter(chat: ChatModel): Writer {
  return { name: chat.name, chat };
}

export function write<T>(writer: Writer, ways: { offline: () => T | Promise<T>; model: (chat: ChatModel) => Promise<T> }): Promise<T> {
  return writer.chat ? ways.model(writer.chat) : Promise.resolve(ways.offline());
}

/**
 * What every model-written task does: numbered source blocks (formatSource: injections withheld, tags
 * defused), fitted into the request's token budget (prompt-budget.ts), go into the prompt with the other
 * values, and the reply is read by readModelText: a reference list the model adds anyway is dropped (never
 * streamed either; citewise prints the references itself, from the retrieved papers only) and citation
 * styles become [n] markers, with notes on what changed.
 */
export async function completeWithSources(
  chat: ChatModel,
  spec: PromptSpec,
  values: Record<string, string | number>,
  sources: AnswerSource[],
  options: CompleteOptions & { sourceCount?: number } = {},
): Promise<BudgetedText> {
  const { messages, maxTokens, budget } = await budgetedPrompt(spec, values, sources);
  const screen = options.onToken ? holdBackReferenceList(options.onToken) : null;
  let cut = false;
  const raw = await chat.complete(messages, {
    ...options,
    maxTokens,
    onToken: screen ? (token) => screen.write(token) : undefined,
    onLimit: () => {
      cut = true;
      options.onLimit?.();
    },
  });
  screen?.end();
  // A related-work paragraph cites by the draft's numbers, which run past its own few sources.
  const read = readModelText(raw, options.sourceCount ?? sources.length, { cut });
  if (read.incomplete) throw cutOff(chat.name, maxTokens);
  return { ...read, budget };
}
