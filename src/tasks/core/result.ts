import type { Paper } from "../../corpus/paper.js";
import type { GroundingReport } from "../../ground/grounding.js";
import type { BudgetReport } from "../../llm/budget.js";

/** A numbered source as printed in references: [n] title — date; authors (paper id). */
export interface Reference {
  n: number;
  paperId: string;
  title: string | null;
  displayTitle: string;
  authors: string[];
  date: string | null;
  year: number | null;
}

export function reference(n: number, paper: Paper): Reference {
  return { n, paperId: paper.id, title: paper.title, displayTitle: paper.displayTitle, authors: paper.authors, date: paper.date, year: paper.year };
}

export const TASK_NAMES = ["ask", "summarize", "ideas", "compare", "related-work"] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export interface Relevance {
  /** How well the corpus matches the input (see relevanceOf). */
  score: number;
  /** Below it the task abstains. */
  threshold: number;
}

/**
 * What every task returns, whatever it writes: the checked text, its grounding sentence by sentence, the
 * references it cites, what the checks removed or warn about, and the sources it was given. Tasks add
 * their own structure (an outline, ideas, a table, themes) to this; --json of every command, the terminal,
 * Markdown and LaTeX renderings, and the eval all read these fields.
 */
export interface TaskResult {
  task: TaskName;
  /** The question, topic, background or comparison query. */
  input: string;
  answered: boolean;
  /** Who wrote the text ("extractive" or "openai:<model>"). */
  generator: string;
  /** The checked text: Markdown with [n] citations (ask: the answer). */
  text: string;
  grounding: GroundingReport;
  /** Only the sources cited somewhere in the text. */
  references: Reference[];
  /** Citations to sources that were not provided, removed from `text`. */
  removedCitations: string[];
  /** What the checks caught besides citations (withheld instructions, a dropped reference list, no support). */
  warnings: string[];
  /** Every source the writer was given, cited or not. */
  sources: Reference[];
  /** Papers closest to the input, filled when the task abstains. */
  nearest: Reference[];
  relevance: Relevance | null;
  /** The model requests' token budgets and what they used (settings.ts budgets); null when no model was asked. */
  budget: BudgetReport | null;
}
