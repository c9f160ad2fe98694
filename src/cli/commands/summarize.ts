import type { Command } from "commander";
import { summarize } from "../../tasks/summarize.js";
import { openForTask, outputPolicy, type GlobalOptions } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { printJson } from "../format.js";
import { addFilterOptions, addModelOptions, filtersFrom, parsePositiveInt, queryProblem } from "../options.js";
import { checkOutputTarget, writeOutputFile } from "../output-file.js";
import { formatReference, renderResult } from "../render.js";
import { renderMarkdown } from "../../tasks/core/render.js";
import { resultJson } from "../../tasks/core/json.js";
import { TASK_DEFAULTS } from "../../settings.js";
import pc from "picocolors";

export function registerSummarize(program: Command): void {
  addFilterOptions(addModelOptions(program.command("summarize"), 120))
    .description("literature summary of a topic: papers clustered into a two-level outline of named themes, each summarised with citations")
    .argument("<topic>", "the topic, in your own words")
    .option("-k, --papers <n>", "papers to retrieve and organise", parsePositiveInt("-k", 60), TASK_DEFAULTS.summarize.papers)
    .option("--out <file>", "also write the summary (Markdown) to a file")
    .option("--json", "print outline, text, per-sentence support and references as JSON")
    .action((topic: string, options, command: Command) =>
      reportErrors(async () => {
        const problem = queryProblem(topic, "topic");
        if (problem) throw new UserError(problem);
        const global = command.optsWithGlobals() as GlobalOptions;
        const policy = outputPolicy(global, { explicit: true });
        if (options.out) checkOutputTarget(options.out, policy);
        const context = await openForTask(global, options);
        const result = await summarize(topic, { ...context, filters: filtersFrom(options) }, { k: options.papers });
        await context.embedder.close?.();
        if (options.out) writeOutputFile(options.out, renderMarkdown(result), policy);
        if (options.json) return printJson(resultJson(result));
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
