import { sha1 } from "../../src/corpus/ids.js";
import type { Embedder } from "../../src/index/embedder.js";
import { loadIndex } from "../../src/index/snapshot.js";

/**
 * An embedder that answers chunk texts with the real USE-Lite vectors already computed for the bundled
 * corpus index (global setup), so storage tests don't re-embed 679 chunks. Unknown texts are an error:
 * a test using it must only ingest bundled-corpus text.
 */
export async function corpusVectorEmbedder(corpusIndexDir: string): Promise<Embedder & { lookups: number }> {
  const index = await loadIndex(corpusIndexDir);
  const byHash = await index.vectors.vectorsByContentHash();
  const embedder = {
    name: index.manifest.embedder.name,
    dimension: index.manifest.embedder.dimension,
    lookups: 0,
    async embedDocuments(texts: string[]) {
      return texts.map((text) => {
        const vector = byHash.get(sha1(text, 16));
        if (!vector) throw new Error(`no cached vector for chunk text: ${text.slice(0, 60)}…`);
        embedder.lookups++;
        return Array.from(vector);
      });
    },
    async embedQuery(text: string) {
      const [vector] = await embedder.embedDocuments([text]);
      return vector!;
    },
  };
  return embedder;
}
