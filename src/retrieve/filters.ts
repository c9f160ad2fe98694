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
  return paperFilter(filters)(paper);
}

/**
 * The filters as one predicate, for checking many papers: the typed text is folded once, and each paper's
 * folded author and venue names are kept (a search checks a paper once per matching chunk and per query).
 */
export function paperFilter(filters: PaperFilters): (paper: Paper) => boolean {
  const { yearFrom, yearTo, source, language } = filters;
  const author = filters.author ? folded(filters.author) : "";
  const venue = filters.venue ? folded(filters.venue) : "";
  return (paper) => {
    if (yearFrom !== undefined || yearTo !== undefined) {
      if (paper.year === null) return false;
      if (yearFrom !== undefined && paper.year < yearFrom) return false;
      if (yearTo !== undefined && paper.year > yearTo) return false;
    }
    if (source && !paper.sources.some((entry) => entry.file.includes(source))) return false;
    if (language && paper.language !== language) return false;
    if (filters.author && !foldedNames(paper).authors.some((name) => name.includes(author))) return false;
    if (filters.venue && !foldedNames(paper).venue.includes(venue)) return false;
    return true;
  };
}

const foldedByPaper = new WeakMap<Paper, { authors: string[]; venue: string }>();

function foldedNames(paper: Paper): { authors: string[]; venue: string } {
  let names = foldedByPaper.get(paper);
  if (!names) {
    names = { authors: paper.authors.map(folded), venue: folded(paper.venue ?? "") };
    foldedByPaper.set(paper, names);
  }
  return names;
}

/** "Hochreiter", "hochreiter" and "Höchreiter" alike: lower case, accents off. */
function folded(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}
