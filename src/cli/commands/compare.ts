import { InvalidArgumentError, type Command } from "commander";
import { hasFilters } from "../../retrieve/filters.js";
import { renderComparison } from "../../tasks/compare/render.js";
import { compare, MAX_PAPERS, MIN_PAPERS, type CompareResult } from "../../tasks/compare/compare.js";
import { resultJson } from "../../tasks/core/json.js";
import { openForTask, outputPolicy, type GlobalOptions } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { printJson } from "../format.js";
import { addFilterOptions, addModelOptions, filtersFrom, queryProblem } from "../options.js";
import { checkOutputTarget, writeOutputFile } from "../output-file.js";
import { findPaper } from "./papers.js";
import { hasAbstract } from "../../corpus/paper.js";
import { TASK_DEFAULTS } from "../../settings.js";

function parsePaperCount(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < MIN_PAPERS || number > MAX_PAPERS) {
    throw new InvalidArgumentError(`-k must be a whole number from ${MIN_PAPERS} to ${MAX_PAPERS} (got "${value}")`);
  }
  return number;
}

export function registerCompare(program: Command): void {
  addFilterOptions(addModelOptions(program.command("compare"), 60), "with --query: ")
    .description("compare 2–6 papers: problem, approach, data/setting, results and limitations (a cited quote per cell), then common ground and differences")
    .argument("[ids...]", 'paper ids (a unique prefix is enough; see "citewise papers list")')
    .option("-q, --query <text>", "compare the papers retrieved for this query (with ids: focus the comparison on it)")
    .option("-k, --papers <n>", `papers retrieved with --query (${MIN_PAPERS}–${MAX_PAPERS})`, parsePaperCount, TASK_DEFAULTS.compare.papers)
    .option("--json", "print the table cells (quote, citation, support), prose, references and checks as JSON")
    .option("--out <file>", "also write the Markdown comparison to this file")
    .addHelpText(
      "after",
      "\nEvery cell is a quote from that paper's abstract with its [n]; citations are validated and each claim is checked.\n" +
        'Examples:\n  citewise compare lotr-low-tensor-rank aflora-adaptive\n  citewise compare --query "low-rank adaptation" -k 3 --json',
    )
    .action((ids: string[], options, command: Command) =>
      reportErrors(async () => {
        const query: string | undefined = options.query?.trim();
        const filters = filtersFrom(options);
        checkArguments(ids, options.query, filters, command.getOptionValueSource("papers") === "cli");
        const global = command.optsWithGlobals() as GlobalOptions;
        const policy = outputPolicy(global, { explicit: true });
        if (options.out) checkOutputTarget(options.out, policy);
        const context = await openForTask(global, options);
        let result: CompareResult;
        try {
          const all = [...context.index.papers.values()];
          const papers = ids.map((id) => findPaper(all, id));
          const titleOnly = papers.find((paper) => !hasAbstract(paper));
          if (titleOnly)
            throw new UserError(
              `${titleOnly.id} has no abstract in the library (title only): there is nothing to compare; ingest an export that has its abstract`,
            );
          result = await compare({ ...context, filters }, { papers, query, k: options.papers });
        } finally {
          await context.embedder.close?.();
        }
        const markdown = renderComparison(result);
        if (options.out) writeOutputFile(options.out, markdown, policy);
        if (options.json) return printJson(resultJson(result));
        process.stdout.write(markdown);
        if (options.out) process.stderr.write(`citewise: wrote ${options.out}\n`);
      }),
    );
}

function checkArguments(ids: string[], query: string | undefined, filters: ReturnType<typeof filtersFrom>, countGiven: boolean): void {
  const problem = query !== undefined ? queryProblem(query, "--query") : null;
  if (problem) throw new UserError(problem);
  if (query !== undefined && !ids.length) return;
  if (ids.length < MIN_PAPERS) {
    throw new UserError(`compare needs ${MIN_PAPERS}–${MAX_PAPERS} paper ids (got ${ids.length}), or --query "<question>"; see "citewise papers list"`);
  }
  if (ids.length > MAX_PAPERS) throw new UserError(`compare takes at most ${MAX_PAPERS} papers (got ${ids.length})`);
  if (hasFilters(filters) || countGiven) throw new UserError("-k, --year, --source and --lang choose papers for --query; they do not apply to named ids");
}
