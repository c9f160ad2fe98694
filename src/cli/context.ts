import os from "node:os";
import path from "node:path";
import { type IndexChoice, resolveIndexLocation } from "../app/location.js";
import type { JudgeKind } from "../ground/claim-judge.js";
import { type Notify, openIndex, openTaskContext, type WriterOptions } from "../app/open.js";
import { stripBom } from "../corpus/fields.js";
import { readRegularFile } from "../ingest/read-source.js";
import { loadIndex } from "../index/snapshot.js";
import { currentSourcePaths } from "../index/local/layout.js";
import { isPostgresUrl } from "../index/storage.js";
import { PACKAGE } from "../settings.js";
import { UserError } from "./errors.js";
import type { OutputPolicy } from "./output-file.js";
import { type RunIngestOptions, runIngest } from "../app/ingest.js";
import { createProgress } from "./progress.js";

/** The program's global options (--index, --store). */
export type GlobalOptions = IndexChoice;

export { resolveIndexLocation };

/** Notices go to stderr, prefixed "citewise:"; `quiet` (--json) keeps the informational ones back, never a warning. */
export function stderrNotify(quiet = false): Notify {
  return (message, kind) => {
    if (!quiet || kind === "warning") process.stderr.write(`citewise: ${message}\n`);
  };
}

/** The index the global options name, opened (and built from the sample on first use), notices on stderr. */
export function openIndexFor(global: GlobalOptions, options: { quiet?: boolean } = {}) {
  return openIndex(resolveIndexLocation(global), stderrNotify(options.quiet));
}

/** An ingest with a progress bar on stderr (when it is a terminal and `progress` is not false). */
export async function ingestWithProgress(inputs: string[], location: string, options: RunIngestOptions & { progress?: boolean } = {}) {
  const { progress: show, ...rest } = options;
  const progress = createProgress("embedding", show);
  try {
    return await runIngest(inputs, location, { ...rest, onProgress: (event) => progress.update(event.done, event.total) });
  } finally {
    progress.stop();
  }
}

/**
 * The index of the bundled sample (data/) the fixture evals run on: built or refreshed incrementally in a
 * cache folder, unless --index/--store names one.
 */
export async function openSampleIndex(global: GlobalOptions, options: { json?: boolean } = {}) {
  const location = global.store || global.index ? resolveIndexLocation(global) : path.join(os.tmpdir(), "citewise-eval-retrieval");
  await ingestWithProgress([PACKAGE.dataDir], location, { progress: options.json ? false : undefined });
  return { location, index: await loadIndex(location) };
}

/** What every answering command does first: choose the writer, then open the index (see app/open.ts). */
export function openForTask(global: GlobalOptions, options: { model?: string; offline?: boolean; judge?: JudgeKind; timeout: number; json?: boolean }) {
  if (options.judge === "model" && options.offline) throw new UserError("--judge model needs the model server that --offline turns off; drop one of them");
  const writer: WriterOptions = { model: options.model, offline: options.offline, timeoutSeconds: options.timeout, judge: options.judge };
  return openTaskContext(resolveIndexLocation(global), writer, stderrNotify(options.json));
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
    indexSources: () => (isPostgresUrl(location) ? [] : currentSourcePaths(location)),
  };
}

/** A file the user names as input (--bib, --check, --suite): only a regular file, within a size limit, as text. */
export function readUserFile(file: string, what: string, limit = 64 * 1024 * 1024): string {
  const read = readRegularFile(path.resolve(file), limit);
  if (!read.ok) throw new UserError(`${what} ${file}: ${read.reason.replace(/^cannot read file \(ENOENT\)$/, "no such file")}`);
  return stripBom(read.bytes.toString("utf8"));
}
