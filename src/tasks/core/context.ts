import type { Writer } from "../../generate/writer.js";
import type { ClaimJudge } from "../../ground/verdict.js";
import type { Embedder } from "../../index/embedder.js";
import type { IndexSnapshot } from "../../index/snapshot.js";
import type { PaperFilters } from "../../retrieve/filters.js";

/** What every task runs against: the index, the query embedder, who writes, who judges, and the retrieval filters. */
export interface TaskContext {
  index: IndexSnapshot;
  /** Null: keyword retrieval only (no dense vectors). */
  embedder: Embedder | null;
  writer: Writer;
  /** Who checks each sentence against what it cites (offline by default; --judge model asks the model). */
  judge: ClaimJudge;
  filters?: PaperFilters;
  /** Streamed pieces of model-written text, as they arrive. */
  onToken?: (token: string) => void;
}
