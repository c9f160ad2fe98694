import { readFileSync } from "node:fs";
import path from "node:path";
import { readJsonLines } from "../corpus/json-lines.js";
import { searchPapers } from "../retrieve/search.js";
import type { TaskContext } from "../tasks/core/context.js";
import { relatedWork } from "../tasks/related-work/related-work.js";
import { mean } from "./metrics.js";
import { FixtureError } from "./retrieval-fixtures.js";

/**
 * DeepScholar-Bench as a related-work benchmark (../shared/bench/deepscholar): recent arXiv papers, each
 * with the arXiv references its own related-work section cites, pooled into one corpus. A draft is scored
 * by which of the papers it cites the authors really cited.
 */
export interface DeepScholarQuery {
  id: string;
  title: string;
  abstract: string;
  /** arXiv ids the paper cites. */
  gold: string[];
}

export const DEEPSCHOLAR_SPLITS = ["dev", "test", "all"] as const;
export type DeepScholarSplit = (typeof DEEPSCHOLAR_SPLITS)[number];

/**
 * A fixed third of the queries (by a hash of their id) is "test": never looked at while choosing how
 * related-work selects and groups papers; "dev" is the rest.
 */
export function splitOf(id: string): "dev" | "test" {
  let hash = 2166136261;
  for (const char of id) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash % 3 === 0 ? "test" : "dev";
}

export function loadDeepScholar(dir: string, split: DeepScholarSplit): DeepScholarQuery[] {
  const file = path.join(dir, "queries.jsonl");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new FixtureError(`DeepScholar folder ${dir} has no queries.jsonl`);
  }
  const rows = readJsonLines<Record<string, unknown>>(text, file, (line, message) => {
    throw new FixtureError(`${file}:${line}: ${message}`);
  });
  return rows
    .map(({ value, line }) => {
      if (typeof value.id !== "string" || typeof value.title !== "string" || !Array.isArray(value.gold))
        throw new FixtureError(`${file}:${line}: a query needs "id", "title" and "gold" (arXiv ids)`);
      return { id: value.id, title: value.title, abstract: String(value.abstract ?? ""), gold: value.gold.map(String) };
    })
    .filter((query) => split === "all" || splitOf(query.id) === split);
}

export interface DeepScholarItem {
  id: string;
  gold: number;
  cited: number;
  hits: number;
  referenceRecall: number;
  citationPrecision: number;
  searchRecall20: number;
}

export interface DeepScholarScores {
  queries: number;
  k: number;
  /** Mean over queries of |cited ∩ gold| / |gold|. */
  referenceRecall: number;
  /** Mean over queries of |cited ∩ gold| / |cited| (0 when nothing is cited). */
  citationPrecision: number;
  /** Mean over queries of the share of gold papers among the first 20 search results. */
  searchRecall20: number;
  meanCited: number;
  items: DeepScholarItem[];
}

/** arXiv id without its version: what corpus ids and gold ids are compared by. */
const bare = (id: string) => id.replace(/^arxiv:/i, "").replace(/v\d+$/, "");

/** Drafts related work for each query paper ("<title>. <abstract>", as the benchmark's baseline did) and scores its citations. */
export async function evaluateDeepScholar(
  context: TaskContext,
  queries: DeepScholarQuery[],
  options: { k?: number; onItem?: (done: number, total: number) => void } = {},
): Promise<DeepScholarScores> {
  const items: DeepScholarItem[] = [];
  for (const query of queries) {
    const topic = `${query.title}. ${query.abstract}`.trim();
    const gold = new Set(query.gold.map(bare));
    const result = await relatedWork(topic, context, { k: options.k });
    const cited = new Set(result.references.map((ref) => bare(ref.paperId)));
    const hits = [...cited].filter((id) => gold.has(id)).length;
    const found = await searchPapers(context.index, context.embedder, topic, { k: 20 });
    const found20 = found.filter((hit) => gold.has(bare(hit.paper.id))).length;
    items.push({
      id: query.id,
      gold: gold.size,
      cited: cited.size,
      hits,
      referenceRecall: hits / gold.size,
      citationPrecision: cited.size ? hits / cited.size : 0,
      searchRecall20: found20 / gold.size,
    });
    options.onItem?.(items.length, queries.length);
  }
  return {
    queries: items.length,
    k: options.k ?? 0,
    referenceRecall: mean(items.map((item) => item.referenceRecall)),
    citationPrecision: mean(items.map((item) => item.citationPrecision)),
    searchRecall20: mean(items.map((item) => item.searchRecall20)),
    meanCited: mean(items.map((item) => item.cited)),
    items,
  };
}
