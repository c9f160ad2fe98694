export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface CompleteOptions {
  /** Called with each streamed piece of text as it arrives. */
  onToken?: (token: string) => void;
  maxTokens?: number;
  temperature?: number;
}

/** A chat LLM behind an OpenAI-compatible API (or anything else that can complete messages). */
export interface ChatModel {
  readonly name: string;
  complete(messages: ChatMessage[], options?: CompleteOptions): Promise<string>;
}
