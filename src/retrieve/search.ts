import type { Chunk, Paper } from "../corpus/paper.js";
import { dot, type Embedder } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import { acronymsOf } from "./acronyms.js";
import { hasFilters, paperFilter, type PaperFilters } from "./filters.js";
import { reciprocalRankFusion, zScoreFusion } from "./fusion.js";
import { mmrOrder } from "./mmr.js";
import { queryTerms } from "./query-terms.js";
import { DEFAULT_RETRIEVAL, type RetrievalSettings } from "./settings.js";

export type RetrievalMode = "hybrid" | "bm25" | "dense";

export interface SearchOptions extends Partial<RetrievalSettings> {
  /** Papers to return. */
  k?: number;
  mode?: RetrievalMode;
  filters?: PaperFilters;
  /** Exact dense search (brute force); default settings().search.exact ($CITEWISE_EXACT_SEARCH). */
  exact?: boolean;
}

export interface ChunkMatch {
  chunk: Chunk;
  score: number;
  /** 1-based rank in each retriever's chunk list; null when that retriever did not return it. */
  bm25Rank: number | null;
  denseRank: number | null;
  /** Cosine similarity to the query when the dense retriever returned this chunk. */
  denseScore: number | null;
}

export interface PaperResult {
  paper: Paper;
  score: number;
  /** Best matching chunks of this paper, best first, at most `chunksPerPaper`. */
  chunks: ChunkMatch[];
}

/** Hybrid retrieval: BM25 and dense chunk scores fused (z-score CombSUM, or weighted RRF), aggregated to papers, diversified by MMR. */
export async function searchPapers(index: IndexSnapshot, embedder: Embedder | null, query: string, options: SearchOptions = {}): Promise<PaperResult[]> {
  const settings: RetrievalSettings = { ...DEFAULT_RETRIEVAL, ...stripUndefined(options) };
  const mode = options.mode ?? (embedder ? "hybrid" : "bm25");
  const k = options.k ?? 10;
  const filters = options.filters ?? {};
  const allowed = hasFilters(filters) ? chunkFilter(index, filters) : undefined;
  const allowedChunk = allowed && ((chunkId: string) => allowed.has(index.chunkPosition.get(chunkId) ?? -1));

  const bm25Hits =
    mode === "dense"
      ? []
      : index.keyword
          .searchTerms(queryTerms(index.keyword, query, settings.acronyms ? acronymsOf(index) : undefined), settings.candidates, allowed?.has, allowed?.docs)
          .map((hit) => ({ chunk: index.chunks[hit.docIndex]!, id: index.chunks[hit.docIndex]!.id, score: hit.score }));
  const bm25Ids = bm25Hits.map((hit) => hit.id);
  const denseIds: string[] = [];
  const denseScore = new Map<string, number>();
  if (mode !== "bm25") {
    if (!embedder) throw new Error(`retrieval mode "${mode}" needs an embedder`);
    const queryVector = await embedder.embedQuery(query);
    for (const hit of await index.vectors.query(queryVector, settings.candidates, allowedChunk, { exact: options.exact })) {
      denseIds.push(hit.id);
      denseScore.set(hit.id, hit.score);
    }
  }

  const bm25Weight = mode === "dense" ? 0 : mode === "bm25" ? 1 : settings.bm25Weight;
  const denseWeight = mode === "bm25" ? 0 : mode === "dense" ? 1 : settings.denseWeight;
  const fused =
    settings.fusion === "rrf"
      ? reciprocalRankFusion(
          [
            { ids: bm25Ids, weight: bm25Weight },
            { ids: denseIds, weight: denseWeight },
          ],
          settings.rrfK,
        )
      : positive(
          zScoreFusion([
            // Fewer hits than asked for: every chunk with a matching term is there, the rest really score 0.
            { scores: new Map(bm25Hits.map((hit) => [hit.id, hit.score])), weight: bm25Weight, floor: bm25Hits.length < settings.candidates ? 0 : undefined },
            { scores: denseScore, weight: denseWeight },
          ]),
        );
  const bm25Rank = rankMap(bm25Ids);
  const denseRank = rankMap(denseIds);

  // Chunk scores roll up to papers: the best chunk counts fully, further chunks add a fraction.
  const byPaper = new Map<string, ChunkMatch[]>();
  // BM25 hits bring their chunk; only dense hits are looked up by id in the whole index.
  const bm25Chunk = new Map(bm25Hits.map((hit) => [hit.id, hit.chunk]));
  for (const [chunkId, score] of fused) {
    const chunk = bm25Chunk.get(chunkId) ?? index.chunkById.get(chunkId);
    if (!chunk) continue;
    const matches = byPaper.get(chunk.paperId) ?? [];
    matches.push({
      chunk,
      score,
      bm25Rank: bm25Rank.get(chunkId) ?? null,
      denseRank: denseRank.get(chunkId) ?? null,
      denseScore: denseScore.get(chunkId) ?? null,
    });
    byPaper.set(chunk.paperId, matches);
  }
  let results: PaperResult[] = [];
  for (const [paperId, matches] of byPaper) {
    const paper = index.papers.get(paperId);
    if (!paper) continue;
    matches.sort((a, b) => b.score - a.score);
    const score = matches.reduce((sum, match, i) => sum + (i === 0 ? match.score : match.score * settings.extraChunkWeight), 0);
    results.push({ paper, score, chunks: matches.slice(0, settings.chunksPerPaper) });
  }
  results.sort((a, b) => b.score - a.score || a.paper.id.localeCompare(b.paper.id));

  if (settings.mmrLambda < 1 && results.length > 1) results = await diversify(index, results, settings.mmrLambda, k);
  return results.slice(0, k);
}

/** The chunks a set of filters keeps, by position (the BM25 document number). */
interface AllowedChunks {
  has: (doc: number) => boolean;
  /** Every kept position, sorted: listed only when the filters keep few chunks (then BM25 scores just those). */
  docs: Int32Array | undefined;
}

/** Recent filters per index version: a session that keeps its filters checks each paper once, not once per query. */
const allowedCache = new WeakMap<Chunk[], { papers: ReadonlyMap<string, Paper>; byFilters: Map<string, AllowedChunks> }>();
const ALLOWED_CACHE_SIZE = 8;

function chunkFilter(index: IndexSnapshot, filters: PaperFilters): AllowedChunks {
  const key = JSON.stringify(
    Object.entries(filters)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  let entry = allowedCache.get(index.chunks);
  if (entry?.papers !== index.papers) {
    entry = { papers: index.papers, byFilters: new Map() };
    allowedCache.set(index.chunks, entry);
  }
  let allowed = entry.byFilters.get(key);
  if (!allowed) {
    allowed = allowedChunks(index, paperFilter(filters));
    if (entry.byFilters.size >= ALLOWED_CACHE_SIZE) entry.byFilters.delete(entry.byFilters.keys().next().value!);
    entry.byFilters.set(key, allowed);
  }
  return allowed;
}

/** Chunks sampled to tell a selective filter from a broad one, and the share below which it counts as selective. */
const SELECTIVITY = { sample: 512, share: 0.02 } as const;

/**
 * Each chunk's answer is worked out when first asked and remembered (a broad filter is asked only about the
 * few chunks that reach the top k). A sample tells whether the filters keep few chunks; only then are all of
 * them checked up front, so BM25 can score just those instead of walking every posting.
 */
function allowedChunks(index: IndexSnapshot, matches: (paper: Paper) => boolean): AllowedChunks {
  const NO = 1;
  const YES = 2;
  const known = new Uint8Array(index.chunks.length);
  const has = (doc: number): boolean => {
    if (doc < 0 || doc >= known.length) return false;
    if (known[doc] === 0) {
      const paper = index.papers.get(index.chunks[doc]!.paperId);
      known[doc] = paper && matches(paper) ? YES : NO;
    }
    return known[doc] === YES;
  };
  const n = known.length;
  const sample = Math.min(n, SELECTIVITY.sample);
  let kept = 0;
  for (let i = 0; i < sample; i++) if (has(Math.floor((i * n) / sample))) kept++;
  if (kept > sample * SELECTIVITY.share) return { has, docs: undefined };
  const docs: number[] = [];
  for (let doc = 0; doc < n; doc++) if (has(doc)) docs.push(doc);
  return { has, docs: Int32Array.from(docs) };
}

/** MMR reorders only the head of the ranking: three times k, at least 30 papers (deeper ones never surface). */
const MMR_POOL = { perResult: 3, min: 30 };

async function diversify(index: IndexSnapshot, results: PaperResult[], lambda: number, k: number): Promise<PaperResult[]> {
  const pool = results.slice(0, Math.max(k * MMR_POOL.perResult, MMR_POOL.min));
  const vectors = await index.vectors.vectorsFor(pool.map((result) => result.chunks[0]!.chunk.id));
  const top = pool[0]!.score;
  const picked = mmrOrder(
    pool,
    (result) => result.score / top,
    (a, b) => {
      const va = vectors.get(a.chunks[0]!.chunk.id);
      const vb = vectors.get(b.chunks[0]!.chunk.id);
      return va && vb ? dot(va, vb) : 0;
    },
    lambda,
    pool.length,
  );
  return [...picked, ...results.slice(pool.length)];
}

/**
 * z-scores shifted to start just above zero: callers read a paper's score relative to the best one ("strength" 1
 * for the top paper, MMR's relevance), which needs positive scores on a linear scale (exp would make every paper
 * but the first look irrelevant to MMR).
 */
function positive(scores: Map<string, number>): Map<string, number> {
  const lowest = Math.min(...scores.values());
  const span = Math.max(...scores.values()) - lowest || 1;
  return new Map([...scores].map(([id, z]) => [id, (z - lowest) / span + POSITIVE_FLOOR]));
}

/** The lowest candidate keeps a sliver of score, so no source's strength is exactly 0. */
const POSITIVE_FLOOR = 0.01;

function rankMap(ids: string[]): Map<string, number> {
  return new Map(ids.map((id, i) => [id, i + 1]));
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
