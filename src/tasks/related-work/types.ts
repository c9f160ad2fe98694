import type { Reference, TaskResult } from "../core/result.js";
import type { CitationStyle } from "./bibliography.js";

/** Output formats of a draft: Markdown with [n] markers, or LaTeX with \\cite{key}. */
export type OutputFormat = "md" | "latex";

export interface RelatedWorkTheme {
  name: string;
  /** Phrase the offline lead sentence names the theme by (null for model-written text). */
  phrase: string | null;
  /** The theme's paragraph in the output format. */
  paragraph: string;
  paperIds: string[];
}

export interface RelatedWorkReference extends Reference {
  key: string;
  formatted: string;
}

/** `text` holds the checked paragraphs with [n] markers; `document` the whole draft in `format`. */
export type RelatedWorkResult = Omit<TaskResult, "references"> & {
  task: "related-work";
  format: OutputFormat;
  style: CitationStyle;
  themes: RelatedWorkTheme[];
  /** The draft as printed and written: heading, paragraphs, references (or \bibliography), notes, footer. */
  document: string;
  references: RelatedWorkReference[];
  /** BibTeX of the cited papers, under the keys used in the text. */
  bibtex: string;
};
