import type { SentenceSupport } from "../../ground/grounding.js";
import { replaceMarkerRuns } from "../../ground/markers.js";
import { checkLines, closingNotes, FLAG_PATTERN, flagUnsupported } from "../core/render.js";
import type { OutputFormat, RelatedWorkResult } from "./types.js";

export type { OutputFormat };

export const OUTPUT_FORMATS: OutputFormat[] = ["md", "latex"];

/** A paragraph for the chosen format: unsupported sentences flagged, [n] turned into \cite{key} in LaTeX. */
export function renderParagraph(paragraph: string, unsupported: SentenceSupport[], format: OutputFormat, keyOf: (n: number) => string): string {
  const text = flagUnsupported(paragraph, unsupported);
  if (format === "md") return text;
  return citeKeys(escapeLatex(text), keyOf).replace(FLAG_PATTERN, (flag) => `\\textbf{${flag}}`);
}

/**
 * The whole draft: heading, paragraphs, references (Markdown) or the \bibliography lines (LaTeX, where the
 * notes become comments), then the closing notes every task ends with.
 */
export function renderDocument(result: RelatedWorkResult, paragraphs: string[], keyOf: (n: number) => string, bibFile: string): string {
  const unsupported = result.grounding.sentences.filter((sentence) => !sentence.supported);
  const rendered = paragraphs.map((paragraph) => renderParagraph(paragraph, unsupported, result.format, keyOf));
  // In LaTeX a flagged sentence is quoted as the paragraph reads, with \cite keys (there is no numbered list).
  const flagged = result.format === "md" ? result.grounding.sentences : result.grounding.sentences.map((s) => ({ ...s, text: citeKeys(s.text, keyOf) }));
  const checks = checkLines(flagged);
  const notes = [...(checks ? [checks] : []), ...closingNotes(result)];
  if (result.format === "md") {
    const references = result.references.map((reference) => `[${reference.n}] ${reference.formatted}`);
    return `${["## Related Work", ...rendered, "## References", references.join("\n"), ...notes].join("\n\n")}\n`;
  }
  const bibName = bibFile.replace(/\.bib$/i, "");
  const bibliography = [
    `% BibTeX entries of the cited papers: ${bibFile}`,
    `\\bibliographystyle{${result.style === "apa" ? "apalike" : "unsrt"}}`,
    `\\bibliography{${bibName}}`,
  ].join("\n");
  return `${[
    "\\section*{Related Work}",
    ...rendered,
    bibliography,
    notes
      .flatMap((note) => note.split("\n"))
      .map((line) => `% ${line}`)
      .join("\n"),
  ].join("\n\n")}\n`;
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
