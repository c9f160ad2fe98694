import type { Command } from "commander";
import pc from "picocolors";
import { suggestIdeas } from "../../tasks/ideas/ideas.js";
import { openForTask, outputPolicy, type GlobalOptions } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { printJson } from "../format.js";
import { addFilterOptions, addModelOptions, filtersFrom, parsePositiveInt, queryProblem } from "../options.js";
import { renderResult } from "../render.js";
import { renderMarkdown } from "../../tasks/core/render.js";
import { resultJson } from "../../tasks/core/json.js";
import { TASK_DEFAULTS } from "../../settings.js";
import { checkOutputTarget, writeOutputFile } from "../output-file.js";

export function registerIdeas(program: Command): void {
  addFilterOptions(addModelOptions(program.command("ideas"), 120))
    .description(
      "research ideas grounded in the corpus: a method one paper introduces for a problem another states, with why it might work, citations and a novelty check against the other indexed papers",
    )
    .argument("<background>", "your research background or interest, in a sentence or a paragraph")
    .option(
      "-k, --papers <n>",
      "at most this many papers to build on: retrieved for the background, those not about it left out",
      parsePositiveInt("-k", 60),
      TASK_DEFAULTS.ideas.papers,
    )
    .option("-n, --count <n>", "how many ideas", parsePositiveInt("--count", 20), TASK_DEFAULTS.ideas.count)
    .option("--out <file>", "also write the ideas (Markdown) to a file")
    .option("--json", "print ideas, novelty checks, per-sentence support and references as JSON")
    .action((background: string, options, command: Command) =>
      reportErrors(async () => {
        const problem = queryProblem(background, "background");
        if (problem) throw new UserError(problem);
        const global = command.optsWithGlobals() as GlobalOptions;
        const policy = outputPolicy(global, { explicit: true });
        if (options.out) checkOutputTarget(options.out, policy);
        const context = await openForTask(global, options);
        const result = await suggestIdeas(background, { ...context, filters: filtersFrom(options) }, { k: options.papers, count: options.count });
        await context.embedder.close?.();
        if (options.out) writeOutputFile(options.out, renderMarkdown(result), policy);
        if (options.json) return printJson(resultJson(result));
        // Unanswered: the reason, and the warnings (withheld sentences) that may explain it.
        if (!result.answered) return void process.stdout.write(`${[result.text, ...result.warnings.map((warning) => `Warning: ${warning}`)].join("\n\n")}\n`);
        process.stdout.write(
          `${pc.dim("Ideas are suggestions; the sentences under each are what the cited papers say. The novelty check only looks at the indexed papers.")}\n\n`,
        );
        process.stdout.write(renderResult(result));
      }),
    );
}
