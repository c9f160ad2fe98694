import { InvalidArgumentError, type Command } from "commander";
import pc from "picocolors";
import { onlyBundledSample, SAMPLE_NOTICE } from "../../app/location.js";
import { searchPapers, type RetrievalMode } from "../../retrieve/search.js";
import { openIndexFor, type GlobalOptions } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { excerpt, paperFacts, paperLabel, printJson, searchResultToJson } from "../format.js";
import { addFilterOptions, filtersFrom, parsePositiveInt, queryProblem } from "../options.js";

const MODES: RetrievalMode[] = ["hybrid", "bm25", "dense"];

export function parseMode(value: string): RetrievalMode {
  if (!MODES.includes(value as RetrievalMode)) throw new InvalidArgumentError(`--mode must be one of ${MODES.join(", ")}`);
  return value as RetrievalMode;
}

export function registerSearch(program: Command): void {
  addFilterOptions(program.command("search"))
    .description("find the papers that best match a query (hybrid BM25 + dense retrieval)")
    .argument("<query>", "what you are looking for, in your own words")
    .option("-k, --top <n>", "number of papers to return", parsePositiveInt("-k", 200), 10)
    .option("--mode <mode>", "hybrid, bm25 or dense", parseMode, "hybrid")
    .option("--exact", "dense search ranks every vector exactly (slower; default: int8 scan, exact re-rank; also $CITEWISE_EXACT_SEARCH=1)")
    .option("--json", "print results as JSON (each with title, full abstract, score and matching chunks)")
    .action((query: string, options, command: Command) =>
      reportErrors(async () => {
        const problem = queryProblem(query, "query");
        if (problem) throw new UserError(problem === "the query is empty" ? "the query is empty; say what you are looking for" : problem);
        const { index, embedder } = await openIndexFor(command.optsWithGlobals() as GlobalOptions, { quiet: options.json });
        const results = await searchPapers(index, embedder, query, {
          k: options.top,
          mode: options.mode,
          filters: filtersFrom(options),
          exact: options.exact ? true : undefined,
        });
        if (!options.json && onlyBundledSample(index.papers.values())) process.stderr.write(pc.dim(`note: ${SAMPLE_NOTICE}\n`));
        if (options.json) {
          printJson({ query, mode: options.mode, k: options.top, results: results.map((result, i) => searchResultToJson(result, i + 1)) });
          return;
        }
        if (results.length === 0) {
          process.stdout.write("No matching papers. Try other words, or drop filters.\n");
          return;
        }
        results.forEach((result, i) => {
          process.stdout.write(
            `${pc.bold(`${String(i + 1).padStart(2)}. ${paperLabel(result.paper)}`)}  ${pc.dim(`[${result.paper.id}] score ${result.score.toFixed(4)}`)}\n`,
          );
          process.stdout.write(`    ${pc.dim(paperFacts(result.paper))}\n`);
          const best = result.chunks[0];
          if (best?.chunk.sentences.length) process.stdout.write(`    ${excerpt(best.chunk.sentences.join(" "))}\n`);
        });
      }),
    );
}
