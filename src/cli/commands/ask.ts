import type { Command } from "commander";
import { ask } from "../../tasks/ask.js";
import { openForTask, type GlobalOptions } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { printJson } from "../format.js";
import { addFilterOptions, addModelOptions, filtersFrom, parsePositiveInt, queryProblem } from "../options.js";
import { renderAnswer, streamedTail } from "../render.js";
import { resultJson } from "../../tasks/core/json.js";
import { secretSafeStream } from "../terminal.js";

/** Printed on stdout after streamed text when the reply then failed. */
export const INCOMPLETE_MARKER = "[answer incomplete: the model's reply failed part-way; the text above is unchecked and has no references]";

/** Options shared by ask and chat. */
export function addAnswerOptions(command: Command): Command {
  return addFilterOptions(addModelOptions(command, 60))
    .option("-k, --sources <n>", "papers retrieved and numbered as sources", parsePositiveInt("--sources", 20), 5)
    .option("--max-sentences <n>", "longest answer, in sentences", parsePositiveInt("--max-sentences", 30), 5);
}

export function registerAsk(program: Command): void {
  addAnswerOptions(
    program
      .command("ask")
      .description("answer a question from the indexed papers, with [n] citations, references and a groundedness check")
      .argument("<question>", "your question"),
  )
    .option("--stream", "print the model's answer as it is written (default when stdout is a terminal)")
    .option("--no-stream", "print the answer only when it is complete")
    .option("--json", "print the answer, per-sentence support, references and sources as JSON")
    .addHelpText(
      "after",
      "\nWith no OPENAI_API_KEY / OPENAI_BASE_URL the answer is composed offline from source sentences.\n" +
        'Examples:\n  citewise ask "How does DeltaZip compress fine-tuned models?"\n  OPENAI_BASE_URL=http://127.0.0.1:11434/v1 citewise ask --model llama3.1 "…"',
    )
    .action((question: string, options, command: Command) =>
      reportErrors(async () => {
        const problem = queryProblem(question, "question");
        if (problem) throw new UserError(problem);
        const context = await openForTask(command.optsWithGlobals() as GlobalOptions, options);
        const stream = !options.json && context.writer.chat !== null && (options.stream ?? process.stdout.isTTY === true);
        let streamed = false;
        // A secret the server echoes across two streamed pieces must not slip between per-write filters.
        const screen = secretSafeStream((text) => process.stdout.write(text));
        const onToken = stream
          ? (token: string) => {
              streamed = true;
              screen.write(token);
            }
          : undefined;
        const result = await ask(
          question,
          { ...context, filters: filtersFrom(options), onToken },
          { sources: options.sources, maxSentences: options.maxSentences },
        ).catch((error: unknown) => {
          // Text already on screen must not pass for an answer: close it with a marker (the cause goes to stderr).
          screen.flush();
          if (streamed) process.stdout.write(`\n${INCOMPLETE_MARKER}\n`);
          throw error;
        });
        screen.flush();
        await context.embedder.close?.();
        if (options.json) return printJson(resultJson(result));
        process.stdout.write(stream && result.answered ? streamedTail(result) : renderAnswer(result));
      }),
    );
}
