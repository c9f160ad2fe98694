import { existsSync } from "node:fs";
import path from "node:path";
import { UserError } from "../errors.js";
import { selectWriter } from "../generate/select.js";
import type { Writer } from "../generate/writer.js";
import type { Embedder } from "../index/embedder.js";
import { createEmbedder } from "../index/embedders/create.js";
import { hasIndex, type IndexSnapshot, loadIndex } from "../index/snapshot.js";
import { JOURNAL_FILE } from "../index/local/layout.js";
import { hidePassword } from "../index/storage.js";
import { PACKAGE } from "../settings.js";
import { createClaimJudge, type JudgeKind } from "../ground/claim-judge.js";
import type { ClaimJudge } from "../ground/verdict.js";
import type { TaskContext } from "../tasks/core/context.js";
import { runIngest } from "./ingest.js";

/**
 * What opening says to the user: "info" (first-use building, which model writes) may be kept quiet, e.g.
 * under --json; a "warning" (a damaged index read from an older copy) is always worth saying.
 */
export type Notify = (message: string, kind: "info" | "warning") => void;

/**
 * Opens the index and the embedder its queries need, building the index from the bundled sample corpus the
 * first time (so `ask` works out of the box) — only into a folder that does not exist yet or is empty: a
 * folder with other files, or with damaged index versions, is reported, never built over.
 */
export async function openIndex(location: string, notify: Notify = () => {}): Promise<{ index: IndexSnapshot; embedder: Embedder }> {
  if (!(await hasIndex(location))) {
    // An interrupted first ingest left its embedded vectors: building the sample here would throw them away.
    if (existsSync(path.join(location, JOURNAL_FILE)))
      throw new UserError(
        `${location} holds an interrupted ingest (${JOURNAL_FILE}) and no published index yet; run "citewise --index ${location} ingest <your files>" again to finish it (the vectors already embedded are reused)`,
      );
    notify(`no index at ${hidePassword(location)}; building one from the bundled sample corpus (${PACKAGE.dataDir})…`, "info");
    const report = await runIngest([PACKAGE.dataDir], location);
    notify(`indexed ${report.papers} papers (${report.chunks} chunks) in ${report.seconds.toFixed(1)} s`, "info");
  }
  const index = await loadIndex(location);
  for (const notice of index.notices) notify(`note: ${notice}`, "warning");
  // Queries must be embedded by the embedder that built the index (its dimension is known: no probe request).
  const embedder = await createEmbedder(index.manifest.embedder.name, { dimension: index.manifest.embedder.dimension });
  return { index, embedder };
}

export interface WriterOptions {
  /** --model: a model on the configured server. */
  model?: string;
  /** --offline: the offline composer even when a server is configured. */
  offline?: boolean;
  /** Deadline of each request to the model server. */
  timeoutSeconds: number;
  /** --judge: who checks each sentence (default offline). */
  judge?: JudgeKind;
}

/**
 * What every answering command does first: choose who writes (saying which, so the user always knows where
 * text comes from), then open the index. The writer is chosen before the index opens, so a wrong --model
 * fails before any index is built.
 */
export async function openTaskContext(location: string, options: WriterOptions, notify: Notify = () => {}): Promise<TaskContext & { embedder: Embedder }> {
  const writer = await chooseWriter(options, notify);
  // Chosen before the index opens too: --judge model without a model server fails first.
  const judge = await createClaimJudge({ kind: options.judge, model: writer.chat });
  const { index, embedder } = await openIndex(location, notify);
  return { index, embedder, writer, judge };
}

/**
 * The judge `--judge` names, for commands that check text without writing any (verify, eval): the offline
 * judge, or the model the writer would be (same --model, same server), saying which as chooseWriter does.
 */
export async function chooseJudge(kind: JudgeKind, options: WriterOptions, notify: Notify = () => {}): Promise<ClaimJudge> {
  if (kind === "offline") return createClaimJudge({ kind });
  const writer = await chooseWriter({ ...options, offline: false }, notify);
  return createClaimJudge({ kind, model: writer.chat });
}

export async function chooseWriter(options: WriterOptions, notify: Notify = () => {}): Promise<Writer> {
  const choice = await selectWriter({ model: options.model, offline: options.offline, timeoutMs: options.timeoutSeconds * 1000 });
  if (choice.notice) notify(choice.notice, "info");
  return choice.writer;
}
