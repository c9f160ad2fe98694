import type { ChatModel, CompleteOptions } from "../llm/chat-model.js";
import { renderPrompt } from "../llm/prompts.js";
import { stripReferenceList } from "../ground/citations.js";
import type { AnswerSource } from "./generator.js";
import { formatSource } from "./llm-answerer.js";

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
 * defused) go into the prompt with the other values, and a reference list the model adds anyway is dropped
 * (citewise prints the references itself, from the retrieved papers only).
 */
export async function completeWithSources(
  chat: ChatModel,
  prompt: string,
  values: Record<string, string | number>,
  sources: AnswerSource[],
  options: CompleteOptions = {},
): Promise<{ text: string; droppedReferenceList: boolean }> {
  // A task may lay its sources out itself (related-work groups them by theme): its "sources" value wins.
  const messages = await renderPrompt(prompt, { sources: sources.map(formatSource).join("\n\n"), source_count: sources.length, ...values });
  const stripped = stripReferenceList((await chat.complete(messages, options)).trim());
  return { text: stripped.text, droppedReferenceList: stripped.dropped };
}
