import { InvalidArgumentError, type Command } from "commander";
import { hasFilters } from "../../retrieve/filters.js";
import { type CompareFormat, comparisonTable, FORMATS, renderComparison } from "../../tasks/compare/render.js";
import { compare, MAX_PAPERS, MIN_PAPERS, type CompareResult } from "../../tasks/compare/compare.js";
import { type CompareColumn, MAX_COLUMNS, parseColumns } from "../../tasks/compare/columns.js";
import { type LayoutChoice, LAYOUTS } from "../../tasks/compare/layout.js";
import { resultJson } from "../../tasks/core/json.js";
import { openForTask, outputPolicy, type GlobalOptions } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { jsonText, printJson } from "../format.js";
import { addFilterOptions, addModelOptions, choice, filtersFrom, queryProblem } from "../options.js";
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

function parseColumnOption(value: string): CompareColumn[] {
  const columns = parseColumns(value);
  if (typeof columns === "string") throw new InvalidArgumentError(columns);
  return columns;
}

/** The format of an --out file: --format when given, else its extension's (.md, .csv, .json), else text. */
function fileFormat(file: string, format: CompareFormat, formatGiven: boolean): CompareFormat {
  if (formatGiven) return format;
  const extension = /\.(md|markdown|csv|json)$/i.exec(file)?.[1]?.toLowerCase();
  return extension === "markdown" ? "md" : ((extension as CompareFormat | undefined) ?? "text");
}

function rendered(result: CompareResult, format: CompareFormat, layout: LayoutChoice): string {
  return format === "json" ? jsonText(comparisonTable(result)) : renderComparison(result, format, { layout });
}

export function registerCompare(program: Command): void {
  addFilterOptions(addModelOptions(program.command("compare"), 60), "with --query: ")
    .description(
      "compare 2–6 papers: problem, approach, data/setting, results and limitations (or the columns you name), a cited quote per cell, then common ground and differences",
    )
    .argument("[ids...]", 'paper ids (a unique prefix is enough; see "citewise papers list")')
    .option("-q, --query <text>", "compare the papers retrieved for this query (with ids: focus the comparison on it)")
    .option("-k, --papers <n>", `papers retrieved with --query (${MIN_PAPERS}–${MAX_PAPERS})`, parsePaperCount, TASK_DEFAULTS.compare.papers)
    .option(
      "--columns <names>",
      `comma-separated columns instead of the five facets, e.g. "dataset,metric,compute" (at most ${MAX_COLUMNS}); with a model each cell is a short value and its quote`,
      parseColumnOption,
    )
    .option(
      "--format <format>",
      "text (terminal, fits 100 columns), md (GitHub Markdown table), csv or json (the table alone)",
      choice("--format", FORMATS),
      TASK_DEFAULTS.compare.format,
    )
    .option(
      "--layout <layout>",
      "text format: table, papers (one block per paper) or auto (table when it fits)",
      choice("--layout", LAYOUTS),
      TASK_DEFAULTS.compare.layout,
    )
    .option("--json", "print the whole result as JSON: cells (quote, citation, support), prose, references and checks")
    .option("--out <file>", "also write the comparison to this file, in --format or else by its extension (.md, .csv, .json)")
    .addHelpText(
      "after",
      "\nEvery cell is a quote from that paper's abstract with its [n]; citations are validated and each claim is checked.\n" +
        "A model's --columns cell counts as supported only if its quote is found in that paper's abstract.\n" +
        'Examples:\n  citewise compare lotr-low-tensor-rank aflora-adaptive\n  citewise compare --query "low-rank adaptation" -k 3 --json\n' +
        '  citewise compare lotr aflora quanta --columns "dataset,metric,compute" --format csv',
    )
    .action((ids: string[], options, command: Command) =>
      reportErrors(async () => {
        const query: string | undefined = options.query?.trim();
        const filters = filtersFrom(options);
        checkArguments(ids, options.query, filters, command.getOptionValueSource("papers") === "cli");
        const formatGiven = command.getOptionValueSource("format") === "cli";
        if (options.json && formatGiven) throw new UserError(`--json prints the whole result and --format ${options.format} the table: give one of them`);
        const format = options.format as CompareFormat;
        const layout = options.layout as LayoutChoice;
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
          result = await compare({ ...context, filters }, { papers, query, k: options.papers, columns: options.columns });
        } finally {
          await context.embedder.close?.();
        }
        if (options.out) writeOutputFile(options.out, rendered(result, fileFormat(options.out, format, formatGiven), layout), policy);
        if (options.json) return printJson(resultJson(result));
        process.stdout.write(rendered(result, format, layout));
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
