import { Command, CommanderError } from "commander";
import { registerAsk } from "./commands/ask.js";
import { registerChat } from "./commands/chat.js";
import { registerCompare } from "./commands/compare.js";
import { registerEval } from "./commands/eval.js";
import { registerRelatedWork } from "./commands/related-work.js";
import { registerSummarize } from "./commands/summarize.js";
import { registerMap } from "./commands/map.js";
import { registerIdeas } from "./commands/ideas.js";
import { registerIngest } from "./commands/ingest.js";
import { registerPapers } from "./commands/papers.js";
import { registerSearch } from "./commands/search.js";
import { registerVerify } from "./commands/verify.js";
import { installOutputGuards } from "./terminal.js";
import { PACKAGE } from "../settings.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("citewise")
    .description(
      "Research assistant for a pile of paper abstracts: search, cited answers, summaries and related-work drafts.\nWorks offline by default; set OPENAI_API_KEY or OPENAI_BASE_URL to write answers with a model.",
    )
    .version(PACKAGE.version)
    .option("--index <dir>", "index folder (default: $CITEWISE_INDEX or ./.citewise)")
    .option(
      "--store <location>",
      "where the index lives: a folder, or postgres://user:password@host:port/db for PostgreSQL + pgvector (default: $CITEWISE_STORE, else --index)",
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 done; 1 a bug in citewise (please report it); 2 a problem with the input, arguments or\nenvironment, explained in one line; 3 the command ran and its check found problems (eval --check).",
    )
    // One line, like every other error: "citewise: error: unknown option '--bogus' (run with --help for usage)".
    .configureOutput({ outputError: (text, write) => write(`citewise: ${text.trim().replace(/\s*\n\s*/g, " ")} (run with --help for usage)\n`) })
    .exitOverride();
  registerIngest(program);
  registerSearch(program);
  registerAsk(program);
  registerChat(program);
  registerSummarize(program);
  registerMap(program);
  registerCompare(program);
  registerIdeas(program);
  registerRelatedWork(program);
  registerEval(program);
  registerPapers(program);
  registerVerify(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // Nothing printed may carry a secret or a terminal control that came from data or a server.
  installOutputGuards();
  // `citewise papers list | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    // Commander already printed its message (unknown option, missing argument, --help, --version).
    if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
    else throw error;
  }
}
