import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import pc from "picocolors";
import { chooseJudge, chooseWriter } from "../../app/open.js";
import { runSuite, loadSuite } from "../../eval/answer-suite.js";
import { beirAsParsedInputs, loadBeir } from "../../eval/beir.js";
import { evaluateBeir } from "../../eval/beir-eval.js";
import { checkThresholds, markdownReport, summaryLines, thresholdProblems, type Thresholds } from "../../eval/report.js";
import { createClaimJudge } from "../../ground/claim-judge.js";
import { createEmbedder } from "../../index/embedders/create.js";
import { loadIndex } from "../../index/snapshot.js";
import { EXIT } from "../../errors.js";
import { PACKAGE, TASK_DEFAULTS } from "../../settings.js";
import { ingestWithProgress, openIndexFor, outputPolicy, readUserFile, resolveIndexLocation, stderrNotify, type GlobalOptions } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { printJson } from "../format.js";
import { parsePositiveInt } from "../options.js";
import { checkOutputTarget, writeOutputFile } from "../output-file.js";
import { createProgress } from "../progress.js";
import { parseMode } from "./search.js";
import { runClaimsReport, runJudgeFixturesReport } from "./eval-claims.js";
import { runRetrievalReport } from "./eval-retrieval.js";
import { runDeepScholarReport } from "./eval-deepscholar.js";
import { runThemesReport } from "./eval-themes.js";
import { DEEPSCHOLAR_SPLITS, type DeepScholarSplit } from "../../eval/deepscholar.js";

function parseJudge(value: string): "offline" | "llm" {
  // "model" is the name the other commands use; "llm" is kept for scripts written before.
  if (value === "model") return "llm";
  if (value !== "offline" && value !== "llm") throw new InvalidArgumentError('--judge must be "offline" or "model"');
  return value;
}

export function registerEval(program: Command): void {
  program
    .command("eval")
    .description(
      "measure retrieval, citation quality (ALCE recall/precision), key facts and abstention on an eval suite; or retrieval alone on the bundled fixtures (--retrieval) or a BEIR dataset (--beir)",
    )
    .addOption(
      new Option("--suite <files...>", "JSONL suites: answerable, unanswerable and task items").default(
        [path.join(PACKAGE.evalsDir, "answers.jsonl"), path.join(PACKAGE.evalsDir, "tasks.jsonl")],
        "the bundled evals/answers.jsonl and evals/tasks.jsonl",
      ),
    )
    .option("--limit <n>", "only the first N items", parsePositiveInt("--limit", 100_000))
    .option("--judge <kind>", "groundedness judge: offline (default) or model (needs a model server)", parseJudge, "offline")
    .option("--model <name>", "model for answers (and the LLM judge)")
    .option("--offline", "answer with the offline composer even when a model server is configured")
    .option(
      "--timeout <seconds>",
      "deadline of each model request (default: the task's own, 60 s for answers, 120 s for --deepscholar drafts)",
      parsePositiveInt("--timeout", 24 * 3600),
    )
    .option("--out <file>", "write a Markdown report (per-item table and summary)")
    .option("--check <thresholds.json>", "exit 3 when a metric falls past the recorded thresholds")
    .option("--beir <dir>", "instead: evaluate retrieval on a BEIR dataset folder (corpus.jsonl[.gz], queries.jsonl, qrels/)")
    .option("--deepscholar <dir>", "instead: related-work drafts on DeepScholar-Bench (queries.jsonl, corpus.jsonl): reference recall and citation precision")
    .option("-k, --papers <n>", "with --deepscholar: related-work's -k", parsePositiveInt("-k", 40))
    .option("--claims <dirs...>", "instead: the groundedness judge on SciFact-format claim-verification sets (corpus.jsonl, claims_<split>.jsonl)")
    .option(
      "--judge-fixtures [files...]",
      "instead: the groundedness judge on model-written answers over data/ (default: evals/judge-fixtures/dev.jsonl and test.jsonl)",
    )
    .option("--verbose", "with --judge-fixtures: list every sentence the judge got wrong")
    .option(
      "--split <name>",
      "BEIR qrels split (default test), claim-set split (default dev), DeepScholar split (dev, test or all; default dev), or with --retrieval the fixtures' split (default all)",
    )
    .option("--modes <list>", "BEIR retrieval modes, comma-separated", "bm25,dense,hybrid")
    .option(
      "--themes [file]",
      "instead: the theme outlines of literature tasks for a list of topics (default evals/themes.jsonl): coherence, balance, generic names",
    )
    .option("--retrieval", "instead: BM25, dense and hybrid side by side on retrieval fixtures over data/ (evals/retrieval.jsonl)")
    .addOption(
      new Option("--fixtures <file>", "with --retrieval: the fixtures (JSONL)").default(
        path.join(PACKAGE.evalsDir, "retrieval.jsonl"),
        "the bundled evals/retrieval.jsonl",
      ),
    )
    .option("--grid", "with --retrieval: also sweep fusion weight and RRF k (how the defaults were chosen)")
    .option("--json", "print results as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  citewise eval --out report.md\n  citewise eval --check evals/thresholds.json\n  citewise eval --retrieval --grid\n  citewise eval --themes --index .cache/sample-index\n  citewise eval --beir ../shared/bench/scifact --index .cache/scifact-index\n  citewise eval --claims ../shared/bench/claims/check-covid ../shared/bench/scifact --split dev",
    )
    .action((options, command: Command) =>
      reportErrors(async () => {
        const global = command.optsWithGlobals() as GlobalOptions;
        const modes = [
          options.judgeFixtures && "--judge-fixtures",
          options.claims && "--claims",
          options.beir && "--beir",
          options.deepscholar && "--deepscholar",
          options.retrieval && "--retrieval",
          options.themes && "--themes",
        ].filter(Boolean);
        const alone = modes[0] ?? null;
        if (modes.length > 1) throw new UserError(`${modes.join(" and ")} are different evals; run one at a time`);
        if (alone && options.check) throw new UserError(`--check gates the answer-suite eval and does nothing with ${alone}; drop one of them`);
        // --out writes the answer-suite report; the other evals print theirs (redirect, or --json > file).
        if (alone && options.out)
          throw new UserError(
            `--out writes the answer-suite report and does nothing with ${alone}; redirect the printed report instead (e.g. citewise eval ${alone} … --json > report.json)`,
          );
        if (options.judgeFixtures) {
          const files =
            options.judgeFixtures === true
              ? ["dev", "test"].map((split) => path.join(PACKAGE.evalsDir, "judge-fixtures", `${split}.jsonl`))
              : options.judgeFixtures;
          return runJudgeFixturesReport(files, options, global, await judgeOnly(options));
        }
        if (options.claims) return runClaimsReport(options.claims, { ...options, split: options.split ?? "dev" }, await judgeOnly(options));
        if (options.deepscholar) {
          const split = options.split ?? "dev";
          if (!(DEEPSCHOLAR_SPLITS as readonly string[]).includes(split))
            throw new UserError(`--split must be one of ${DEEPSCHOLAR_SPLITS.join(", ")} with --deepscholar`);
          return runDeepScholarReport({ ...options, k: options.papers, split: split as DeepScholarSplit }, global);
        }
        if (options.beir) return runBeir({ ...options, split: options.split ?? "test" }, global);
        if (options.retrieval) return runRetrievalReport(options, global);
        if (options.themes) {
          const file = options.themes === true ? path.join(PACKAGE.evalsDir, "themes.jsonl") : options.themes;
          if (!existsSync(file)) throw new UserError(`no such topics file: ${file}`);
          return runThemesReport(file, options, global);
        }
        const suites: string[] = options.suite;
        for (const file of suites) {
          if (!existsSync(file)) throw new UserError(`no such suite file: ${file}`);
          readUserFile(file, "suite");
        }
        const policy = outputPolicy(global, { explicit: true, inputs: [...suites, ...(options.check ? [options.check] : [])] });
        if (options.out) checkOutputTarget(options.out, policy);
        const thresholds = options.check ? readThresholds(options.check) : null;
        const items = suites.flatMap((file) => loadSuite(file)).slice(0, options.limit);
        if (options.judge === "llm" && options.offline) throw new UserError("--judge llm needs the model server that --offline turns off; drop one of them");
        const writer = await chooseWriter(
          { model: options.model, offline: options.offline, timeoutSeconds: options.timeout ?? TASK_DEFAULTS.ask.timeoutSeconds },
          stderrNotify(options.json),
        );
        const judge = await createClaimJudge({ kind: options.judge === "llm" ? "model" : "offline", model: writer.chat });
        const { index, embedder } = await openIndexFor(global, { quiet: options.json });
        const progress = createProgress("evaluating", options.json ? false : undefined);
        const { results, summary } = await runSuite(items, {
          index,
          embedder,
          writer,
          judge,
          onItem: (done, total) => progress.update(done, total),
        });
        progress.stop();
        await embedder.close?.();
        const context = {
          suite: suites.map((file) => path.relative(process.cwd(), file) || file).join(", "),
          generator: writer.name,
          judge: judge.name,
          embedder: index.manifest.embedder.name,
          date: new Date().toISOString().slice(0, 10),
        };
        if (options.out) writeOutputFile(options.out, markdownReport(results, summary, context), policy);
        const failures = thresholds ? checkThresholds(summary, thresholds) : [];
        if (options.json) printJson({ ...context, summary, results, thresholdFailures: failures });
        else {
          process.stdout.write(`${pc.bold("citewise eval")} — ${context.suite}, answers by ${context.generator}, judge ${context.judge}\n`);
          for (const [name, value] of summaryLines(summary)) process.stdout.write(`  ${name.padEnd(46)} ${value}\n`);
          if (options.out) process.stdout.write(`report: ${options.out}\n`);
          for (const failure of failures) process.stdout.write(pc.red(`FAIL ${failure}\n`));
          if (options.check && failures.length === 0) process.stdout.write(pc.green(`all metrics within ${options.check}\n`));
        }
        if (failures.length) process.exitCode = EXIT.checkFailed;
      }),
    );
}

/** The judge for --claims and --judge-fixtures, which write no answers (so no writer is chosen). */
function judgeOnly(options: { judge: "offline" | "llm"; model?: string; json?: boolean; timeout?: number }) {
  return chooseJudge(
    options.judge === "llm" ? "model" : "offline",
    { model: options.model, timeoutSeconds: options.timeout ?? TASK_DEFAULTS.ask.timeoutSeconds },
    stderrNotify(options.json),
  );
}

function readThresholds(file: string): Thresholds {
  let value: unknown;
  const text = readUserFile(file, "thresholds");
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`cannot read thresholds ${file}: ${(error as Error).message}`);
  }
  const problems = thresholdProblems(value);
  if (problems.length)
    throw new UserError(`thresholds ${file}: ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ""}`);
  return value as Thresholds;
}

async function runBeir(options: { beir: string; split: string; modes: string; limit?: number; json?: boolean }, global: GlobalOptions): Promise<void> {
  const modes = options.modes.split(",").map((mode) => parseMode(mode.trim()));
  const dataset = loadBeir(options.beir, options.split);
  const indexDir =
    global.store || global.index ? resolveIndexLocation(global) : path.join(os.tmpdir(), `citewise-beir-${path.basename(path.resolve(options.beir))}`);
  const report = await ingestWithProgress([], indexDir, { parsed: beirAsParsedInputs(dataset), progress: options.json ? false : undefined });
  const index = await loadIndex(indexDir);
  const embedder = await createEmbedder(index.manifest.embedder.name, { dimension: index.manifest.embedder.dimension });
  const scores = await evaluateBeir(index, embedder, dataset, modes, options.limit);
  await embedder.close?.();
  if (options.json) return printJson({ dataset: options.beir, split: options.split, documents: report.papers, index: indexDir, scores });
  process.stdout.write(
    `BEIR ${path.basename(path.resolve(options.beir))} (${options.split}): ${report.papers} documents, ${scores[0]?.queries ?? 0} queries; index ${indexDir}\n`,
  );
  process.stdout.write(`  ${"mode".padEnd(8)} ${"nDCG@10".padStart(8)} ${"R@100".padStart(8)} ${"MRR".padStart(8)}\n`);
  for (const s of scores)
    process.stdout.write(`  ${s.mode.padEnd(8)} ${s.ndcg10.toFixed(4).padStart(8)} ${s.recall100.toFixed(4).padStart(8)} ${s.mrr.toFixed(4).padStart(8)}\n`);
}
