import pc from "picocolors";
import type { AskResult } from "../tasks/ask.js";
import { checkLines, referenceLine, renderWithTail, type Style, tailBlocks } from "../tasks/core/render.js";
import type { Reference, TaskResult } from "../tasks/core/result.js";

/** The terminal's style for the shared rendering (tasks/core/render.ts): bold headings, dim ids, yellow warnings. */
export const TERMINAL: Style = { bold: pc.bold, dim: pc.dim, warn: pc.yellow };

const TERMINAL_TAIL = { style: TERMINAL, heading: "References", indent: "  " };

/** A reference line for the terminal: the plain form with the paper id dimmed. */
export function formatReference(reference: Reference): string {
  return referenceLine(reference, TERMINAL);
}

/** A task's text with its references, notes and footer, as printed in the terminal. */
export function renderResult(result: TaskResult, body = result.text): string {
  return renderWithTail(body, result, TERMINAL_TAIL);
}

/** The answer of ask/chat; an abstention lists the nearest papers instead of references. */
export function renderAnswer(result: AskResult): string {
  if (!result.answered) return `${result.text}\n${nearestList(result)}\n`;
  return renderResult(result);
}

/**
 * What follows an answer that was streamed as it was written: the flags could not be placed inline, so the
 * unsupported sentences are listed first, then the usual references, notes and footer.
 */
export function streamedTail(result: AskResult): string {
  const checks = checkLines(result.grounding.sentences, TERMINAL);
  return `\n\n${[...(checks ? [checks] : []), ...tailBlocks(result, TERMINAL_TAIL)].join("\n\n")}\n`;
}

function nearestList(result: TaskResult): string {
  if (result.nearest.length === 0) return "";
  return ["", pc.dim("Nearest papers (they do not answer the question):"), ...result.nearest.map((reference) => `  ${formatReference(reference)}`)].join("\n");
}
