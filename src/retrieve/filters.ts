import type { Paper } from "../corpus/paper.js";

export interface PaperFilters {
  /** Inclusive year range; papers without a known year are excluded when a range is set. */
  yearFrom?: number;
  yearTo?: number;
  /** Keep papers found in a source file whose path contains this text. */
  source?: string;
  language?: string;
  /** Keep papers with an author whose name contains this text (case and accents ignored). */
  author?: string;
  /** Keep papers whose venue contains this text (case and accents ignored). */
  venue?: string;
}

export function hasFilters(filters: PaperFilters): boolean {
  return Object.values(filters).some((value) => value !== undefined);
}

export function paperMatches(paper: Paper, filters: PaperFilters): boolean {
  if (filters.yearFrom !== undefined || filters.yearTo !== undefined) {
    if (paper.year === null) return false;
    if (filters.yearFrom !== undefined && paper.year < filters.yearFrom) return false;
    if (filters.yearTo !== undefined && paper.year > filters.yearTo) return false;
  }
  if (filters.source && !paper.sources.some((source) => source.file.includes(filters.source!))) return false;
  if (filters.language && paper.language !== filters.language) return false;
  if (filters.author && !paper.authors.some((name) => folded(name).includes(folded(filters.author!)))) return false;
  if (filters.venue && !folded(paper.venue ?? "").includes(folded(filters.venue))) return false;
  return true;
}

/** "Hochreiter", "hochreiter" and "Höchreiter" alike: lower case, accents off. */
function folded(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}
