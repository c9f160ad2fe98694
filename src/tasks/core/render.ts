import { shownTitle } from "../../corpus/paper.js";
import type { GroundingReport, SentenceSupport } from "../../ground/grounding.js";
import { type Verdict, VERDICTS } from "../../ground/verdict.js";
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

/** A comparison cell that is not supported (cells carry a yes/no, not a verdict). */
export const UNSUPPORTED_FLAG = "[unsupported]";

const FLAG_WORDS: Record<Exclude<Verdict, "supported">, string> = {
  contradicted: "contradicted",
  "not-enough-info": "not in sources",
  misattributed: "misattributed",
  uncited: "uncited",
};

/** The inline mark after a sentence the judge did not accept: "[contradicted]", "[not in sources]", …. */
export function verdictFlag(verdict: Verdict): string {
  return verdict === "supported" ? "" : `[${FLAG_WORDS[verdict]}]`;
}

/** Every inline mark, for renderings that style them (LaTeX bolds them). */
export const FLAG_PATTERN = new RegExp(`\\[(?:${[...Object.values(FLAG_WORDS), "unsupported"].join("|")})\\]`, "g");

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
export function flagUnsupported(text: string, sentences: SentenceSupport[], style: Style = PLAIN): string {
  let flagged = text;
  // Sentences come in the text's order: each is looked for after the last one flagged, so a sentence written
  // twice (two paragraphs saying the same) gets one flag at each place, not two at the first.
  let cursor = 0;
  for (const sentence of sentences) {
    if (sentence.supported) continue;
    const flag = style.warn(verdictFlag(sentence.verdict));
    const bare = sentence.text.replace(/\.$/, "");
    const whole = flagged.indexOf(sentence.text, cursor);
    const at = whole >= 0 || !bare ? whole : flagged.indexOf(bare, cursor);
    if (at < 0) continue;
    const found = whole >= 0 ? sentence.text : bare;
    const end = at + found.length;
    flagged = `${flagged.slice(0, end)} ${flag}${flagged.slice(end)}`;
    cursor = end + flag.length + 1;
  }
  return flagged;
}

export function groundedFooter(grounding: GroundingReport): string {
  return `Grounded: ${grounding.supported}/${grounding.total} sentences supported`;
}

const VERDICT_WORDS: Record<Verdict, string> = {
  supported: "supported",
  contradicted: "contradicted",
  "not-enough-info": "not in the cited sources",
  misattributed: "misattributed",
  uncited: "uncited",
};

/** "Verdicts: 5 supported, 1 contradicted, 1 not in the cited sources" — only when something is not supported. */
export function verdictLine(grounding: GroundingReport): string | null {
  if (grounding.supported === grounding.total) return null;
  const parts = VERDICTS.filter((verdict) => grounding.counts[verdict] > 0).map((verdict) => `${grounding.counts[verdict]} ${VERDICT_WORDS[verdict]}`);
  return `Verdicts: ${parts.join(", ")}`;
}

/** "Addresses the question: 6/7 sentences" — support and relevance are different things. */
export function relevanceLine(grounding: GroundingReport): string | null {
  const asked = grounding.sentences.filter((sentence) => sentence.addresses !== undefined).length;
  return grounding.addressing === null ? null : `Addresses the question: ${grounding.addressing}/${asked} sentences`;
}

/** Longest evidence quote shown under a flagged sentence. */
const QUOTE_CHARS = 220;
/** Flagged sentences listed with their reason; more than this are counted, not listed. */
const CHECKS_SHOWN = 12;

/**
 * Each sentence the judge did not accept, with why and what the cited source says instead, so a reader can
 * check the verdict: `- "…" — contradicted: the claim says "robust" where the source says "brittle"; source: "…"`.
 */
export function checkLines(sentences: SentenceSupport[], style: Style = PLAIN): string | null {
  const flagged = sentences.filter((sentence) => !sentence.supported);
  if (flagged.length === 0) return null;
  const quote = (text: string) => (text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS - 1)}…` : text);
  const lines = flagged.slice(0, CHECKS_SHOWN).map((sentence) => {
    const why = `${VERDICT_WORDS[sentence.verdict]}${sentence.reason ? `: ${sentence.reason}` : ""}`;
    const better = sentence.better.length ? `; better: ${sentence.better.join(", ")}` : "";
    const evidence = sentence.evidence.length && sentence.verdict !== "uncited" ? `\n    source: "${quote(sentence.evidence.join(" "))}"` : "";
    return `  - "${quote(sentence.text)}" — ${why}${better}${evidence}`;
  });
  if (flagged.length > CHECKS_SHOWN) lines.push(`  … and ${flagged.length - CHECKS_SHOWN} more (--json lists every sentence)`);
  return [style.warn("Flagged sentences:"), ...lines].join("\n");
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
  const verdicts = verdictLine(result.grounding);
  const relevance = relevanceLine(result.grounding);
  return [
    ...(removed ? [style.warn(removed)] : []),
    ...notes,
    ...result.warnings.map((warning) => style.warn(`Warning: ${warning}`)),
    ...(verdicts || relevance ? [[verdicts, relevance, groundedFooter(result.grounding)].filter(Boolean).join("\n")] : [groundedFooter(result.grounding)]),
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
  const text = options.flag === false ? body : flagUnsupported(body, result.grounding.sentences, style);
  const checks = checkLines(result.grounding.sentences, style);
  return `${[text.trimEnd(), ...(checks ? [checks] : []), ...tailBlocks(result, options)].join("\n\n")}\n`;
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
