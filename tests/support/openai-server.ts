import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach } from "vitest";

/**
 * A real HTTP server speaking the OpenAI wire protocol on 127.0.0.1, for driving the real `openai`
 * client end to end: embeddings (float and base64), chat completions (JSON and SSE streaming),
 * and scripted faults. Tests decide what the "model" says; the transport is real.
 */
export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  stream?: boolean;
  [key: string]: unknown;
}

/**
 * What the "model" does with one chat request. In `text` and error bodies, {{authorization}} is replaced
 * by the request's Authorization header (a server that echoes the key back).
 */
export type ChatReply =
  | { text: string; chunkSize?: number; delayMs?: number; finishReason?: string }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** SSE headers and one delta, then the connection is destroyed: at once (a drop the client sees as a connection error) or after `afterMs` (a cut mid-stream). */
  | { truncateAfter: string; afterMs?: number }
  | { hangMs: number }
  /** Headers and the start of the reply, then silence for `ms` (a stalled stream or body). */
  | { stallAfter: string; ms: number }
  /** A body sent verbatim with this status (e.g. malformed JSON with 200). */
  | { raw: string; status?: number; contentType?: string }
  /** An SSE stream of exactly these `data:` payloads (use sseDelta/sseFinish/"[DONE]"), then the connection ends. */
  | { events: string[] }
  /** Headers, then one byte of `text` every `everyMs`, over and over (a server that never finishes but never stalls). */
  | { trickle: string; everyMs: number }
  /** An SSE stream of deltas that never ends (a delta every `everyMs`). */
  | { endless: true; everyMs: number }
  /** A 200 JSON body of `bytes` bytes (a huge "content"), with or without a content-length header. */
  | { hugeBytes: number; declareLength?: boolean };

export interface FakeOpenAI {
  baseURL: string;
  requests: Array<{ path: string; body: any; headers: http.IncomingHttpHeaders; at: number }>;
  /** Next chat replies, consumed in order; when empty, `defaultChat` answers. */
  queue: ChatReply[];
  defaultChat: (request: ChatRequest) => ChatReply;
  knownModels: Set<string>;
  /** Next embedding replies (errors, or a trickle that never finishes), consumed in order before the normal embeddings answer. */
  embeddingQueue: Array<{ status: number; body?: unknown; headers?: Record<string, string> } | { trickleEveryMs: number }>;
  close(): Promise<void>;
}

const EMBEDDING_DIM = 64;

/** Deterministic bag-of-words embedding so similar texts get similar vectors. */
export function fakeEmbedding(text: string): number[] {
  const vector = new Array(EMBEDDING_DIM).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const digest = createHash("md5").update(word).digest();
    vector[digest[0]! % EMBEDDING_DIM] += 1;
    vector[digest[1]! % EMBEDDING_DIM] += 0.5;
  }
  return vector;
}

export async function startFakeOpenAI(options: { apiKey?: string } = {}): Promise<FakeOpenAI> {
  const state: Omit<FakeOpenAI, "baseURL" | "close"> = {
    requests: [],
    queue: [],
    defaultChat: () => ({ text: "OK." }),
    knownModels: new Set(["test-chat", "test-embed"]),
    embeddingQueue: [],
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: any = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return sendJson(res, 400, { error: { message: "invalid JSON body", type: "invalid_request_error" } });
    }
    const path = (req.url ?? "").replace(/^\/v1/, "");
    state.requests.push({ path, body, headers: req.headers, at: Date.now() });

    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(res, 401, { error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } });
    }
    if (req.method === "GET" && path === "/models") {
      return sendJson(res, 200, { object: "list", data: [...state.knownModels].map((id) => ({ id, object: "model", owned_by: "test" })) });
    }
    if (req.method === "POST" && path === "/embeddings") {
      if (!state.knownModels.has(body.model)) return modelNotFound(res, body.model);
      const fault = state.embeddingQueue.shift();
      if (fault && "trickleEveryMs" in fault) return trickle(res, '{"object":"list","data":[', fault.trickleEveryMs);
      if (fault)
        return sendJson(res, fault.status, echo(fault.body ?? { error: { message: `status ${fault.status}` } }, req.headers.authorization), fault.headers);
      const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
      const data = inputs.map((text, index) => {
        const vector = fakeEmbedding(text);
        const embedding = body.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
        return { object: "embedding", index, embedding };
      });
      return sendJson(res, 200, { object: "list", model: body.model, data, usage: { prompt_tokens: 1, total_tokens: 1 } });
    }
    if (req.method === "POST" && path === "/chat/completions") {
      if (!state.knownModels.has(body.model)) return modelNotFound(res, body.model);
      const reply = state.queue.shift() ?? state.defaultChat(body);
      return answerChat(res, body, reply, req.headers.authorization ?? "");
    }
    sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function modelNotFound(res: http.ServerResponse, model: string) {
  sendJson(res, 404, {
    error: { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: "invalid_request_error", code: "model_not_found" },
  });
}

/** Replaces {{authorization}} anywhere in a JSON-able value. */
function echo<T>(value: T, authorization: string | undefined): T {
  return JSON.parse(
    JSON.stringify(value)
      .split("{{authorization}}")
      .join(authorization ?? ""),
  ) as T;
}

export function sseDelta(content: string, model = "test-chat"): string {
  return JSON.stringify(delta(model, content));
}

export function sseFinish(reason = "stop", model = "test-chat"): string {
  return JSON.stringify({ id: "chatcmpl-test", object: "chat.completion.chunk", created: 0, model, choices: [{ index: 0, delta: {}, finish_reason: reason }] });
}

async function answerChat(res: http.ServerResponse, request: ChatRequest, original: ChatReply, authorization: string) {
  const reply = echo(original, authorization);
  if ("raw" in reply) {
    res.writeHead(reply.status ?? 200, { "content-type": reply.contentType ?? "application/json" });
    return res.end(reply.raw);
  }
  if ("trickle" in reply) return trickle(res, reply.trickle, reply.everyMs);
  if ("endless" in reply) {
    res.writeHead(200, { "content-type": "text/event-stream" });
    while (!res.destroyed) {
      res.write(sse(delta(request.model, "and more ")));
      await new Promise((resolve) => setTimeout(resolve, reply.everyMs).unref());
    }
    return;
  }
  if ("hugeBytes" in reply) {
    const head = `{"id":"x","object":"chat.completion","created":0,"model":"${request.model}","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"`;
    const tail = '"}}]}';
    res.writeHead(200, { "content-type": "application/json", ...(reply.declareLength ? { "content-length": String(reply.hugeBytes) } : {}) });
    res.write(head);
    const block = "A".repeat(1 << 20);
    let sent = head.length + tail.length;
    while (sent < reply.hugeBytes && !res.destroyed) {
      const piece = block.slice(0, Math.min(block.length, reply.hugeBytes - sent));
      sent += piece.length;
      if (!res.write(piece)) await new Promise((resolve) => res.once("drain", resolve));
    }
    if (!res.destroyed) res.end(tail);
    return;
  }
  if ("events" in reply) {
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const event of reply.events) res.write(`data: ${event}\n\n`);
    return res.end();
  }
  if ("stallAfter" in reply) {
    if (request.stream) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sse(delta(request.model, reply.stallAfter)));
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(JSON.stringify(completion(request.model, reply.stallAfter)).slice(0, 40));
    }
    await new Promise((resolve) => setTimeout(resolve, reply.ms).unref());
    if (!res.destroyed) res.end();
    return;
  }
  if ("status" in reply) return sendJson(res, reply.status, reply.body ?? { error: { message: `status ${reply.status}` } }, reply.headers);
  if ("hangMs" in reply) {
    await new Promise((resolve) => setTimeout(resolve, reply.hangMs));
    if (!res.destroyed) sendJson(res, 200, completion(request.model, "too late"));
    return;
  }
  if ("truncateAfter" in reply) {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(sse(delta(request.model, reply.truncateAfter)));
    if (reply.afterMs) await new Promise((resolve) => setTimeout(resolve, reply.afterMs));
    res.destroy();
    return;
  }
  if (!request.stream) return sendJson(res, 200, completion(request.model, reply.text, reply.finishReason));
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const size = reply.chunkSize ?? 7;
  for (let i = 0; i < reply.text.length; i += size) {
    res.write(sse(delta(request.model, reply.text.slice(i, i + size))));
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
  }
  res.write(`data: ${sseFinish(reply.finishReason, request.model)}\n\n`);
  res.end("data: [DONE]\n\n");
}

/** Headers, then one byte at a time forever (until the client goes away). */
async function trickle(res: http.ServerResponse, text: string, everyMs: number) {
  res.writeHead(200, { "content-type": "application/json" });
  for (let i = 0; !res.destroyed; i++) {
    res.write(text[i % text.length]!);
    await new Promise((resolve) => setTimeout(resolve, everyMs).unref());
  }
}

function completion(model: string, text: string, finishReason = "stop") {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 0,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: finishReason }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

function delta(model: string, content: string) {
  return { id: "chatcmpl-test", object: "chat.completion.chunk", created: 0, model, choices: [{ index: 0, delta: { content }, finish_reason: null }] };
}

function sse(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/**
 * One fake server for a test file: started before its tests, closed after, and its requests and queued
 * replies cleared before each test. The returned object stands for the server once it is running.
 */
export function useFakeOpenAI(options: { apiKey?: string } = {}): FakeOpenAI {
  let real: FakeOpenAI | null = null;
  beforeAll(async () => {
    real = await startFakeOpenAI(options);
  });
  afterAll(() => real?.close());
  beforeEach(() => {
    real!.requests.length = 0;
    real!.queue.length = 0;
    real!.embeddingQueue.length = 0;
  });
  return new Proxy({} as FakeOpenAI, {
    get: (_, key) => (real as unknown as Record<PropertyKey, unknown>)[key],
    set: (_, key, value) => {
      (real as unknown as Record<PropertyKey, unknown>)[key] = value;
      return true;
    },
  });
}
