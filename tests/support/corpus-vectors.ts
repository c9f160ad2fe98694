import { sha1 } from "../../src/corpus/ids.js";
import type { Embedder } from "../../src/index/embedder.js";
import { loadIndex } from "../../src/index/snapshot.js";
import type { Vector } from "../../src/index/store.js";

/**
 * An embedder that answers chunk texts with vectors already computed (keyed by chunk content hash, as in
 * the corpus index built by the global setup), so storage tests don't re-embed the corpus. Texts it
 * doesn't know go to `fallback`; `override` can force a vector for chosen texts. `counter` tells how
 * many texts were requested and how many needed the fallback.
 */
export function reusingVectors(
  known: Map<string, Vector>,
  fallback: Pick<Embedder, "name" | "dimension" | "embedDocuments" | "embedQuery">,
  override?: (text: string) => number[] | undefined,
) {
  const counter = { requested: 0, real: 0 };
  const embedder: Embedder = {
    name: fallback.name,
    dimension: fallback.dimension,
    embedQuery: (text) => fallback.embedQuery(text),
    embedDocuments: async (texts) => {
      counter.requested += texts.length;
      const missing = texts.filter((text) => !override?.(text) && !known.has(sha1(text, 16)));
      counter.real += missing.length;
      const fresh = new Map((missing.length ? await fallback.embedDocuments(missing) : []).map((vector, i) => [missing[i]!, vector]));
      return texts.map((text) => override?.(text) ?? fresh.get(text) ?? Array.from(known.get(sha1(text, 16))!));
    },
  };
  return { embedder, counter };
}

/** Vectors of the bundled corpus index only: any other text is a test error. */
export async function corpusVectorEmbedder(corpusIndexDir: string) {
  const index = await loadIndex(corpusIndexDir);
  const refuse = async (texts: string[]): Promise<number[][]> => {
    throw new Error(`no cached vector for chunk text: ${texts[0]?.slice(0, 60)}…`);
  };
  const fallback = {
    name: index.manifest.embedder.name,
    dimension: index.manifest.embedder.dimension,
    embedDocuments: refuse,
    embedQuery: async (text: string) => (await refuse([text]))[0]!,
  };
  return reusingVectors(await index.vectors.vectorsByContentHash(), fallback);
}
