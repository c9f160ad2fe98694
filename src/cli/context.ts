import path from "node:path";
import { ingest, type IngestOptions, type IngestReport } from "../ingest/pipeline.js";
import { readRegularFile } from "../ingest/read-source.js";
import { createEmbedder, DEFAULT_EMBEDDER } from "../index/embedders/create.js";
import type { Embedder } from "../index/embedder.js";
import { hasIndex, loadIndex, type IndexSnapshot } from "../index/snapshot.js";
import { hidePassword, isPostgresUrl } from "../index/storage.js";
import { selectGenerator, type ModelSelection } from "../generate/select.js";
import { registerSecret, urlSecrets } from "../llm/redact.js";
import { UserError } from "./errors.js";
import { createProgress } from "./progress.js";
import type { OutputPolicy } from "./output-file.js";
import { PACKAGE, settings } from "../settings.js";
import { stripBom } from "../corpus/fields.js";

export interface GlobalOptions {
  index?: string;
  store?: string;
}

export const PACKAGE_ROOT = PACKAGE.root;
export const BUNDLED_DATA_DIR = PACKAGE.dataDir;

/**
 * Where the index lives: --store (folder or postgres:// URL), --index folder, $CITEWISE_STORE, $CITEWISE_INDEX,
 * ./.citewise. An empty --index/--store is a mistake (it would mean the current folder), not a default; an
 * empty variable counts as unset.
 */
export function resolveIndexLocation(options: GlobalOptions): string {
  for (const [flag, value] of [
    ["--store", options.store],
    ["--index", options.index],
  ] as const) {
    if (value !== undefined && !value.trim()) throw new UserError(`${flag} is empty; give a folder (or a postgres:// URL), or leave it out to use ./.citewise`);
  }
  const configured = settings().index;
  const location = options.store ?? options.index ?? configured.store ?? configured.folder ?? configured.fallback;
  if (!isPostgresUrl(location)) return path.resolve(location);
  for (const secret of urlSecrets(location)) registerSecret(secret);
  return location;
}

export async function runIngest(
  inputs: string[],
  indexDir: string,
  options: Pick<IngestOptions, "format" | "rebuild" | "remove" | "repair" | "parsed"> & {
    embedder?: string;
    progress?: boolean;
    timeoutSeconds?: number;
    dimension?: number;
  },
): Promise<IngestReport> {
  const embedder = await createEmbedder(options.embedder ?? DEFAULT_EMBEDDER, {
    timeoutMs: (options.timeoutSeconds ?? 60) * 1000,
    dimension: options.dimension,
  });
  const progress = createProgress("embedding", options.progress);
  try {
    return await ingest({
      inputs,
      parsed: options.parsed,
      indexDir,
      embedder,
      format: options.format,
      rebuild: options.rebuild,
      remove: options.remove,
      repair: options.repair,
      baseDir: process.cwd(),
      onProgress: (event) => progress.update(event.done, event.total),
    });
  } finally {
    progress.stop();
    await embedder.close?.();
  }
}

/**
 * Opens the index, building it from the bundled sample corpus the first time (so `ask` works out of the box)
 * — only into a folder that does not exist yet or is empty: a folder with other files, or with damaged
 * index versions, is reported, never built over.
 */
export async function openIndex(options: GlobalOptions, settings: { quiet?: boolean } = {}): Promise<{ index: IndexSnapshot; embedder: Embedder }> {
  const indexDir = resolveIndexLocation(options);
  if (!(await hasIndex(indexDir))) {
    if (!settings.quiet)
      process.stderr.write(`citewise: no index at ${hidePassword(indexDir)}; building one from the bundled sample corpus (${BUNDLED_DATA_DIR})…\n`);
    const report = await runIngest([BUNDLED_DATA_DIR], indexDir, {});
    if (!settings.quiet) process.stderr.write(`citewise: indexed ${report.papers} papers (${report.chunks} chunks) in ${report.seconds.toFixed(1)} s\n`);
  }
  const index = await loadIndex(indexDir);
  for (const notice of index.notices) process.stderr.write(`citewise: note: ${notice}\n`);
  // Queries must be embedded by the embedder that built the index (its dimension is known: no probe request).
  const embedder = await createEmbedder(index.manifest.embedder.name, { dimension: index.manifest.embedder.dimension });
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

/**
 * How a command may write the file the user named: `explicit` (the user gave --out FILE) or `force` lets an
 * existing file be replaced; inputs of the command and the local index folder are never written.
 */
export function outputPolicy(global: GlobalOptions, options: { explicit: boolean; force?: boolean; inputs?: string[]; hint?: string }): OutputPolicy {
  const location = resolveIndexLocation(global);
  return {
    overwrite: options.explicit || options.force === true,
    overwriteHint: options.hint,
    inputs: options.inputs,
    indexDir: isPostgresUrl(location) ? null : location,
  };
}

/** A file the user names as input (--bib, --check, --suite): only a regular file, within a size limit, as text. */
export function readUserFile(file: string, what: string, limit = 64 * 1024 * 1024): string {
  const read = readRegularFile(path.resolve(file), limit);
  if (!read.ok) throw new UserError(`${what} ${file}: ${read.reason.replace(/^cannot read file \(ENOENT\)$/, "no such file")}`);
  return stripBom(read.bytes.toString("utf8"));
}
