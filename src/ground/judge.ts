import type { ChatModel } from "../llm/chat-model.js";
import { renderPrompt } from "../llm/prompts.js";
import { scoreSentence } from "./support.js";

/** Decides whether passages entail a claim: the NLI step of ALCE's citation metrics. */
export interface EntailmentJudge {
  readonly name: string;
  entails(passages: string[], claim: string): Promise<boolean>;
}

/** The offline judge: the same word/number support check used at answer time. */
export class OverlapJudge implements EntailmentJudge {
  readonly name = "offline-overlap";

  async entails(passages: string[], claim: string): Promise<boolean> {
    return passages.length > 0 && scoreSentence(claim, passages).supported;
  }
}

/** An LLM judge (prompts/judge.*.txt), used only when a model server is configured and asked for. */
export class LlmJudge implements EntailmentJudge {
  readonly name: string;
  private readonly cache = new Map<string, boolean>();

  constructor(private readonly model: ChatModel) {
    this.name = `llm:${model.name}`;
  }

  async entails(passages: string[], claim: string): Promise<boolean> {
    if (passages.length === 0) return false;
    const key = JSON.stringify([passages, claim]);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const messages = await renderPrompt("judge", { passages: passages.map((p, i) => `Passage ${i + 1}: ${p}`).join("\n\n"), claim });
    const verdict = /^\s*yes\b/i.test(await this.model.complete(messages, { maxTokens: 5, temperature: 0 }));
    this.cache.set(key, verdict);
    return verdict;
  }
}
