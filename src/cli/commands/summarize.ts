import type { Command } from "commander";
import { summarize } from "../../tasks/summarize.js";
import { openForTask, outputPolicy, type GlobalOptions } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { printJson } from "../format.js";
import { addFilterOptions, addModelOptions, filtersFrom, parsePositiveInt, queryProblem } from "../options.js";
import { checkOutputTarget, sameDestination, writeOutputFile } from "../output-file.js";
import { formatReference, renderResult } from "../render.js";
import { renderMarkdown } from "../../tasks/core/render.js";
import { resultJson } from "../../tasks/core/json.js";
import { TASK_DEFAULTS } from "../../settings.js";
import pc from "picocolors";
import { renderMap } from "../../tasks/map/html.js";
import { mapJson, mapOfSummary } from "../../tasks/map/literature-map.js";
import { mapFormatFor } from "./map.js";

export function registerSummarize(program: Command): void {
  addFilterOptions(addModelOptions(program.command("summarize"), 120))
    .description("literature summary of a topic: papers clustered into a two-level outline of named themes, each summarised with citations")
    .argument("<topic>", "the topic, in your own words")
    .option("-k, --papers <n>", "papers to retrieve and organise", parsePositiveInt("-k", 60), TASK_DEFAULTS.summarize.papers)
    .option("--out <file>", "also write the summary (Markdown) to a file")
    .option("--map <file>", "also write a literature map of the summary's papers, coloured by its themes (.html or .svg; see citewise map)")
    .option("--json", "print outline, text, per-sentence support and references as JSON")
    .addHelpText(
      "after",
      '\nExamples:\n  citewise summarize "quantization of neural networks"\n  citewise summarize "in-context learning" -k 30 --out summary.md --map summary-map.html',
    )
    .action((topic: string, options, command: Command) =>
      reportErrors(async () => {
        const problem = queryProblem(topic, "topic");
        if (problem) throw new UserError(problem);
        const global = command.optsWithGlobals() as GlobalOptions;
        const policy = outputPolicy(global, { explicit: true });
        const outTarget = options.out ? checkOutputTarget(options.out, policy) : null;
        if (options.map === "-") throw new UserError("--map - would mix the map into the summary on standard output; give --map a file name");
        const mapFormat = options.map ? mapFormatFor(options.map, "--map") : null;
        const mapTarget = options.map ? checkOutputTarget(options.map, policy) : null;
        if (outTarget && mapTarget && sameDestination(outTarget, mapTarget))
          throw new UserError(`--out and --map name the same file (${options.map}); give each its own`);
        const context = await openForTask(global, options);
        const result = await summarize(topic, { ...context, filters: filtersFrom(options) }, { k: options.papers });
        await context.embedder.close?.();
        if (options.out) writeOutputFile(options.out, renderMarkdown(result), policy);
        const map = options.map && mapFormat && result.answered ? await mapOfSummary(context.index, result) : null;
        const mapFile = map ? writeOutputFile(options.map, renderMap(map, mapFormat!), policy) : null;
        if (map) process.stderr.write(`citewise: wrote the map of ${map.papers.length} papers in ${map.themes.length} themes to ${mapFile}\n`);
        else if (options.map) process.stderr.write("citewise: no map written: the indexed papers do not address the topic\n");
        if (options.json) return printJson({ ...resultJson(result), ...(map ? { map: mapJson(map, mapFile) } : {}) });
        if (!result.answered) {
          process.stdout.write(`${result.text}\n`);
          return;
        }
        process.stdout.write(`${pc.bold(`# ${topic}`)} ${pc.dim(`— ${result.sources.length} papers, ${result.outline.length} themes`)}\n\n`);
        process.stdout.write(renderResult(result));
        process.stdout.write(`\n${pc.dim("All papers in the outline:")}\n${result.sources.map((s) => `  ${formatReference(s)}`).join("\n")}\n`);
      }),
    );
}
