import type OpenAI from "openai";
import { createOpenAIClient, explainOpenAIError, ProviderError } from "../llm/openai-client.js";
import type { ChatMessage, ChatModel, CompleteOptions } from "./chat-model.js";

export interface OpenAIChatOptions {
  model: string;
  timeoutMs?: number;
  maxRetries?: number;
  client?: OpenAI;
}

/**
 * Chat completions through the `openai` package. Retries with exponential backoff (honouring
 * Retry-After) on 429, 5xx, connection errors and timeouts are the client's own; errors are
 * translated into one clear sentence. Streaming is used when a token callback is given.
 */
export class OpenAIChat implements ChatModel {
  readonly name: string;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAIChatOptions) {
    this.name = `openai:${options.model}`;
    this.client = options.client ?? createOpenAIClient({ timeoutMs: options.timeoutMs, maxRetries: options.maxRetries });
  }

  async complete(messages: ChatMessage[], options: CompleteOptions = {}): Promise<string> {
    const request = { model: this.options.model, messages, temperature: options.temperature ?? 0.1, max_tokens: options.maxTokens };
    try {
      if (!options.onToken) {
        const response = await this.client.chat.completions.create({ ...request, stream: false });
        const text = response.choices[0]?.message?.content;
        if (typeof text !== "string") throw new ProviderError(`the server returned no answer text for model "${this.options.model}"`);
        return text;
      }
      const stream = await this.client.chat.completions.create({ ...request, stream: true });
      let text = "";
      let finished = false;
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const piece = choice?.delta?.content ?? "";
        if (piece) {
          text += piece;
          options.onToken(piece);
        }
        if (choice?.finish_reason) finished = true;
      }
      if (!finished) throw new ProviderError("the answer stream ended before the model finished (connection cut); the answer is incomplete");
      return text;
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      throw explainOpenAIError(error, { model: this.options.model, what: "chat" });
    }
  }
}
