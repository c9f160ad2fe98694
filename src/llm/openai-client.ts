import OpenAI from "openai";

/** A failure talking to the model server, explained for the user (never includes the API key). */
export class ProviderError extends Error {}

export function openAIConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
}

export function serverLabel(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPENAI_BASE_URL ?? "api.openai.com";
}

/** One client for embeddings and chat. Local servers (Ollama, llama.cpp) accept any key. */
export function createOpenAIClient(options: { timeoutMs?: number; maxRetries?: number } = {}): OpenAI {
  return new OpenAI({
    apiKey: process.env.OPENAI_API_KEY || "not-needed",
    baseURL: process.env.OPENAI_BASE_URL || undefined,
    timeout: options.timeoutMs ?? 60_000,
    maxRetries: options.maxRetries ?? 3,
  });
}

/** Maps the client's errors to one clear sentence naming the server and, where relevant, the model. */
export function explainOpenAIError(error: unknown, context: { model: string; what: string }): Error {
  const where = serverLabel();
  const strip = (text: string) => redactSecrets(text);
  if (error instanceof OpenAI.AuthenticationError) {
    return new ProviderError(`the server at ${where} rejected the API key (401); check OPENAI_API_KEY`);
  }
  if (error instanceof OpenAI.NotFoundError) {
    return new ProviderError(`${context.what} model "${context.model}" was not found on ${where} (404); pass an available model name`);
  }
  if (error instanceof OpenAI.RateLimitError) {
    return new ProviderError(`the server at ${where} kept answering 429 (rate limited) after retries; try again later`);
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new ProviderError(`the server at ${where} did not answer in time (timeout) after retries`);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new ProviderError(`cannot reach the server at ${where}: ${strip(error.message)}`);
  }
  if (error instanceof OpenAI.APIError) {
    return new ProviderError(`the server at ${where} answered ${error.status ?? "with an error"}: ${strip(error.message)}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** API keys must never reach logs, errors or reports. */
export function redactSecrets(text: string): string {
  const key = process.env.OPENAI_API_KEY;
  let out = text.replace(/\bsk-[A-Za-z0-9_-]{6,}/g, "sk-***");
  if (key && key.length >= 4) out = out.split(key).join("***");
  return out;
}
