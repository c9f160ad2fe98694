import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { BibliographyError, CITATION_STYLES, parseUserBib, type CitationStyle, type UserBibEntry } from "../../tasks/related-work/bibliography.js";
import { OUTPUT_FORMATS, type OutputFormat } from "../../tasks/related-work/render.js";
import { relatedWork, type RelatedWorkResult } from "../../tasks/related-work/related-work.js";
import { openForTask, outputPolicy, readUserFile, type GlobalOptions } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { printJson } from "../format.js";
import { addFilterOptions, addModelOptions, filtersFrom, parsePositiveInt, queryProblem, choice } from "../options.js";
import { checkOutputTarget, sameDestination, writeOutputFile } from "../output-file.js";
import { TASK_DEFAULTS } from "../../settings.js";
import { resultJson } from "../../tasks/core/json.js";
import { referenceLine } from "../../tasks/core/render.js";

const DEFAULT_BIB_OUT = TASK_DEFAULTS.relatedWork.bibOut;

export function registerRelatedWork(program: Command): void {
  addFilterOptions(addModelOptions(program.command("related-work"), 120))
    .description("draft thematic related-work paragraphs citing the indexed papers, with references and a BibTeX file of the cited papers")
    .argument("<topic>", "your topic, or the draft abstract of your paper")
    .option(
      "-k, --papers <n>",
      "at most this many papers: retrieved for the topic (a draft abstract sentence by sentence), those far below the best left out, grouped into themes",
      parsePositiveInt("-k", 40),
      TASK_DEFAULTS.relatedWork.papers,
    )
    .option("--bib <file>", "your BibTeX file: papers it contains are cited with your keys")
    .option(
      "--bib-out <file>",
      `where to write the BibTeX of the cited papers, - for standard output (default: ./${DEFAULT_BIB_OUT}; with --json only when given)`,
    )
    .option("--format <format>", "md (markdown, [n] citations) or latex (\\cite{key})", choice("--format", OUTPUT_FORMATS), TASK_DEFAULTS.relatedWork.format)
    .option("--style <style>", `reference style: ${CITATION_STYLES.join(" or ")}`, choice("--style", CITATION_STYLES), TASK_DEFAULTS.relatedWork.style)
    .option("--out <file>", "write the text to this file instead of printing it")
    .option("--force", `replace ./${DEFAULT_BIB_OUT} if it exists (files named with --out/--bib-out are replaced anyway)`)
    .option("--json", "print themes, text, references, BibTeX and the groundedness check as JSON")
    .addHelpText(
      "after",
      "\nOffline (no OPENAI_API_KEY / OPENAI_BASE_URL) each theme gets a lead sentence and each paper its own\n" +
        "contribution sentence; with a model the paragraphs are written by it. Either way citations are validated\n" +
        "and every sentence is checked against the abstracts it cites.\n" +
        'Examples:\n  citewise related-work "quantization of neural networks"\n  citewise related-work --format latex --bib refs.bib "$(cat abstract.txt)"',
    )
    .action((topic: string, options, command: Command) =>
      reportErrors(async () => {
        const problem = queryProblem(topic, "topic");
        if (problem) throw new UserError(problem);
        const global = command.optsWithGlobals() as GlobalOptions;
        const bibOut: string = options.bibOut ?? DEFAULT_BIB_OUT;
        // The user's own .bib is read, never written: not even when --bib-out names the same file.
        const inputs = options.bib ? [options.bib] : [];
        const bibPolicy = outputPolicy(global, {
          explicit: options.bibOut !== undefined,
          force: options.force,
          inputs,
          hint: "pass --force to replace it, or --bib-out FILE to write elsewhere",
        });
        const outPolicy = outputPolicy(global, { explicit: true, inputs });
        const mayWriteBib = !options.json || options.bibOut !== undefined;
        const bibTarget = mayWriteBib ? checkOutputTarget(bibOut, bibPolicy) : null;
        if (options.out) {
          const outTarget = checkOutputTarget(options.out, outPolicy);
          if (bibTarget && sameDestination(outTarget, bibTarget))
            throw new UserError(`--out and --bib-out name the same file (${options.out}); give each its own`);
        }
        const userBib = options.bib ? readUserBib(options.bib) : [];
        const context = await openForTask(global, options);
        const result = await relatedWork(
          topic,
          { ...context, filters: filtersFrom(options) },
          { k: options.papers, userBib, format: options.format as OutputFormat, style: options.style as CitationStyle, bibFile: bibOut },
        );
        await context.embedder.close?.();

        const writeBib = result.answered && result.references.length > 0 && mayWriteBib;
        const bibPath = writeBib ? writeOutputFile(bibOut, result.bibtex, bibPolicy) : null;
        if (bibPath) process.stderr.write(`citewise: wrote BibTeX of ${result.references.length} cited papers to ${bibPath}\n`);
        const text = result.answered ? result.document : `${result.document}${nearestList(result)}`;
        if (options.out)
          process.stderr.write(
            `citewise: wrote the ${result.format === "latex" ? "LaTeX" : "markdown"} text to ${writeOutputFile(options.out, text, outPolicy)}\n`,
          );
        if (options.json) return printJson({ ...resultJson(result), bibFile: bibPath });
        if (!options.out) process.stdout.write(text);
      }),
    );
}

function readUserBib(file: string): UserBibEntry[] {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) throw new UserError(`--bib file not found: ${file}`);
  if (statSync(resolved).isDirectory()) throw new UserError(`--bib must be a .bib file, not a folder: ${file}`);
  try {
    return parseUserBib(readUserFile(file, "--bib"), file);
  } catch (error) {
    if (error instanceof BibliographyError) throw new UserError(error.message);
    throw error;
  }
}

function nearestList(result: RelatedWorkResult): string {
  if (result.nearest.length === 0) return "";
  return `\nNearest papers (they do not cover the topic):\n${result.nearest.map((paper) => `  ${referenceLine(paper)}`).join("\n")}\n`;
}
