import { escapeControls } from "../../corpus/controls.js";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import { chooseJudge } from "../../app/open.js";
import { stripBom } from "../../corpus/fields.js";
import { EXIT } from "../../errors.js";
import { createClaimJudge, type JudgeKind } from "../../ground/claim-judge.js";
import type { ClaimJudge } from "../../ground/verdict.js";
import { VERDICTS } from "../../ground/verdict.js";
import type { IndexSnapshot } from "../../index/snapshot.js";
import { parseUserBib, type UserBibEntry } from "../../tasks/related-work/bibliography.js";
import { DRAFT_FORMATS, type DraftFormat } from "../../tasks/verify/parse-draft.js";
import { type VerifyResult, verifyDraft } from "../../tasks/verify/verify.js";
import { type GlobalOptions, openIndexFor, readUserFile, stderrNotify } from "../context.js";
import { reportErrors, UserError } from "../errors.js";
import { printJson } from "../format.js";
import { choice, JUDGE_KINDS, parsePositiveInt } from "../options.js";

/** Largest draft read (a thesis is a few MB of LaTeX at most). */
const MAX_DRAFT_BYTES = 16 * 1024 * 1024;

interface VerifyOptions {
  bib?: string;
  judge: JudgeKind;
  model?: string;
  timeout: number;
  format: DraftFormat | "auto";
  json?: boolean;
}

export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("check a draft's citations against the index: each claim's verdict, the evidence, and better papers for misattributed ones")
    .argument("[file]", "the draft (Markdown or LaTeX); - or no file with piped input reads stdin")
    .option("--bib <file>", "BibTeX file mapping the draft's keys to papers (by arXiv id, DOI or title); only read")
    .option("--format <format>", "markdown, latex, or auto (by file extension, else by content)", choice("--format", DRAFT_FORMATS), "auto")
    .option("--judge <kind>", "offline (no network) or model (the configured model server)", choice("--judge", JUDGE_KINDS), "offline")
    .option("--model <name>", "with --judge model: model on the OpenAI-compatible server (default: $CITEWISE_MODEL or $OPENAI_MODEL)")
    .option("--timeout <seconds>", "with --judge model: per-request timeout", parsePositiveInt("--timeout", 3600), 60)
    .option("--json", "print every claim's verdict, evidence and better papers, the counts and the unresolved keys as JSON")
    .addHelpText(
      "after",
      "\nCitations: Pandoc [@key] / [@a; @b], LaTeX \\cite{a,b} / \\citep / \\citet (keys via --bib, a \\bibitem list, or\n" +
        "citewise paper ids), [n] with a numbered reference list at the end, and bracketed paper ids [arxiv:2402.01376].\n" +
        "Claims are prose sentences: headings, code, comments, math, questions and sentences about the draft itself\n" +
        '("In this section we …", "We propose …") are not checked. Unresolvable keys are listed, never guessed.\n' +
        "Exit codes: 0 every claim supported; 3 some claim is not, or a citation is unresolved; 2 a user error.\n" +
        "Examples:\n  citewise verify draft.md\n  citewise verify paper.tex --bib refs.bib --json\n  cat draft.md | citewise verify -",
    )
    .action((file: string | undefined, options: VerifyOptions, command: Command) =>
      reportErrors(async () => {
        const global = command.optsWithGlobals() as GlobalOptions;
        // Everything the user named is checked before the index opens (or is built) and the judge is asked.
        const draft = await readDraft(file);
        const bib = options.bib ? readBib(options.bib) : null;
        const judge = await judgeFor(options);
        const { index, embedder } = await openIndexFor(global, { quiet: options.json });
        let result: VerifyResult;
        try {
          result = await verifyDraft({ text: draft.text, name: draft.name, format: options.format, bib }, { index, embedder, judge });
        } finally {
          await embedder.close?.();
        }
        if (options.json) printJson(verifyJson(result, draft.name));
        // A file name is shown escaped: a newline in it must not split a report line.
        else process.stdout.write(renderVerify(result, draft.name === null ? "stdin" : escapeControls(draft.name), index));
        process.exitCode = result.passed ? EXIT.ok : EXIT.checkFailed;
      }),
    );
}

async function readDraft(file: string | undefined): Promise<{ text: string; name: string | null }> {
  let text: string;
  let name: string | null = null;
  if (file === "-" || (file === undefined && !process.stdin.isTTY)) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_DRAFT_BYTES) throw new UserError(`the draft on stdin is larger than ${MAX_DRAFT_BYTES / 1024 / 1024} MB`);
      chunks.push(chunk);
    }
    text = stripBom(Buffer.concat(chunks).toString("utf8"));
  } else if (file === undefined) {
    throw new UserError("give the draft to check: citewise verify draft.md (or - to read it from stdin)");
  } else {
    text = readUserFile(file, "draft", MAX_DRAFT_BYTES);
    name = file;
  }
  if (!text.trim()) throw new UserError(`${name ?? "the draft on stdin"} is empty: nothing to verify`);
  if (text.includes("\u0000")) throw new UserError(`${name ?? "the draft on stdin"} is not text (it contains NUL bytes)`);
  return { text, name };
}

function readBib(file: string): UserBibEntry[] {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) throw new UserError(`--bib file not found: ${file}`);
  if (statSync(resolved).isDirectory()) throw new UserError(`--bib must be a .bib file, not a folder: ${file}`);
  return parseUserBib(readUserFile(file, "--bib"), file);
}

async function judgeFor(options: VerifyOptions): Promise<ClaimJudge> {
  if (options.judge === "offline") {
    if (options.model) throw new UserError("--model is for --judge model; the offline judge uses no model");
    return createClaimJudge({ kind: "offline" });
  }
  return chooseJudge("model", { model: options.model, timeoutSeconds: options.timeout }, stderrNotify(options.json));
}

function verifyJson(result: VerifyResult, file: string | null) {
  return {
    file,
    format: result.format,
    judge: result.judge,
    passed: result.passed,
    sentences: result.sentences,
    counts: result.counts,
    unresolved: result.unresolved,
    budget: result.budget,
  };
}

/** Each problem with where it is, what the judge found and the evidence; supported claims are only counted. */
function renderVerify(result: VerifyResult, name: string, index: IndexSnapshot): string {
  const out: string[] = [];
  const title = (id: string) => {
    const paper = index.papers.get(id);
    return paper ? (paper.title ?? `${paper.displayTitle} (untitled)`) : "";
  };
  for (const sentence of result.sentences) {
    if (sentence.verdict === "supported") continue;
    out.push(`${pc.dim(`${name}:${sentence.line}`)} ${pc.yellow(sentence.verdict)}`);
    out.push(`  ${sentence.text}`);
    if (sentence.citations.length) out.push(pc.dim(`  cites: ${sentence.citations.join(", ")}`));
    for (const quote of sentence.evidence) out.push(`  evidence: "${quote}"`);
    if (sentence.reason) out.push(`  reason: ${sentence.reason}`);
    for (const id of sentence.better) out.push(`  better: [${id}] ${title(id)}`);
    out.push("");
  }
  if (result.unresolved.length) {
    out.push(`unresolved citation keys: ${result.unresolved.map((entry) => `${escapeControls(entry.key)} (line ${entry.line})`).join(", ")}`);
    for (const entry of result.unresolved) out.push(pc.dim(`  ${escapeControls(entry.key)} (line ${entry.line}): ${entry.reason}`));
  }
  const total = result.sentences.length;
  if (total === 0) out.push(`no claims found in ${name} (headings, code, comments and sentences about the draft itself are not checked)`);
  out.push(`Verdicts: ${VERDICTS.map((verdict) => `${result.counts[verdict]} ${verdict}`).join(", ")} (${total} claim${total === 1 ? "" : "s"})`);
  return `${out.join("\n")}\n`;
}
