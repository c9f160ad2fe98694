import type OpenAI from "openai";
import {
  createOpenAIClient,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  explainOpenAIError,
  malformedReply,
  ProviderError,
  providerName,
} from "./openai-client.js";
import { redactKey } from "./redact.js";
import { stripTerminalControls } from "../corpus/controls.js";
import type { ChatMessage, ChatModel, CompleteOptions } from "./chat-model.js";

/**
 * max_tokens when a caller names none: every request sets one, so a model that never stops (or a server
 * whose own default is huge) cannot run on. Callers size their own (llm-answerer.ts, writer.ts).
 */
export const DEFAULT_MAX_TOKENS = 4096;

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
 * A reply is returned only when it is complete: a cut, stalled or malformed stream, an empty reply
 * or a reply without choices is an error, never a shorter answer.
 */
export class OpenAIChat implements ChatModel {
  readonly name: string;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAIChatOptions) {
    this.name = providerName(options.model);
    this.client = options.client ?? createOpenAIClient({ timeoutMs: options.timeoutMs, maxRetries: options.maxRetries });
  }

  async complete(messages: ChatMessage[], options: CompleteOptions = {}): Promise<string> {
    const request = { model: this.options.model, messages, temperature: options.temperature ?? 0.1, max_tokens: options.maxTokens ?? DEFAULT_MAX_TOKENS };
    try {
      const { text, finishReason } = options.onToken ? await this.stream(request, options.onToken) : await this.once(request);
      // "length": the token limit cut the answer. Callers that set maxTokens accept that (and may be told).
      if (finishReason === "length" && options.maxTokens === undefined) {
        throw new ProviderError(
          `the model "${this.options.model}" stopped at the output token limit (finish_reason "length", max_tokens ${DEFAULT_MAX_TOKENS}); the answer is incomplete`,
        );
      }
      if (finishReason === "length") options.onLimit?.();
      if (finishReason === "content_filter") {
        throw new ProviderError(
          `the server's content filter stopped the answer of model "${this.options.model}" (finish_reason "content_filter"); nothing of it is used`,
        );
      }
      if (!text.trim()) throw new ProviderError(`the model "${this.options.model}" returned an empty reply`);
      // A hostile or broken server could echo the key back inside the answer.
      return redactKey(text);
    } catch (error) {
      throw explainOpenAIError(error, {
        model: this.options.model,
        what: "chat",
        timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxRetries: this.options.maxRetries ?? DEFAULT_MAX_RETRIES,
      });
    }
  }

  private async once(request: OpenAI.ChatCompletionCreateParamsNonStreaming): Promise<Reply> {
    const response: unknown = await this.client.chat.completions.create({ ...request, stream: false });
    const choices = (response as { choices?: unknown } | null)?.choices;
    if (!Array.isArray(choices)) throw new ProviderError(malformedReply(response, `model "${this.options.model}"`, 'no "choices"'));
    const choice = choices[0] as OpenAI.ChatCompletion.Choice | undefined;
    const text = choice?.message?.content;
    if (typeof text !== "string") throw new ProviderError(`the server returned no answer text for model "${this.options.model}"`);
    return { text: stripTerminalControls(text), finishReason: choice?.finish_reason ?? null };
  }

  private async stream(request: OpenAI.ChatCompletionCreateParamsNonStreaming, onToken: (token: string) => void): Promise<Reply> {
    const { data: stream, response } = await this.client.chat.completions.create({ ...request, stream: true }).withResponse();
    // A 200 with a JSON body instead of an event stream is an error object ("You exceeded your current quota").
    if (/application\/json/i.test(response.headers.get("content-type") ?? "")) {
      const body = await response.text();
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(body);
      } catch {
        // not JSON either: reported as malformed below
      }
      throw new ProviderError(malformedReply(parsed, `model "${this.options.model}"`, "JSON instead of an event stream"));
    }
    let text = "";
    let finishReason: string | null = null;
    try {
      for await (const chunk of stream) {
        const choice = chunk.choices?.[0];
        // Model text never controls the terminal: escape sequences are removed as each piece arrives.
        const piece = stripTerminalControls(choice?.delta?.content ?? "");
        if (piece) {
          text += piece;
          onToken(piece);
        }
        if (choice?.finish_reason) finishReason = choice.finish_reason;
      }
    } catch (error) {
      if (error instanceof SyntaxError) throw new ProviderError("the answer stream carried a malformed event (not JSON); the answer is incomplete");
      // undici reports a connection dropped mid-body as TypeError("terminated").
      if (error instanceof TypeError) throw new ProviderError(`the answer stream was cut off (${error.message}); the answer is incomplete`);
      throw error;
    }
    if (!finishReason) throw new ProviderError("the answer stream ended before the model finished (connection cut); the answer is incomplete");
    return { text, finishReason };
  }
}

interface Reply {
  text: string;
  finishReason: string | null;
}
