import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local OpenAI-compatible embeddings server on 127.0.0.1 for measuring and testing the remote embedder
 * (index/embedders/openai.ts) over real HTTP: each request waits `latencyMs` (a remote server's round trip
 * and compute), and the server records every request's size and how many were in flight at once.
 */
export interface EmbeddingServer {
  baseURL: string;
  /** Texts and characters of each request, in arrival order. */
  requests: Array<{ texts: number; chars: number }>;
  /** Most requests in flight at the same time. */
  maxInFlight: number;
  /** Next replies to send instead of embeddings (e.g. a 429 with Retry-After), consumed in order. */
  faults: Array<{ status: number; headers?: Record<string, string> }>;
  /** Replies sent for faults (not counted in `requests`). */
  faultsSent: Array<{ status: number; at: number }>;
  close(): Promise<void>;
}

export const SERVER_DIMENSION = 8;

/** The server's vector for a text: from its characters, so a test can tell which text a vector belongs to. */
export function serverEmbedding(text: string): number[] {
  const vector = new Array<number>(SERVER_DIMENSION).fill(0);
  for (let i = 0; i < text.length; i++) vector[i % SERVER_DIMENSION]! += text.charCodeAt(i) * (1 + (i % 7));
  vector[0]! += 1;
  return vector;
}

export async function startEmbeddingServer(options: { latencyMs?: number } = {}): Promise<EmbeddingServer> {
  const latencyMs = options.latencyMs ?? 0;
  let inFlight = 0;
  const state: Omit<EmbeddingServer, "baseURL" | "close"> = { requests: [], maxInFlight: 0, faults: [], faultsSent: [] };
  const server = http.createServer(async (req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    try {
      const parts: Buffer[] = [];
      for await (const part of req) parts.push(part as Buffer);
      const body = JSON.parse(Buffer.concat(parts).toString("utf8") || "{}") as { input?: string | string[]; encoding_format?: string };
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      const fault = state.faults.shift();
      if (fault) {
        state.faultsSent.push({ status: fault.status, at: Date.now() });
        res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
        res.end(JSON.stringify({ error: { message: `status ${fault.status}` } }));
        return;
      }
      const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ""];
      state.requests.push({ texts: inputs.length, chars: inputs.reduce((sum, text) => sum + text.length, 0) });
      const data = inputs.map((text, index) => {
        const vector = serverEmbedding(text);
        const embedding = body.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
        return { object: "embedding", index, embedding };
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", model: "bench-embed", data, usage: { prompt_tokens: 0, total_tokens: 0 } }));
    } finally {
      inFlight--;
    }
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
