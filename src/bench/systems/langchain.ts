import { MemoryVectorStore } from "@langchain/classic/vectorstores/memory";
import { Document } from "@langchain/core/documents";
import { Embeddings } from "@langchain/core/embeddings";
import { measureLatency, seconds } from "../measure.js";
import { loadPeerInput } from "./peer-input.js";
import { insertStats, type LatencyByMode, type SystemContext } from "./types.js";

/** Vectors are inserted precomputed and queried by vector: the store never needs to embed anything. */
class PrecomputedEmbeddings extends Embeddings {
  constructor() {
    super({});
  }
  embedDocuments(): Promise<number[][]> {
    return Promise.reject(new Error("vectors are precomputed"));
  }
  embedQuery(): Promise<number[]> {
    return Promise.reject(new Error("vectors are precomputed"));
  }
}

/** LangChain's MemoryVectorStore: dense only (exact cosine over every vector). */
export async function runLangchain(ctx: SystemContext): Promise<void> {
  const input = loadPeerInput(ctx.dataDir);
  const documents = input.chunks.map((chunk) => new Document({ pageContent: chunk.text, metadata: { paperId: chunk.paperId }, id: chunk.id }));
  ctx.baseline();
  ctx.log(`addVectors ${input.chunks.length} chunks`);
  const started = performance.now();
  const store = new MemoryVectorStore(new PrecomputedEmbeddings());
  await store.addVectors(input.vectors, documents);
  ctx.set("insert", { ...insertStats(seconds(started), input.records, input.chunks.length), note: "addVectors with precomputed vectors, in memory" });

  ctx.log("search dense");
  const latency: LatencyByMode = {};
  latency.dense = {
    ...(await measureLatency(ctx.queries, (q) => store.similaritySearchVectorWithScore(q.vector, ctx.k), ctx.plan)),
    peerMode: "similaritySearchVectorWithScore",
  };
  ctx.set("latencyMs", latency);
  ctx.snapshotPeak();
}
