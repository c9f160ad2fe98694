import { create, insertMultiple, search } from "@orama/orama";
import { measureLatency, seconds } from "../measure.js";
import { loadPeerInput } from "./peer-input.js";
import { insertStats, type LatencyByMode, type SystemContext } from "./types.js";

/** Vector hits need a similarity threshold; 0 keeps every positively similar chunk so top-k is always filled. */
const SIMILARITY = 0;

/** @orama/orama: full-text (its BM25) vs our bm25, vector vs dense, hybrid (full text + vector) vs hybrid. */
export async function runOrama(ctx: SystemContext): Promise<void> {
  const input = loadPeerInput(ctx.dataDir);
  const dimension = input.vectors[0]?.length ?? 512;
  const docs = input.chunks.map((chunk, i) => ({ id: chunk.id, paperId: chunk.paperId, text: chunk.text, embedding: input.vectors[i]! }));
  ctx.baseline();
  ctx.log(`insertMultiple ${docs.length} chunks`);
  const started = performance.now();
  const db = create({ schema: { text: "string", embedding: `vector[${dimension}]` } as const });
  await insertMultiple(db, docs, 1000);
  ctx.set("insert", {
    ...insertStats(seconds(started), input.records, docs.length),
    note: "insertMultiple (full-text + vector index) with precomputed vectors, in memory",
  });

  const latency: LatencyByMode = {};
  const vectorOf = (vector: number[]) => ({ value: vector, property: "embedding" });
  ctx.log("search fulltext");
  latency.bm25 = {
    ...(await measureLatency(ctx.queries, async (q) => search(db, { term: q.query, properties: ["text"], limit: ctx.k }), ctx.plan)),
    peerMode: "fulltext",
  };
  ctx.set("latencyMs", latency);
  ctx.log("search vector");
  latency.dense = {
    ...(await measureLatency(
      ctx.queries,
      async (q) => search(db, { mode: "vector", vector: vectorOf(q.vector), similarity: SIMILARITY, limit: ctx.k }),
      ctx.plan,
    )),
    peerMode: "vector",
  };
  ctx.set("latencyMs", latency);
  ctx.log("search hybrid");
  latency.hybrid = {
    ...(await measureLatency(
      ctx.queries,
      async (q) => search(db, { mode: "hybrid", term: q.query, properties: ["text"], vector: vectorOf(q.vector), similarity: SIMILARITY, limit: ctx.k }),
      ctx.plan,
    )),
    peerMode: "hybrid",
  };
  ctx.set("latencyMs", latency);
  ctx.snapshotPeak();
}
