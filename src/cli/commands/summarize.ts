import type { Command } from "commander";
import { summarize } from "../../tasks/summarize.js";
import { openForTask, outputPolicy, type GlobalOptions } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { printJson } from "../format.js";
import { addFilterOptions, addModelOptions, filtersFrom, parsePositiveInt, queryProblem } from "../options.js";
import { renderCheckedDocument } from "../render-document.js";
import { checkOutputTarget, writeOutputFile } from "../output-file.js";
import { formatReference } from "../render-answer.js";
import pc from "picocolors";

export function registerSummarize(program: Command): void {
  addFilterOptions(addModelOptions(program.command("summarize"), 120))
    .description("literature summary of a topic: papers clustered into a two-level outline of named themes, each summarised with citations")
    .argument("<topic>", "the topic, in your own words")
    .option("-k, --papers <n>", "papers to retrieve and organise", parsePositiveInt("-k", 60), 20)
    .option("--out <file>", "also write the summary (Markdown) to a file")
    .option("--json", "print outline, text, per-sentence support and references as JSON")
    .action((topic: string, options, command: Command) =>
      reportErrors(async () => {
        const problem = queryProblem(topic, "topic");
        if (problem) throw new UserError(problem);
        const global = command.optsWithGlobals() as GlobalOptions;
        const policy = outputPolicy(global, { explicit: true });
        if (options.out) checkOutputTarget(options.out, policy);
        const { selection, index, embedder } = await openForTask(global, options);
        const result = await summarize(topic, {
          index,
          embedder,
          generator: selection.generator,
          chat: selection.chat,
          k: options.papers,
          filters: filtersFrom(options),
        });
        await embedder.close?.();
        if (options.out) writeOutputFile(options.out, result.text, policy);
        if (options.json) return printJson(result);
        if (!result.answered) {
          process.stdout.write(`${result.text}\n`);
          return;
        }
        process.stdout.write(`${pc.bold(`# ${topic}`)} ${pc.dim(`— ${result.sources.length} papers, ${result.outline.length} themes`)}\n\n`);
        process.stdout.write(renderCheckedDocument(result, { sources: result.sources }));
        process.stdout.write(`\n${pc.dim("All papers in the outline:")}\n${result.sources.map((s) => `  ${formatReference(s)}`).join("\n")}\n`);
      }),
    );
}
