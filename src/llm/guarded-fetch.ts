import { CitewiseError } from "../errors.js";
/**
 * The fetch the OpenAI client uses, with guards the client lacks:
 * - its timeout stops at the response headers, so a server that sends headers and then trickles one byte
 *   every few seconds (or streams forever) would keep citewise running: the timeout here is a deadline for
 *   the whole request, headers and body;
 * - a reply has a size cap (MAX_REPLY_BYTES): a 300 MB or endless body ends with a clear error instead of
 *   gigabytes of memory;
 * - it honours any Retry-After, even hours: a longer wait than MAX_RETRY_WAIT_S is not retried
 *   (x-should-retry: false) and is reported as rate limiting instead.
 */
export const MAX_RETRY_WAIT_S = 60;
/** Far above any chat reply (~16 KB per 4k tokens, ~1 MB as SSE) or embeddings batch (32 × 3,072 floats ≈ 2 MB). */
export const MAX_REPLY_BYTES = 32 * 1024 * 1024;

export class ReplyDeadlineError extends CitewiseError {}
export class ReplyTooLargeError extends CitewiseError {}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function guardedFetch(deadlineMs: number, inner: Fetch = fetch, maxBytes = MAX_REPLY_BYTES): Fetch {
  return async (input, init) => {
    // Our own signal, so the deadline also closes the connection (the body is not read any further).
    const abort = new AbortController();
    const outer = init?.signal;
    const forward = () => abort.abort(outer?.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener("abort", forward, { once: true });
    let fail: ((error: Error) => void) | null = null;
    const timer = setTimeout(() => {
      const error = new ReplyDeadlineError(`no complete reply within ${deadlineMs} ms`);
      if (fail) fail(error);
      abort.abort(error);
    }, deadlineMs);
    // unref: a body nobody reads any more must not keep the process alive.
    timer.unref();
    let response: Response;
    try {
      response = await inner(input, { ...init, signal: abort.signal });
    } catch (error) {
      clearTimeout(timer);
      // The headers did not arrive in time. Not thrown from fetch (the client would retry it, four deadlines
      // for one --timeout): a reply whose body fails, as when the deadline passes mid-body, is not retried.
      if (abort.signal.reason instanceof ReplyDeadlineError && !outer?.aborted) {
        const reason = abort.signal.reason;
        const failing = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(reason) });
        return new Response(failing, { status: 200, headers: { "content-type": "application/json" } });
      }
      throw error;
    }
    const headers = new Headers(response.headers);
    const wait = retryAfterSeconds(headers);
    if (wait !== null && wait > MAX_RETRY_WAIT_S) headers.set("x-should-retry", "false");
    const declared = Number(headers.get("content-length"));
    if (Number.isFinite(declared) && declared > maxBytes) {
      // Refused without reading it. An error from the body, not from fetch: a too-large reply is not retried.
      clearTimeout(timer);
      abort.abort();
      const error = new ReplyTooLargeError(`the reply is ${declared} bytes, more than the ${maxBytes}-byte limit`);
      const failing = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(error) });
      return new Response(failing, { status: response.status, statusText: response.statusText, headers });
    }
    if (!response.body || [101, 204, 205, 304].includes(response.status)) {
      clearTimeout(timer);
      return new Response(null, { status: response.status, statusText: response.statusText, headers });
    }
    let received = 0;
    const guard = new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        fail = (error) => controller.error(error);
      },
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > maxBytes) {
          clearTimeout(timer);
          const error = new ReplyTooLargeError(`the reply grew past the ${maxBytes}-byte limit`);
          controller.error(error);
          abort.abort(error);
          return;
        }
        controller.enqueue(chunk);
      },
      flush() {
        clearTimeout(timer);
      },
    });
    return new Response(response.body.pipeThrough(guard), { status: response.status, statusText: response.statusText, headers });
  };
}

/** Seconds a 429/503 asks to wait (retry-after-ms, retry-after in seconds or as a date), or null. */
export function retryAfterSeconds(headers: Headers | undefined): number | null {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms)) return ms / 1000;
  const value = headers?.get("retry-after");
  if (!value) return null;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, (date - Date.now()) / 1000) : null;
}
