import { ingest, type IngestOptions, type IngestReport } from "../ingest/pipeline.js";
import { createEmbedder, DEFAULT_EMBEDDER } from "../index/embedders/create.js";

export interface RunIngestOptions extends Pick<IngestOptions, "format" | "rebuild" | "remove" | "repair" | "parsed" | "onProgress"> {
  /** "use-lite-512" (default), "use-lite-static-256" or "openai:<model>". */
  embedder?: string;
  /** Deadline of each request to an openai: embedder. */
  timeoutSeconds?: number;
  /** The dimension the index already records (no probe request needed). */
  dimension?: number;
  /** Paths in the report are shown relative to this folder (default: the working folder). */
  baseDir?: string;
}

/** Ingest with the named embedder, created for the run and released after it. */
export async function runIngest(inputs: string[], location: string, options: RunIngestOptions = {}): Promise<IngestReport> {
  const { embedder: name, timeoutSeconds, dimension, baseDir, ...rest } = options;
  const embedder = await createEmbedder(name ?? DEFAULT_EMBEDDER, { timeoutMs: (timeoutSeconds ?? 60) * 1000, dimension });
  try {
    return await ingest({ ...rest, inputs, indexDir: location, embedder, baseDir: baseDir ?? process.cwd() });
  } finally {
    await embedder.close?.();
  }
}
