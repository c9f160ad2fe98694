export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface CompleteOptions {
  /** Called with each streamed piece of text as it arrives. */
  onToken?: (token: string) => void;
  /** Sent as max_tokens; without it, DEFAULT_MAX_TOKENS (openai-chat.ts) and a reply cut there is an error. */
  maxTokens?: number;
  /** Called when the reply stopped at `maxTokens` (finish_reason "length"); the cut reply is still returned. */
  onLimit?: () => void;
  temperature?: number;
}

/** A chat LLM behind an OpenAI-compatible API (or anything else that can complete messages). */
export interface ChatModel {
  readonly name: string;
  complete(messages: ChatMessage[], options?: CompleteOptions): Promise<string>;
}
