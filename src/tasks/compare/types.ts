import type { SentenceSupport } from "../../ground/grounding.js";
import type { Reference, TaskResult } from "../core/result.js";
import type { CompareColumn } from "./columns.js";

export type { CompareColumn } from "./columns.js";

export interface CompareCell {
  /** The quoted text (a claim), or null when the abstract does not state this facet. */
  quote: string | null;
  /** Named columns filled by a model: its short answer, which the quote supports. Absent for the facets. */
  value?: string | null;
  /** The row's paper number when the cell cites it, else its first citation. */
  citation: number | null;
  citations: number[];
  /** Grounding check of the quote against what it cites; null when there is no claim. */
  supported: boolean | null;
  /** Whether the quote (ellipses aside) appears word for word in the row's abstract. */
  verbatim: boolean | null;
  reason?: string;
}

export interface ComparedPaper extends Reference {
  /** Short row label: the name before the title's colon, or the display title. */
  label: string;
}

/** `grounding` holds every checked claim: quoted cells (row by row), then the prose sentences. */
export type CompareResult = TaskResult & {
  task: "compare";
  /** The focus of the comparison, or null when papers were named without one. */
  query: string | null;
  papers: ComparedPaper[];
  /** The table's columns: the five facets, or the ones named with --columns. */
  columns: CompareColumn[];
  /** paperId -> column key -> cell. */
  facets: Record<string, Record<string, CompareCell>>;
  commonGround: string;
  differences: string;
  commonGroundSentences: SentenceSupport[];
  differenceSentences: SentenceSupport[];
  /** What the composer could not do (no shared phrase, a table row the model left out): printed as notes. */
  notes: string[];
};
