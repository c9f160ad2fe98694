import { readFileSync } from "node:fs";
import path from "node:path";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import type { ChatMessage } from "./chat-model.js";
import { PACKAGE } from "../settings.js";

const PROMPTS_DIR = PACKAGE.promptsDir;

const cache = new Map<string, ChatPromptTemplate>();

/** Loads prompts/<name>.system.txt and prompts/<name>.human.txt as one LangChain chat template. */
export function loadChatPrompt(name: string): ChatPromptTemplate {
  let template = cache.get(name);
  if (!template) {
    const read = (part: string) => readFileSync(path.join(PROMPTS_DIR, `${name}.${part}.txt`), "utf8").trim();
    template = ChatPromptTemplate.fromMessages([
      ["system", read("system")],
      ["human", read("human")],
    ]);
    cache.set(name, template);
  }
  return template;
}

/** Renders a prompt file into plain chat messages for the OpenAI client. */
export async function renderPrompt(name: string, values: Record<string, string | number>): Promise<ChatMessage[]> {
  const messages = await loadChatPrompt(name).formatMessages(values);
  return messages.map((message) => ({
    role: message.getType() === "system" ? "system" : message.getType() === "ai" ? "assistant" : "user",
    content: typeof message.content === "string" ? message.content : JSON.stringify(message.content),
  }));
}
