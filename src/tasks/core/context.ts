import type { Writer } from "../../generate/writer.js";
import type { Embedder } from "../../index/embedder.js";
import type { IndexSnapshot } from "../../index/snapshot.js";
import type { PaperFilters } from "../../retrieve/filters.js";

/** What every task runs against: the index, the query embedder, who writes, and the retrieval filters. */
export interface TaskContext {
  index: IndexSnapshot;
  /** Null: keyword retrieval only (no dense vectors). */
  embedder: Embedder | null;
  writer: Writer;
  filters?: PaperFilters;
  /** Streamed pieces of model-written text, as they arrive. */
  onToken?: (token: string) => void;
}
