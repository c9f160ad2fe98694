import { shownTitle } from "../../corpus/paper.js";
import type { GroundingReport, SentenceSupport } from "../../ground/support.js";
import type { Reference, TaskResult } from "./result.js";

/**
 * The one rendering of what every task's output ends with — titles, reference lines, flags on unsupported
 * sentences, the removed-citations note, warnings and the groundedness footer — for the terminal (with a
 * Style that colours), Markdown and LaTeX files, and chat exports. JSON carries the same fields raw.
 */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  warn(text: string): string;
}

export const PLAIN: Style = { bold: (text) => text, dim: (text) => text, warn: (text) => text };

export const UNSUPPORTED_FLAG = "[unsupported]";

/** "[n] Title — date; authors (paper-id)": one reference line (the id dimmed by the style). */
export function referenceLine(reference: Reference, style: Style = PLAIN): string {
  const facts = [
    reference.date ?? (reference.year ? String(reference.year) : null),
    reference.authors.length > 3 ? `${reference.authors[0]} et al.` : reference.authors.join(", ") || null,
  ];
  const known = facts.filter(Boolean);
  return `[${reference.n}] ${shownTitle(reference)}${known.length ? ` — ${known.join("; ")}` : ""} ${style.dim(`(${reference.paperId})`)}`;
}

/**
 * Appends the flag after each unsupported sentence. The checker closes a line without a full stop ("PWNED"
 * is checked as "PWNED."), so a sentence is also looked up without that stop.
 */
export function flagUnsupported(text: string, sentences: SentenceSupport[], flag: string): string {
  let flagged = text;
  for (const sentence of sentences) {
    if (sentence.supported) continue;
    if (flagged.includes(sentence.text)) flagged = flagged.replace(sentence.text, `${sentence.text} ${flag}`);
    else {
      const bare = sentence.text.replace(/\.$/, "");
      if (bare && flagged.includes(bare)) flagged = flagged.replace(bare, `${bare} ${flag}`);
    }
  }
  return flagged;
}

export function groundedFooter(grounding: GroundingReport): string {
  return `Grounded: ${grounding.supported}/${grounding.total} sentences supported`;
}

export function removedCitationsNote(result: Pick<TaskResult, "removedCitations" | "sources">, sourceCount = result.sources.length): string | null {
  if (result.removedCitations.length === 0) return null;
  return `Removed citations to sources that were not provided: ${[...new Set(result.removedCitations)].join(", ")} (only [1]–[${sourceCount}] existed)`;
}

/** The notes under the references, in order: removed citations, the task's own notes, warnings, and the footer last. */
export function closingNotes(
  result: Pick<TaskResult, "removedCitations" | "sources" | "warnings" | "grounding">,
  style: Style = PLAIN,
  notes: string[] = [],
): string[] {
  const removed = removedCitationsNote(result);
  return [
    ...(removed ? [style.warn(removed)] : []),
    ...notes,
    ...result.warnings.map((warning) => style.warn(`Warning: ${warning}`)),
    groundedFooter(result.grounding),
  ];
}

/**
 * A task's output as a document: its body (unsupported sentences flagged), the cited references, and the
 * closing notes, each block separated by a blank line. `heading` names the references block ("References"
 * in the terminal, "## References" in Markdown); the terminal indents the reference lines.
 */
export interface TailOptions {
  style?: Style;
  heading: string;
  indent?: string;
  notes?: string[];
}

export function renderWithTail(body: string, result: TaskResult, options: TailOptions & { flag?: boolean }): string {
  const style = options.style ?? PLAIN;
  const text = options.flag === false ? body : flagUnsupported(body, result.grounding.sentences, style.warn(UNSUPPORTED_FLAG));
  return `${[text.trimEnd(), ...tailBlocks(result, options)].join("\n\n")}\n`;
}

/** The blocks after a body: the cited references under `heading`, then the closing notes. */
export function tailBlocks(result: TaskResult, options: TailOptions): string[] {
  const style = options.style ?? PLAIN;
  const references = result.references.length
    ? [[style.bold(options.heading), ...result.references.map((reference) => `${options.indent ?? ""}${referenceLine(reference, style)}`)].join("\n")]
    : [];
  return [...references, ...closingNotes(result, style, options.notes)];
}

/** What --out and chat /export write for a task: plain Markdown with a "## References" list. */
export function renderMarkdown(result: TaskResult, body = result.text): string {
  return renderWithTail(body, result, { heading: "## References\n", indent: "- " });
}
