import type { GroundingReport, SentenceSupport } from "../ground/support.js";
import type { CitationStyle } from "./bibliography.js";
import { flagSentence, groundedFooter, ungroundedWarning } from "./cited-document.js";
import { replaceMarkerRuns } from "../ground/markers.js";

export type OutputFormat = "md" | "latex";
export const OUTPUT_FORMATS: OutputFormat[] = ["md", "latex"];

export interface RenderInput {
  /** Checked paragraphs with [n] markers. */
  paragraphs: string[];
  grounding: GroundingReport;
  references: Array<{ n: number; key: string; formatted: string }>;
  removedCitations: string[];
  sourceCount: number;
  format: OutputFormat;
  style: CitationStyle;
  /** The .bib file the LaTeX \bibliography line points to. */
  bibFile: string;
}

const UNSUPPORTED = "[unsupported]";

/** A paragraph for the chosen format: unsupported sentences flagged, [n] turned into \cite{key} in LaTeX. */
export function renderParagraph(paragraph: string, unsupported: SentenceSupport[], format: OutputFormat, keyOf: (n: number) => string): string {
  let text = paragraph;
  for (const sentence of unsupported) text = flagSentence(text, sentence.text, UNSUPPORTED);
  if (format === "md") return text;
  return citeKeys(escapeLatex(text), keyOf).replaceAll(UNSUPPORTED, `\\textbf{${UNSUPPORTED}}`);
}

/** The whole document: heading, paragraphs, references (or the \bibliography lines), notes and the footer. */
export function renderDocument(input: RenderInput, keyOf: (n: number) => string): string {
  const unsupported = input.grounding.sentences.filter((sentence) => !sentence.supported);
  const paragraphs = input.paragraphs.map((paragraph) => renderParagraph(paragraph, unsupported, input.format, keyOf));
  const notes: string[] = [];
  if (input.removedCitations.length) {
    notes.push(
      `Removed citations to sources that were not provided: ${[...new Set(input.removedCitations)].join(", ")} (only [1]–[${input.sourceCount}] existed)`,
    );
  }
  const warning = ungroundedWarning(input.grounding);
  if (warning) notes.push(warning);
  notes.push(groundedFooter(input.grounding));
  if (input.format === "md") {
    const references = input.references.map((reference) => `[${reference.n}] ${reference.formatted}`);
    return `${[`## Related Work`, ...paragraphs, `## References`, references.join("\n"), ...notes].join("\n\n")}\n`;
  }
  const bibName = input.bibFile.replace(/\.bib$/i, "");
  const bibliography = [
    `% BibTeX entries of the cited papers: ${input.bibFile}`,
    `\\bibliographystyle{${input.style === "apa" ? "apalike" : "unsrt"}}`,
    `\\bibliography{${bibName}}`,
  ].join("\n");
  return `${[`\\section*{Related Work}`, ...paragraphs, bibliography, notes.map((note) => `% ${note}`).join("\n")].join("\n\n")}\n`;
}

/** "[1, 2][4]" -> "~\cite{a,b,d}"; only called on validated text, so every number has a key. */
export function citeKeys(text: string, keyOf: (n: number) => string): string {
  return replaceMarkerRuns(text, (numbers, run, offset) => `${offset > 0 && /^\s/.test(run) ? "~" : ""}\\cite{${numbers.map(keyOf).join(",")}}`);
}

const LATEX_SPECIAL: Record<string, string> = {
  "\\": "\\textbackslash{}",
  "{": "\\{",
  "}": "\\}",
  $: "\\$",
  "&": "\\&",
  "#": "\\#",
  "%": "\\%",
  _: "\\_",
  "~": "\\textasciitilde{}",
  "^": "\\textasciicircum{}",
  "<": "\\textless{}",
  ">": "\\textgreater{}",
};

/**
 * Escapes LaTeX's special characters in prose. What an abstract already wrote in LaTeX is kept:
 * inline math ("$6\times$") when its braces balance, and escapes such as "\%"; a lone "$5" is escaped.
 */
export function escapeLatex(text: string): string {
  return text
    .split(/((?<!\\)\$[^$\n]{1,120}(?<!\\)\$)/)
    .map((part, i) => (i % 2 === 1 && isLatexMath(part) ? part : part.replace(/\\[%&_#${}]|[\\{}$&#%_~^<>]/g, (c) => LATEX_SPECIAL[c] ?? c)))
    .join("");
}

function isLatexMath(span: string): boolean {
  if (!/[\\^_{}]/.test(span)) return false;
  let depth = 0;
  for (const c of span) {
    if (c === "{") depth++;
    else if (c === "}" && --depth < 0) return false;
  }
  return depth === 0;
}
