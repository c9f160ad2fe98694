import { renderPrompt } from "../llm/prompts.js";
import { keywordTerms } from "../text/tokenize.js";
import { type AskOptions, type AskResult, ask } from "./ask.js";
import type { TaskContext } from "./core/context.js";

export interface ChatTurn {
  question: string;
  /** The question as sent to retrieval, after follow-up rewriting. */
  standalone: string;
  result: AskResult;
}

const REFERS_BACK =
  /\b(it|its|they|them|their|this|that|these|those|the (paper|papers|method|approach|model|first|second|third|last|same)|above|former|latter|such)\b/i;

/**
 * A conversation: each follow-up is rewritten into a standalone question before retrieval, by the
 * chat model when there is one, otherwise by carrying over the previous question's topic.
 */
export class ChatSession {
  readonly turns: ChatTurn[] = [];

  constructor(
    private readonly context: Omit<TaskContext, "onToken">,
    private readonly options: AskOptions = {},
  ) {}

  paper(id: string) {
    const paper = this.context.index.papers.get(id);
    if (!paper) throw new Error(`paper ${id} is not in the index`);
    return paper;
  }

  get last(): ChatTurn | undefined {
    return this.turns[this.turns.length - 1];
  }

  async rewrite(question: string): Promise<string> {
    const previous = this.last;
    if (!previous) return question;
    const chat = this.context.writer.chat;
    if (chat) {
      const history = this.turns
        .slice(-3)
        .map((turn) => `User: ${turn.question}\nAssistant: ${turn.result.text}`)
        .join("\n");
      const messages = await renderPrompt("rewrite-question", { history, question });
      const rewritten = (await chat.complete(messages, { maxTokens: 120, temperature: 0 })).trim().split("\n")[0]!.trim();
      return rewritten || question;
    }
    return rewriteOffline(question, previous.standalone);
  }

  async ask(question: string, onToken?: (token: string) => void): Promise<ChatTurn> {
    const standalone = await this.rewrite(question);
    const result = await ask(standalone, { ...this.context, onToken }, this.options);
    const turn = { question, standalone, result: { ...result, input: question } };
    this.turns.push(turn);
    return turn;
  }
}

/** A follow-up that points back ("what about its limitations?") or says too little inherits the previous topic. */
export function rewriteOffline(question: string, previousStandalone: string): string {
  const ownTerms = keywordTerms(question);
  if (!REFERS_BACK.test(question) && ownTerms.length >= 3) return question;
  return `${question.replace(/\s*\?*\s*$/, "")} (regarding: ${previousStandalone.replace(/\s*\?+\s*$/, "")})?`;
}
