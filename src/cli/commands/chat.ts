import readline from "node:readline";
import { Transform } from "node:stream";
import type { Command } from "commander";
import pc from "picocolors";
import { ChatSession, type ChatTurn } from "../../tasks/chat-session.js";
import { openForTask, outputPolicy, type GlobalOptions } from "../context.js";
import type { OutputPolicy } from "../output-file.js";
import { describeError, reportErrors } from "../errors.js";
import { excerpt, paperFacts, paperLabel, printJson } from "../format.js";
import { filtersFrom, queryProblem } from "../options.js";
import { resultJson } from "../../tasks/core/json.js";
import { renderWithTail } from "../../tasks/core/render.js";
import { formatReference, renderAnswer, streamedTail } from "../render.js";
import { writeOutputFile } from "../output-file.js";
import { addAnswerOptions, INCOMPLETE_MARKER } from "./ask.js";
import { secretSafeStream } from "../terminal.js";

const HELP = `Ask questions in plain words; follow-ups may refer back ("what are its limitations?").
  /sources      sources of the last answer
  /paper N      full record of source [N] of the last answer
  /export FILE  save the conversation as Markdown (/export --force FILE replaces an existing file)
  /help         this help
  /quit         leave (also Ctrl-D)`;

export function registerChat(program: Command): void {
  addAnswerOptions(program.command("chat").description("interactive question answering with history, follow-up questions and slash commands"))
    .option("--json", "print one JSON object per line for each answered question (the ask --json fields, plus the standalone question searched for)")
    .action((options, command: Command) =>
      reportErrors(async () => {
        const interactive = process.stdin.isTTY === true;
        const global = command.optsWithGlobals() as GlobalOptions;
        const context = await openForTask(global, options);
        const { index, embedder, writer, judge } = context;
        const exportPolicy = (force: boolean) => outputPolicy(global, { explicit: false, force, hint: "use /export --force FILE to replace it" });
        const session = new ChatSession(
          { index, embedder, writer, judge, filters: filtersFrom(options) },
          { sources: options.sources, maxSentences: options.maxSentences },
        );
        const json = options.json === true;
        const stream = !json && writer.chat !== null && process.stdout.isTTY === true;
        const input = interactive ? null : cappedLines(process.stdin, MAX_INPUT_LINE_BYTES);
        const rl = readline.createInterface({ input: input?.stream ?? process.stdin, output: process.stdout, terminal: interactive, historySize: 200 });
        const prompt = () => interactive && rl.prompt();
        rl.setPrompt(pc.cyan("citewise> "));
        if (interactive) process.stdout.write(`${pc.dim(`citewise chat — ${index.papers.size} papers, answers by ${writer.name}. /help for commands.`)}\n`);
        prompt();
        let failed = 0;
        // for-await reads piped stdin line by line and ends cleanly at EOF.
        for await (const raw of rl) {
          const line = raw.trim();
          if (!line) {
            prompt();
            continue;
          }
          const problem = line.startsWith("/") ? null : queryProblem(line, "question");
          if (problem) {
            failed++;
            process.stderr.write(`citewise: error: ${problem}\n`);
          } else if (line.startsWith("/")) {
            if (!runSlashCommand(line, session, exportPolicy)) break;
          } else {
            let streamed = false;
            const screen = secretSafeStream((text) => process.stdout.write(text));
            try {
              const turn = await session.ask(
                line,
                stream
                  ? (token) => {
                      streamed = true;
                      screen.write(token);
                    }
                  : undefined,
              );
              screen.flush();
              if (json) {
                printJson({ question: line, standalone: turn.standalone, ...resultJson(turn.result) }, { oneLine: true });
                continue;
              }
              // Piped questions are not echoed by a terminal: each answer is headed by its question.
              if (!interactive) process.stdout.write(`${pc.bold(`> ${line}`)}\n`);
              if (turn.standalone !== line) process.stdout.write(pc.dim(`(searched for: ${turn.standalone})\n`));
              process.stdout.write(stream && turn.result.answered ? streamedTail(turn.result) : renderAnswer(turn.result));
            } catch (error) {
              // One failed question (server down, timeout) does not end the conversation, and is not
              // kept in it (so /export never saves half an answer); the session exits 2 at the end.
              failed++;
              screen.flush();
              if (streamed) process.stdout.write(`\n${INCOMPLETE_MARKER}\n`);
              process.stderr.write(`citewise: error: ${describeError(error).message}\n`);
            }
          }
          process.stdout.write("\n");
          prompt();
        }
        rl.close();
        await embedder.close?.();
        if (input?.overflowed()) {
          failed++;
          process.stderr.write(
            `citewise: error: a line of standard input is longer than ${MAX_INPUT_LINE_BYTES / 1_000_000} MB; chat reads one question per line, so reading stopped there\n`,
          );
        }
        if (failed) process.exitCode = 2;
      }),
    );
}

/** Far above any question (10,000 characters): a longer line is a mistake such as `chat < /dev/zero`. */
const MAX_INPUT_LINE_BYTES = 1_000_000;

/**
 * Piped input for readline, which buffers a line without limit (an endless line ends in "Invalid string
 * length"): complete lines pass, an unfinished one is held here up to `max` bytes; a longer line ends the
 * input there (the lines before it are still asked) and overflowed() says so.
 */
function cappedLines(source: NodeJS.ReadableStream, max: number): { stream: Transform; overflowed: () => boolean } {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let overflowed = false;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (overflowed) return done();
      const newline = chunk.lastIndexOf(10);
      const first = chunk.indexOf(10);
      if (newline !== -1 && heldBytes + first <= max) {
        this.push(Buffer.concat([...held, chunk.subarray(0, newline + 1)]));
        held = [];
        heldBytes = 0;
      }
      const rest = newline === -1 ? chunk : chunk.subarray(newline + 1);
      if ((newline !== -1 && heldBytes + first > max) || heldBytes + rest.length > max) {
        overflowed = true;
        this.push(null);
        (source as NodeJS.ReadStream).destroy?.();
        return done();
      }
      held.push(rest);
      heldBytes += rest.length;
      done();
    },
    flush(done) {
      if (!overflowed && heldBytes) this.push(Buffer.concat(held));
      done();
    },
  });
  source.pipe(stream);
  return { stream, overflowed: () => overflowed };
}

/** Returns false when the session should end. */
function runSlashCommand(line: string, session: ChatSession, exportPolicy: (force: boolean) => OutputPolicy): boolean {
  const [command, ...rest] = line.split(/\s+/);
  const force = command === "/export" && rest[0] === "--force";
  const argument = (force ? rest.slice(1) : rest).join(" ");
  const out = (text: string) => process.stdout.write(`${text}\n`);
  switch (command) {
    case "/quit":
    case "/exit":
      return false;
    case "/help":
      out(HELP);
      return true;
    case "/sources": {
      const last = session.last;
      if (!last) out("No answer yet: ask a question first.");
      else if (last.result.sources.length === 0) out("The last answer used no sources (the papers did not address it).");
      else
        for (const source of last.result.sources)
          out(`  ${formatReference(source)}${last.result.references.some((r) => r.n === source.n) ? "" : pc.dim(" (not cited)")}`);
      return true;
    }
    case "/paper": {
      const n = Number(argument);
      const last = session.last;
      const source = last?.result.sources.find((s) => s.n === n);
      if (!last) out("No answer yet: ask a question first.");
      else if (!Number.isInteger(n) || !source) out(`/paper takes a source number from the last answer (1–${last.result.sources.length}), e.g. /paper 1`);
      else {
        const paper = session.paper(source.paperId);
        out(`${pc.bold(paperLabel(paper))}\n${pc.dim(`id ${paper.id} · ${paperFacts(paper)}`)}\n\n${paper.abstract}`);
      }
      return true;
    }
    case "/export": {
      if (!argument) out("/export needs a file name, e.g. /export notes.md");
      // An empty transcript would overwrite a previous export with nothing.
      else if (session.turns.length === 0) out(`Nothing to export yet: no question has been answered; ${argument} was not written.`);
      else {
        try {
          writeOutputFile(argument, transcript(session.turns), exportPolicy(force));
          out(`Saved ${session.turns.length} question(s) to ${argument}`);
        } catch (error) {
          out(pc.red((error as Error).message));
        }
      }
      return true;
    }
    default:
      out(
        `Unknown command ${command}. ${excerpt(
          HELP.split("\n")
            .slice(1)
            .map((l) => l.trim().split(/\s+/)[0])
            .join(" "),
        )}`,
      );
      return true;
  }
}

/** The conversation as Markdown: each answer rendered the way every task's output is (references, notes, footer). */
function transcript(turns: ChatTurn[]): string {
  const parts = ["# citewise chat", ""];
  for (const turn of turns) {
    parts.push(`## ${turn.question}`, "");
    if (turn.standalone !== turn.question) parts.push(`_Searched for: ${turn.standalone}_`, "");
    parts.push(renderWithTail(turn.result.text, turn.result, { heading: "References:\n", indent: "- " }));
  }
  return `${parts.join("\n")}\n`;
}
