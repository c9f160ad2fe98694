import os from "node:os";
import path from "node:path";
import { chooseWriter } from "../../app/open.js";
import { type DeepScholarSplit, evaluateDeepScholar, loadDeepScholar } from "../../eval/deepscholar.js";
import { createClaimJudge } from "../../ground/claim-judge.js";
import { createEmbedder } from "../../index/embedders/create.js";
import { loadIndex } from "../../index/snapshot.js";
import { TASK_DEFAULTS } from "../../settings.js";
import { type GlobalOptions, ingestWithProgress, resolveIndexLocation, stderrNotify } from "../context.js";
import { printJson } from "../format.js";
import { createProgress } from "../progress.js";

/**
 * `citewise eval --deepscholar DIR`: related-work drafts for DeepScholar-Bench's query papers over the pooled
 * corpus of their references (built once in a cache folder unless --index/--store names one), scored by
 * reference recall and citation precision against what the authors really cited.
 */
export async function runDeepScholarReport(
  options: { deepscholar: string; split: DeepScholarSplit; k?: number; limit?: number; model?: string; offline?: boolean; json?: boolean; timeout?: number },
  global: GlobalOptions,
): Promise<void> {
  const queries = loadDeepScholar(options.deepscholar, options.split).slice(0, options.limit);
  const indexDir =
    global.store || global.index
      ? resolveIndexLocation(global)
      : path.join(os.tmpdir(), `citewise-deepscholar-${path.basename(path.resolve(options.deepscholar))}`);
  await ingestWithProgress([path.join(options.deepscholar, "corpus.jsonl")], indexDir, { progress: options.json ? false : undefined });
  const index = await loadIndex(indexDir);
  const embedder = await createEmbedder(index.manifest.embedder.name, { dimension: index.manifest.embedder.dimension });
  const writer = await chooseWriter(
    { model: options.model, offline: options.offline, timeoutSeconds: options.timeout ?? TASK_DEFAULTS.relatedWork.timeoutSeconds },
    stderrNotify(options.json),
  );
  const judge = await createClaimJudge({ kind: "offline" });
  const progress = createProgress("drafting", options.json ? false : undefined);
  const k = options.k ?? TASK_DEFAULTS.relatedWork.papers;
  try {
    const scores = await evaluateDeepScholar({ index, embedder, writer, judge }, queries, { k, onItem: (done, total) => progress.update(done, total) });
    progress.stop();
    if (options.json) return printJson({ dataset: options.deepscholar, split: options.split, index: indexDir, generator: writer.name, ...scores });
    process.stdout.write(`DeepScholar-Bench ${options.split}: ${scores.queries} papers, related-work -k ${k} by ${writer.name}; index ${indexDir}\n`);
    process.stdout.write(`  reference recall     ${scores.referenceRecall.toFixed(3)}\n`);
    process.stdout.write(`  citation precision   ${scores.citationPrecision.toFixed(3)}\n`);
    process.stdout.write(`  search recall@20     ${scores.searchRecall20.toFixed(3)}\n`);
    process.stdout.write(`  papers cited (mean)  ${scores.meanCited.toFixed(1)}\n`);
  } finally {
    await embedder.close?.();
  }
}
