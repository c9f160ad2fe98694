import OpenAI from "openai";
import { escapeControls, stripTerminalControls } from "../corpus/controls.js";
import { guardedFetch, MAX_REPLY_BYTES, MAX_RETRY_WAIT_S, ReplyDeadlineError, ReplyTooLargeError, retryAfterSeconds } from "./guarded-fetch.js";
import { displayUrl, redactKnownSecrets, redactSecrets, registerSecret, urlSecrets } from "./redact.js";
import { CitewiseError } from "../errors.js";
import { settings } from "../settings.js";

/** A failure talking to the model server, explained for the user (never includes the API key). */
export class ProviderError extends CitewiseError {}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 3;

export function openAIConfigured(env?: NodeJS.ProcessEnv): boolean {
  return settings(env).model.configured;
}

/** The server as named in messages: a base URL may carry credentials (user:pass@, ?api_key=, ?sig=), which are never shown. */
export function serverLabel(env?: NodeJS.ProcessEnv): string {
  const url = settings(env).model.baseUrl;
  // A model server's URL has no query options worth showing, and any of them may be a credential.
  return url ? displayUrl(url, { query: "hide", user: "hide" }) : "api.openai.com";
}

/**
 * "openai:<model>" as shown and recorded (JSON "generator", the index's embedder name): a model id is the
 * server's text, so it loses terminal controls and any secret; requests still use the id as served.
 */
export function providerName(model: string): string {
  return `openai:${redactKnownSecrets(shownModelId(model))}`;
}

/** A model id as the server wrote it, fit for one line of output: controls removed, newlines escaped. */
export function shownModelId(model: string): string {
  return escapeControls(stripTerminalControls(model));
}

/** OPENAI_BASE_URL must be an http(s) URL; anything else is named as the variable's mistake, not a crash. */
export function checkBaseUrl(env?: NodeJS.ProcessEnv): void {
  const url = settings(env).model.baseUrl;
  if (!url) return;
  for (const secret of urlSecrets(url, { everyQueryValue: true })) registerSecret(secret);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // A long value without spaces may be a key pasted into the wrong variable: described, not shown.
    const shown =
      /\s/.test(url) || url.length < 16 ? JSON.stringify(displayUrl(url).slice(0, 80)) : `a ${url.length}-character value, not shown in case it is a key`;
    throw new ProviderError(`OPENAI_BASE_URL is not a URL (${shown}); set it like http://127.0.0.1:11434/v1`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ProviderError(`OPENAI_BASE_URL must start with http:// or https:// (got ${parsed.protocol}//…); set it like http://127.0.0.1:11434/v1`);
  }
  // fetch() refuses URLs with credentials, which would read as "cannot reach the server".
  if (parsed.username || parsed.password)
    throw new ProviderError(
      `OPENAI_BASE_URL holds a user name or password (${serverLabel(env)}), which HTTP clients do not send from a URL; put the key in OPENAI_API_KEY instead`,
    );
}

/** The base URL's query (?api-version=…) is sent with every request, not glued in front of the request path. */
function splitBaseUrl(url: string | undefined): { baseURL: string | undefined; defaultQuery: Record<string, string> | undefined } {
  if (!url?.includes("?")) return { baseURL: url, defaultQuery: undefined };
  const parsed = new URL(url);
  const defaultQuery = Object.fromEntries(parsed.searchParams.entries());
  parsed.search = "";
  return { baseURL: parsed.toString(), defaultQuery };
}

/**
 * One client for embeddings and chat. Local servers (Ollama, llama.cpp) accept any key. The client's own
 * logger is off: it would print raw stream chunks on stderr, and citewise explains every error itself.
 */
export function createOpenAIClient(options: { timeoutMs?: number; maxRetries?: number } = {}): OpenAI {
  checkBaseUrl();
  const model = settings().model;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new OpenAI({
    apiKey: model.apiKey ?? "not-needed",
    ...splitBaseUrl(model.baseUrl),
    // The client's own timer (headers only, then retried) stays behind guardedFetch's deadline, which ends it.
    timeout: timeoutMs + 2_000,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    fetch: guardedFetch(timeoutMs),
    logLevel: "off",
  });
}

export interface ErrorContext {
  model: string;
  what: string;
  timeoutMs?: number;
  maxRetries?: number;
}

/** Maps the client's errors to one clear sentence naming the server, the cause and, where relevant, the model. */
export function explainOpenAIError(error: unknown, context: ErrorContext): Error {
  if (error instanceof ProviderError) return error;
  const where = serverLabel();
  const seconds = Math.round((context.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 100) / 10;
  const attempts = `${(context.maxRetries ?? DEFAULT_MAX_RETRIES) + 1} attempts`;
  const lost = context.what === "embedding" ? "nothing was embedded from it" : "the answer is incomplete";
  // Our own guards (guarded-fetch.ts) may sit anywhere in the cause chain the client built.
  const guard = causeOfType(error, ReplyDeadlineError) ?? causeOfType(error, ReplyTooLargeError);
  if (guard instanceof ReplyDeadlineError) {
    return new ProviderError(
      `the server at ${where} did not finish its reply within ${seconds} s (timeout: --timeout is a deadline for each request, not retried); ${lost}`,
    );
  }
  if (guard instanceof ReplyTooLargeError) {
    return new ProviderError(
      `the server at ${where} sent a reply larger than ${MAX_REPLY_BYTES / 1024 / 1024} MB for ${context.what} model "${context.model}"; it was cut off and not used`,
    );
  }
  if (error instanceof OpenAI.AuthenticationError) {
    return new ProviderError(`the server at ${where} rejected the API key (401); check OPENAI_API_KEY`);
  }
  if (error instanceof OpenAI.NotFoundError) {
    return new ProviderError(`${context.what} model "${context.model}" was not found on ${where} (404); pass an available model name`);
  }
  if (error instanceof OpenAI.RateLimitError) {
    const wait = retryAfterSeconds(error.headers);
    return new ProviderError(
      wait !== null && wait > MAX_RETRY_WAIT_S
        ? `the server at ${where} is rate limiting requests (429) and asks to wait ${Math.round(wait)} s, longer than citewise waits (${MAX_RETRY_WAIT_S} s); try again later`
        : `the server at ${where} kept answering 429 (rate limited) after ${attempts}; try again later`,
    );
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new ProviderError(`the server at ${where} did not answer within ${seconds} s (timeout, ${attempts}); raise --timeout or check the server`);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new ProviderError(`cannot reach the server at ${where} (${connectionCause(error)}, ${attempts})`);
  }
  if (error instanceof OpenAI.APIError) {
    const detail = stripTerminalControls(redactSecrets(error.message)).replace(/\s+/g, " ").slice(0, 300);
    if (error.status === undefined) return new ProviderError(`the server at ${where} reported an error in the middle of the answer: ${detail}`);
    if (error.status >= 500) return new ProviderError(`the server at ${where} failed with ${error.status} (server error) after ${attempts}: ${detail}`);
    return new ProviderError(`the server at ${where} answered ${error.status}: ${detail}`);
  }
  // undici: a connection dropped while the body was being read.
  if (error instanceof TypeError && error.message === "terminated") {
    return new ProviderError(`the connection to ${where} was cut before the reply was complete; ${lost}`);
  }
  if (error instanceof SyntaxError) {
    return new ProviderError(`the server at ${where} sent a malformed reply (not valid JSON) for ${context.what} model "${context.model}"`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function causeOfType<T extends Error>(error: unknown, type: new (...args: never[]) => T): T | null {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current instanceof type) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * A 200 reply that is not what was asked for: an error object in the body ("You exceeded your current
 * quota") is reported with the server's own message; anything else as malformed.
 */
export function malformedReply(body: unknown, what: string, missing = "not the expected JSON shape"): string {
  const reply = body as { error?: { message?: unknown } | string; detail?: unknown; message?: unknown } | null;
  const error = reply?.error;
  // {"error": {"message"}} (OpenAI), {"error": "…"}, {"detail": "…"} (FastAPI servers), {"message": "…"}.
  const message =
    typeof error === "string"
      ? error
      : typeof error?.message === "string"
        ? error.message
        : typeof reply?.detail === "string"
          ? reply.detail
          : typeof reply?.message === "string"
            ? reply.message
            : null;
  if (message)
    return `the server at ${serverLabel()} answered with an error for ${what}: ${stripTerminalControls(redactSecrets(message)).replace(/\s+/g, " ").slice(0, 300)}`;
  return `the server at ${serverLabel()} returned a malformed reply (${missing}) for ${what}`;
}

const CONNECTION_CAUSES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection dropped",
  UND_ERR_SOCKET: "connection dropped",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
};

/** "connection refused", "host not found" … from the fetch error under the client's "Connection error.". */
function connectionCause(error: InstanceType<typeof OpenAI.APIConnectionError>): string {
  let cause: unknown = error.cause;
  for (let depth = 0; cause && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return CONNECTION_CAUSES[code] ?? code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return "connection failed";
}
