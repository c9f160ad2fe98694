import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { readQueryVectors } from "./dataset.js";
import { RssMonitor } from "./measure.js";
import type { SystemContext } from "./systems/types.js";

/**
 * One system at one corpus size, alone in its own process so its peak RSS is its own:
 *   node .cache/bench/bench/worker.js --system orama --data DIR --queries FILE --result FILE [--label 10k] ...
 * The result file is rewritten after every phase, so a run killed by the driver's time limit keeps what it measured.
 */
const { values } = parseArgs({
  options: {
    system: { type: "string" },
    data: { type: "string" },
    inputs: { type: "string", multiple: true },
    queries: { type: "string" },
    result: { type: "string" },
    label: { type: "string", default: "" },
    sentences: { type: "string", default: "" },
    "sentence-cache": { type: "string", default: "" },
    "index-dir": { type: "string", default: "" },
    k: { type: "string", default: "10" },
    warmup: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    "budget-ms": { type: "string", default: "60000" },
  },
});
const system = values.system;
const resultFile = values.result;
if (!system || !resultFile || !values.queries) throw new Error("usage: worker --system NAME --queries FILE --result FILE [--data DIR | --inputs PATH]");

const monitor = new RssMonitor(50);
const result: Record<string, unknown> = { system, label: values.label, status: "running", pid: process.pid };
const save = () => writeFileSync(resultFile, JSON.stringify(result, null, 2));
const log = (message: string) => process.stderr.write(`  [${system}${values.label ? ` ${values.label}` : ""}] ${message}\n`);

const ctx: SystemContext = {
  dataDir: values.data ?? "",
  queries: readQueryVectors(values.queries),
  plan: { warmup: Number(values.warmup), rounds: Number(values.rounds), budgetMs: Number(values["budget-ms"]) },
  k: Number(values.k),
  sentencesFile: values.sentences,
  sentenceCacheFile: values["sentence-cache"],
  set(key, value) {
    result[key] = value;
    save();
  },
  baseline() {
    global.gc?.();
    result.baselineRssMiB = monitor.sample();
    save();
  },
  snapshotPeak() {
    result.memory = monitor.peak();
    save();
  },
  log,
};

try {
  save();
  if (system === "citewise-ingest") await (await import("./systems/citewise.js")).runCitewiseIngest(ctx, values["index-dir"]!);
  else if (system === "citewise") await (await import("./systems/citewise.js")).runCitewiseQuery(ctx, values["index-dir"]!);
  else if (system === "citewise-real") await (await import("./systems/citewise.js")).runCitewiseReal(ctx, values.inputs ?? []);
  else if (system === "langchain") await (await import("./systems/langchain.js")).runLangchain(ctx);
  else if (system === "orama") await (await import("./systems/orama.js")).runOrama(ctx);
  else throw new Error(`unknown system "${system}"`);
  result.memory ??= monitor.peak();
  result.status = "ok";
} catch (error) {
  result.status = "failed";
  result.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  result.memoryAtFailure = monitor.peak();
  log(`failed: ${result.error}`);
  process.exitCode = 1;
} finally {
  monitor.stop();
  save();
}
