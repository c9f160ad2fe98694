import type { ChatModel, CompleteOptions } from "../llm/chat-model.js";
import { renderPrompt } from "../llm/prompts.js";
import { holdBackReferenceList } from "../ground/citations.js";
import type { AnswerSource } from "./generator.js";
import { cutOff, formatSource } from "./llm-answerer.js";
import { type ModelText, readModelText } from "./model-text.js";

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
 * max_tokens of each task's reply, from what its prompt asks for (rows, sections, ideas): generous,
 * since a reply cut before it ends is an error. Other prompts get the client's default.
 */
const REPLY_TOKENS: Record<string, (values: Record<string, string | number>, sourceCount: number) => number> = {
  summarize: (_, sources) => 400 + 150 * sources,
  ideas: (values) => 300 + 250 * Number(values.count ?? 5),
  compare: (_, sources) => 500 + 250 * sources,
  // A value and a quote per cell, as JSON, and two short paragraphs.
  "compare-columns": (values, sources) => 400 + sources * (40 + 120 * Number(values.column_count ?? 3)),
  "related-work": (_, sources) => 400 + 200 * sources,
};

/**
 * What every model-written task does: numbered source blocks (formatSource: injections withheld, tags
 * defused) go into the prompt with the other values, and the reply is read by readModelText: a reference
 * list the model adds anyway is dropped (never streamed either; citewise prints the references itself,
 * from the retrieved papers only) and citation styles become [n] markers, with notes on what changed.
 */
export async function completeWithSources(
  chat: ChatModel,
  prompt: string,
  values: Record<string, string | number>,
  sources: AnswerSource[],
  options: CompleteOptions = {},
): Promise<ModelText> {
  // A task may lay its sources out itself (related-work groups them by theme): its "sources" value wins.
  const messages = await renderPrompt(prompt, { sources: sources.map(formatSource).join("\n\n"), source_count: sources.length, ...values });
  const maxTokens = options.maxTokens ?? REPLY_TOKENS[prompt]?.(values, sources.length);
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
  const read = readModelText(raw, sources.length, { cut });
  if (read.incomplete && maxTokens !== undefined) throw cutOff(chat.name, maxTokens);
  return read;
}
