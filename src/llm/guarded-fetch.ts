/**
 * The fetch the OpenAI client uses, with two guards the client lacks:
 * - its timeout stops at the response headers, so a server that sends headers and then stalls would
 *   hang citewise forever: each body read must make progress within the timeout;
 * - it honours any Retry-After, even hours: a longer wait than MAX_RETRY_WAIT_S is not retried
 *   (x-should-retry: false) and is reported as rate limiting instead.
 */
export const MAX_RETRY_WAIT_S = 60;

export class StreamStalledError extends Error {}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function guardedFetch(idleMs: number, inner: Fetch = fetch): Fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const headers = new Headers(response.headers);
    const wait = retryAfterSeconds(headers);
    if (wait !== null && wait > MAX_RETRY_WAIT_S) headers.set("x-should-retry", "false");
    const body = response.body && ![101, 204, 205, 304].includes(response.status) ? response.body.pipeThrough(idleTimeout(idleMs)) : null;
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
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

function idleTimeout(ms: number): TransformStream<Uint8Array, Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  let arm = () => {};
  return new TransformStream({
    start(controller) {
      arm = () => {
        clearTimeout(timer);
        // unref: a body nobody reads any more must not keep the process alive.
        timer = setTimeout(() => controller.error(new StreamStalledError(`no data for ${ms} ms`)), ms).unref();
      };
      arm();
    },
    transform(chunk, controller) {
      arm();
      controller.enqueue(chunk);
    },
    flush() {
      clearTimeout(timer);
    },
  });
}
