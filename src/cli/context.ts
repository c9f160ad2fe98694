import path from "node:path";
import { fileURLToPath } from "node:url";
import { ingest, type IngestReport } from "../ingest/pipeline.js";
import { createEmbedder, DEFAULT_EMBEDDER } from "../index/embedders/create.js";
import type { Embedder } from "../index/embedder.js";
import { hasIndex, loadIndex, type IndexSnapshot } from "../index/snapshot.js";
import { hidePassword, isPostgresUrl } from "../index/storage.js";
import { selectGenerator, type ModelSelection } from "../generate/select.js";
import { createProgress } from "./progress.js";

export interface GlobalOptions {
  index?: string;
  store?: string;
}

/** The package root: dist/cli/context.js -> ../.. (also right for src/ under tsx). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUNDLED_DATA_DIR = path.join(PACKAGE_ROOT, "data");

/** Where the index lives: --store (folder or postgres:// URL), --index folder, $CITEWISE_STORE, $CITEWISE_INDEX, ./.citewise. */
export function resolveIndexLocation(options: GlobalOptions): string {
  const location = options.store ?? options.index ?? process.env.CITEWISE_STORE ?? process.env.CITEWISE_INDEX ?? ".citewise";
  return isPostgresUrl(location) ? location : path.resolve(location);
}

export async function runIngest(
  inputs: string[],
  indexDir: string,
  options: { embedder?: string; format?: Parameters<typeof ingest>[0]["format"]; rebuild?: boolean; progress?: boolean },
): Promise<IngestReport> {
  const embedder = await createEmbedder(options.embedder ?? DEFAULT_EMBEDDER);
  const progress = createProgress("embedding", options.progress);
  try {
    return await ingest({
      inputs,
      indexDir,
      embedder,
      format: options.format,
      rebuild: options.rebuild,
      baseDir: process.cwd(),
      onProgress: (event) => progress.update(event.done, event.total),
    });
  } finally {
    progress.stop();
  }
}

/** Opens the index, building it from the bundled sample corpus the first time (so `ask` works out of the box). */
export async function openIndex(options: GlobalOptions, settings: { quiet?: boolean } = {}): Promise<{ index: IndexSnapshot; embedder: Embedder }> {
  const indexDir = resolveIndexLocation(options);
  if (!(await hasIndex(indexDir))) {
    if (!settings.quiet) process.stderr.write(`citewise: no index at ${hidePassword(indexDir)}; building one from the bundled sample corpus (${BUNDLED_DATA_DIR})…\n`);
    const report = await runIngest([BUNDLED_DATA_DIR], indexDir, {});
    if (!settings.quiet) process.stderr.write(`citewise: indexed ${report.papers} papers (${report.chunks} chunks) in ${report.seconds.toFixed(1)} s\n`);
  }
  const index = await loadIndex(indexDir);
  // Queries must be embedded by the embedder that built the index.
  const embedder = await createEmbedder(index.manifest.embedder.name);
  return { index, embedder };
}

/**
 * What every answering command does first: pick the offline composer or the configured model (saying
 * which on stderr unless the output is JSON), then open the index (building it on first use).
 */
export async function openForTask(
  global: GlobalOptions,
  options: { model?: string; offline?: boolean; timeout: number; json?: boolean },
): Promise<{ selection: ModelSelection; index: IndexSnapshot; embedder: Embedder }> {
  const selection = await selectGenerator({ model: options.model, offline: options.offline, timeoutMs: options.timeout * 1000 });
  if (selection.notice && !options.json) process.stderr.write(`citewise: ${selection.notice}\n`);
  const { index, embedder } = await openIndex(global, { quiet: options.json });
  return { selection, index, embedder };
}
