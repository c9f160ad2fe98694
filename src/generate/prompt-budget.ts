import { type BudgetReport, budgetReport, fitPassages, type RequestSpend } from "../llm/budget.js";
import type { ChatMessage } from "../llm/chat-model.js";
import { renderPrompt } from "../llm/prompts.js";
import { tokenCounter } from "../llm/tokens.js";
import { type BudgetName, replyTokens, settings } from "../settings.js";
import type { AnswerSource } from "./generator.js";
import type { ModelText } from "./model-text.js";
import { formatSource } from "./source-block.js";

/** A model's reply as read, with what its request was allowed and used. */
export type BudgetedText = ModelText & { budget: BudgetReport };

/** Which prompt a request renders, which budget it spends, and what its sources are ranked against. */
export interface PromptSpec {
  /** prompts/<prompt>.system.txt and .human.txt */
  prompt: string;
  budget: BudgetName;
  /** What the sources are most relevant to when they must be cut: the question, topic, theme or claim. */
  request: string;
  /** How many of the reply's units the prompt asks for (sentences, sources, ideas: settings.ts BUDGETS). */
  replyUnits: number;
}

export interface BudgetedPrompt {
  messages: ChatMessage[];
  /** Sent as max_tokens. */
  maxTokens: number;
  budget: BudgetReport;
}

/**
 * A prompt whose {sources} are the numbered source blocks fitted into the request's source budget (abstracts
 * over it cut to their most relevant sentences, llm/budget.ts), with max_tokens from the same settings.
 */
export async function budgetedPrompt(spec: PromptSpec, values: Record<string, string | number>, sources: AnswerSource[]): Promise<BudgetedPrompt> {
  const budget = settings().budgets[spec.budget];
  const counter = await tokenCounter();
  const passages = sources.map((source) => ({
    sentences: source.sentences,
    render: (shown: Parameters<typeof formatSource>[1]) => formatSource(source, shown),
  }));
  const fitted = fitPassages(passages, budget.sourceTokens, spec.request, counter);
  const blocks = fitted.map((passage) => passage.block).join("\n\n");
  const messages = await renderPrompt(spec.prompt, { sources: blocks, source_count: sources.length, ...values });
  const maxTokens = replyTokens(budget, spec.replyUnits);
  const spend: RequestSpend = {
    prompt: spec.prompt,
    promptTokens: messages.reduce((sum, message) => sum + counter.count(message.content), 0),
    sourceTokens: budget.sourceTokens,
    sourceTokensUsed: blocks ? counter.count(blocks) : 0,
    replyTokens: maxTokens,
    truncatedSources: sources.filter((_, i) => fitted[i]!.truncated).map((source) => source.n),
  };
  return { messages, maxTokens, budget: budgetReport(counter.name, [spend]) };
}
