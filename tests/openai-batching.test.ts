import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddingServer, serverEmbedding, type EmbeddingServer } from "../src/bench/embedding-server.js";
import { normalizeVector } from "../src/index/embedder.js";
import { OpenAIEmbedder, requestBatches } from "../src/index/embedders/openai.js";
import { ingest } from "../src/ingest/pipeline.js";
import { tempDir } from "./helpers.js";

// The remote embedder over real HTTP with the real openai client: batches, requests in flight, retries, order.
let server: EmbeddingServer;
const saved = { base: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY };
beforeAll(async () => {
  server = await startEmbeddingServer({ latencyMs: 20 });
  process.env.OPENAI_BASE_URL = server.baseURL;
  process.env.OPENAI_API_KEY = "sk-test-batching";
});
afterAll(async () => {
  await server.close();
  for (const [name, value] of [
    ["OPENAI_BASE_URL", saved.base],
    ["OPENAI_API_KEY", saved.key],
  ] as const)
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
});
afterEach(() => {
  server.requests.length = 0;
  server.maxInFlight = 0;
  server.faults.length = 0;
  server.faultsSent.length = 0;
});

const texts = (n: number, length = 40) => Array.from({ length: n }, (_, i) => `text ${i} `.padEnd(length, String.fromCharCode(97 + (i % 26))));

describe("OpenAI embedder: batching and bounded concurrency (127.0.0.1)", () => {
  it("splits texts by count and by characters, a long text alone", () => {
    expect(requestBatches(["a", "b", "c", "d", "e"], { requestTexts: 2, requestChars: 100 })).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
      { start: 4, end: 5 },
    ]);
    expect(requestBatches(["aaaa", "bbbb", "c".repeat(20), "dd", "ee"], { requestTexts: 10, requestChars: 9 })).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 3 },
      { start: 3, end: 5 },
    ]);
  });

  it("keeps every request within the caps and the bound on requests in flight, vectors in order", async () => {
    const input = texts(1000);
    const embedder = new OpenAIEmbedder("bench-embed", { limits: { requestTexts: 64, requestChars: 2000, concurrency: 3 } });
    const progress: number[] = [];
    const vectors = await embedder.embedDocuments(input, (done) => progress.push(done));
    expect(server.requests.length).toBe(Math.ceil(1000 / 50));
    for (const request of server.requests) {
      expect(request.texts).toBeLessThanOrEqual(64);
      expect(request.chars).toBeLessThanOrEqual(2000);
    }
    expect(server.requests.reduce((sum, request) => sum + request.texts, 0)).toBe(1000);
    expect(server.maxInFlight).toBe(3);
    expect(vectors).toHaveLength(1000);
    vectors.forEach((vector, i) => {
      const expected = normalizeVector(serverEmbedding(input[i]!));
      for (const [d, value] of vector.entries()) expect(value).toBeCloseTo(expected[d]!, 5);
    });
    expect(progress.at(-1)).toBe(1000);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(embedder.dimension).toBe(8);
  });

  it("sends one request at a time with concurrency 1", async () => {
    const embedder = new OpenAIEmbedder("bench-embed", { limits: { requestTexts: 10, concurrency: 1 } });
    await embedder.embedDocuments(texts(100));
    expect(server.requests).toHaveLength(10);
    expect(server.maxInFlight).toBe(1);
  });

  it("retries a 429 after the Retry-After it asks for, and a 503, keeping the order", async () => {
    server.faults.push({ status: 429, headers: { "retry-after": "1" } }, { status: 503 });
    const input = texts(40);
    const embedder = new OpenAIEmbedder("bench-embed", { limits: { requestTexts: 10, concurrency: 2 } });
    const started = Date.now();
    const vectors = await embedder.embedDocuments(input);
    expect(server.faultsSent.map((fault) => fault.status)).toEqual([429, 503]);
    // Retry-After: 1 is honoured (the client's own backoff would be ~0.5 s).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(server.requests.reduce((sum, request) => sum + request.texts, 0)).toBe(40);
    for (const [i, vector] of vectors.entries()) expect(vector[0]).toBeCloseTo(normalizeVector(serverEmbedding(input[i]!))[0]!, 5);
  });

  it("a request that keeps failing ends the call with one line", async () => {
    server.faults.push(...Array.from({ length: 10 }, () => ({ status: 500 })));
    const embedder = new OpenAIEmbedder("bench-embed", { limits: { requestTexts: 10, concurrency: 2 } });
    const error = await embedder.embedDocuments(texts(20)).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/failed with 500 \(server error\) after 4 attempts/);
    expect((error as Error).message).not.toContain("\n");
  }, 30_000);

  it("ingest hands the embedder enough texts to fill its request slots and reports progress per request", async () => {
    const embedder = new OpenAIEmbedder("bench-embed", { limits: { requestTexts: 4, concurrency: 2 } });
    const records = Array.from({ length: 30 }, (_, i) => ({
      title: `Paper number ${i} on topic ${String.fromCharCode(97 + (i % 26))}`,
      abstract: `We study problem ${i}. ${"Words of the abstract. ".repeat(3)}`,
    }));
    const dir = tempDir();
    const file = path.join(dir, "papers.jsonl");
    writeFileSync(file, records.map((record) => JSON.stringify(record)).join("\n"));
    const events: number[] = [];
    const report = await ingest({ inputs: [file], indexDir: path.join(dir, "index"), embedder, onProgress: (event) => events.push(event.done) });
    expect(report.chunks).toBeGreaterThanOrEqual(30);
    expect(server.maxInFlight).toBe(2);
    expect(Math.max(...server.requests.map((request) => request.texts))).toBeLessThanOrEqual(4);
    expect(events.length).toBeGreaterThanOrEqual(Math.ceil(report.chunks / 4));
    expect(events.at(-1)).toBe(report.chunks);
  });
});
