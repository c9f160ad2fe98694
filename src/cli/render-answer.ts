import pc from "picocolors";
import { referenceLine, type AskResult, type Reference } from "../tasks/ask.js";

/** A reference line for the terminal: the plain Markdown form with the paper id dimmed. */
export function formatReference(reference: Reference): string {
  return referenceLine(reference).replace(/ \(([^()]*)\)$/, (_, id: string) => ` ${pc.dim(`(${id})`)}`);
}

/** The answer with each unsupported sentence flagged inline. */
export function markedAnswer(result: AskResult): string {
  let text = result.answer;
  for (const sentence of result.sentences) {
    if (!sentence.supported) text = text.replace(sentence.text, `${sentence.text} ${pc.yellow("[unsupported]")}`);
  }
  return text;
}

/** Everything printed under the answer: unsupported sentences (when streamed), references, removed citations, footer. */
export function answerFooter(result: AskResult, options: { streamed: boolean }): string {
  const lines: string[] = [];
  if (!result.answered) {
    lines.push("", pc.dim("Nearest papers (they do not answer the question):"));
    for (const reference of result.nearest) lines.push(`  ${formatReference(reference)}`);
    return lines.join("\n");
  }
  const unsupported = result.sentences.filter((sentence) => !sentence.supported);
  if (options.streamed && unsupported.length) {
    lines.push("", pc.yellow("Unsupported sentences:"));
    for (const sentence of unsupported) lines.push(`  - "${sentence.text}" — ${sentence.reason ?? "not supported"}`);
  }
  if (result.references.length) {
    lines.push("", pc.bold("References"));
    for (const reference of result.references) lines.push(`  ${formatReference(reference)}`);
  }
  if (result.removedCitations.length) {
    lines.push(
      "",
      pc.yellow(
        `Removed citations to sources that were not provided: ${[...new Set(result.removedCitations)].join(", ")} (only [1]–[${result.sources.length}] existed)`,
      ),
    );
  }
  for (const warning of result.warnings) lines.push("", pc.yellow(`Warning: ${warning}`));
  lines.push("", `Grounded: ${result.grounded.supported}/${result.grounded.total} sentences supported`);
  return lines.join("\n");
}

export function renderAnswer(result: AskResult): string {
  return `${result.answered ? markedAnswer(result) : result.answer}\n${answerFooter(result, { streamed: false })}\n`;
}

export function askResultToJson(result: AskResult) {
  return {
    question: result.question,
    answered: result.answered,
    answer: result.answer,
    generator: result.generator,
    grounded: result.grounded,
    sentences: result.sentences,
    references: result.references,
    removedCitations: result.removedCitations,
    warnings: result.warnings,
    sources: result.sources,
    nearest: result.nearest,
    relevance: result.relevance,
  };
}
