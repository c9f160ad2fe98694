import path from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import { onlyBundledSample, SAMPLE_NOTICE } from "../../app/location.js";
import { TASK_DEFAULTS } from "../../settings.js";
import { referenceLine } from "../../tasks/core/render.js";
import { MAP_FORMATS, type MapFormat, renderMap } from "../../tasks/map/html.js";
import { literatureMap, mapJson } from "../../tasks/map/literature-map.js";
import { openIndexFor, outputPolicy, type GlobalOptions } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { printJson } from "../format.js";
import { addFilterOptions, choice, filtersFrom, parsePositiveInt, queryProblem } from "../options.js";
import { checkOutputTarget, writeOutputFile } from "../output-file.js";

const DEFAULT_OUT = TASK_DEFAULTS.map.out;

/** The map's format: --format if given, else the file's extension (.html/.htm or .svg); "-" is HTML. */
export function mapFormatFor(file: string, option: string, forced?: MapFormat): MapFormat {
  if (forced) return forced;
  if (file === "-") return "html";
  const extension = path.extname(file).toLowerCase();
  if (extension === ".svg") return "svg";
  if (extension === ".html" || extension === ".htm") return "html";
  const hint = option === "--out" ? ", or pass --format html|svg" : "";
  throw new UserError(`${option} ${file}: a map is an .html or .svg file; give the file one of those extensions${hint}`);
}

export function registerMap(program: Command): void {
  addFilterOptions(program.command("map"))
    .description(
      "draw a literature map of a topic: the retrieved papers placed by their embeddings, coloured by theme, as a self-contained HTML page or SVG picture",
    )
    .argument("<topic>", "the topic, in your own words")
    .option("-k, --papers <n>", "papers to retrieve and draw", parsePositiveInt("-k", 60), TASK_DEFAULTS.map.papers)
    .option("--themes <n>", "most themes (one colour each)", parsePositiveInt("--themes", 8), TASK_DEFAULTS.map.themes)
    .option("--out <file>", `write the map here: a .html or .svg file, - for standard output (default: ./${DEFAULT_OUT}, .svg with --format svg)`)
    .option("--format <format>", `${MAP_FORMATS.join(" or ")} (default: from the --out extension)`, choice("--format", MAP_FORMATS))
    .option("--force", `replace the default ./${DEFAULT_OUT} if it exists (a file named with --out is replaced anyway)`)
    .option("--json", "also print the file written and each paper's and theme's position (SVG units) as JSON")
    .addHelpText(
      "after",
      "\nThe page needs no network: style, script and picture are inside the file. Hover a dot for the paper's\n" +
        "title, year and id; hover a legend entry to pick out one theme. Positions are a 2-D projection of the\n" +
        "papers' embeddings (nearby = similar abstracts); themes are the ones summarize uses.\n" +
        'Examples:\n  citewise map "efficient inference for large language models"\n  citewise map "quantization" -k 30 --out quantization.svg\n  citewise map "low-rank adaptation" --year 2023- --out - > lora.html',
    )
    .action((topic: string, options, command: Command) =>
      reportErrors(async () => {
        const problem = queryProblem(topic, "topic");
        if (problem) throw new UserError(problem);
        const global = command.optsWithGlobals() as GlobalOptions;
        const out: string = options.out ?? (options.format === "svg" ? DEFAULT_OUT.replace(/\.html$/, ".svg") : DEFAULT_OUT);
        if (out === "-" && options.json) throw new UserError("--out - and --json would both write to standard output; give --out a file name");
        const format = mapFormatFor(out, "--out", options.format as MapFormat | undefined);
        const policy = outputPolicy(global, { explicit: options.out !== undefined, force: options.force, hint: "pass --force to replace it, or --out FILE" });
        checkOutputTarget(out, policy);

        const { index, embedder } = await openIndexFor(global, { quiet: options.json });
        const result = await literatureMap(topic, { index, embedder, filters: filtersFrom(options) }, { k: options.papers, maxThemes: options.themes });
        await embedder.close?.();
        if (!options.json && onlyBundledSample(index.papers.values())) process.stderr.write(pc.dim(`note: ${SAMPLE_NOTICE}\n`));
        if (!result.map) {
          if (options.json) return printJson({ topic, answered: false, file: null, papers: [], themes: [], nearest: result.nearest });
          const nearest = result.nearest.map((paper) => `  ${referenceLine(paper)}`).join("\n");
          process.stdout.write(`The indexed papers do not address this; no map was written.${nearest ? `\nNearest papers:\n${nearest}` : ""}\n`);
          return;
        }
        const file = writeOutputFile(out, renderMap(result.map, format), policy);
        const shown = out === "-" ? null : file;
        if (options.json) return printJson({ topic, answered: true, format, ...mapJson(result.map, shown) });
        // With --out - the map itself is on standard output: the summary goes to stderr.
        const say = (text: string) => (out === "-" ? process.stderr.write(text) : process.stdout.write(text));
        const { papers, themes } = result.map;
        say(
          `Wrote a map of ${papers.length} papers in ${themes.length} themes to ${shown ?? "standard output"} (${format}; opens in a browser, no network needed)\n`,
        );
        for (const theme of themes) say(`  ${theme.name} ${pc.dim(`(${theme.count})`)}\n`);
      }),
    );
}
