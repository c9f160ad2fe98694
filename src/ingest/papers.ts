import { normalizeForHash, paperIdFor, sha1 } from "../corpus/ids.js";
import { detectLanguage } from "../corpus/language.js";
import { cleanIdentifier, deriveTitle, normalizeText, readableText } from "../corpus/normalize.js";
import type { Paper, RawRecord } from "../corpus/paper.js";

export interface MergeResult {
  papers: Paper[];
  /** How many records were folded into an earlier record of the same paper. */
  duplicatesMerged: number;
  duplicates: Array<{ keptId: string; file: string; line: number }>;
}

/** Normalises records, merges duplicates (same arXiv id or same abstract text) and assigns stable ids. */
export function recordsToPapers(records: RawRecord[]): MergeResult {
  const byKey = new Map<string, Paper>();
  const papers: Paper[] = [];
  const duplicates: Array<{ paper: Paper; file: string; line: number }> = [];

  for (const record of records) {
    const paper = toPaper(record);
    if (!paper.abstract) continue;
    const keys = dedupeKeys(paper);
    const existing = keys.map((key) => byKey.get(key)).find(Boolean);
    if (existing) {
      mergeInto(existing, paper);
      duplicates.push({ paper: existing, file: record.source.file, line: record.source.line });
    } else {
      papers.push(paper);
    }
    const target = existing ?? paper;
    for (const key of dedupeKeys(target)) byKey.set(key, target);
  }

  assignIds(papers);
  return {
    papers,
    duplicatesMerged: duplicates.length,
    duplicates: duplicates.map((d) => ({ keptId: d.paper.id, file: d.file, line: d.line })),
  };
}

function toPaper(record: RawRecord): Paper {
  const abstract = readableText(record.abstract);
  const title = record.title ? readableText(record.title) || null : null;
  const authors = (record.authors ?? []).map(normalizeText).filter(Boolean);
  return {
    id: "",
    title,
    displayTitle: title ?? deriveTitle(abstract),
    titleIsDerived: !title,
    abstract,
    authors,
    authorCount: record.authorCount ?? (authors.length || null),
    // Every field is shown somewhere (terminal, prompt, BibTeX): none may carry controls or hidden text.
    date: record.date ? normalizeText(record.date) || null : null,
    year: record.year ?? null,
    arxivId: record.arxivId ? cleanIdentifier(record.arxivId) || null : null,
    doi: record.doi ? cleanIdentifier(record.doi) || null : null,
    categories: (record.categories ?? []).map(normalizeText).filter(Boolean),
    venue: record.venue ? normalizeText(record.venue) || null : null,
    citationKey: record.citationKey ? cleanIdentifier(record.citationKey) || null : null,
    language: detectLanguage(abstract),
    sources: [record.source],
    contentHash: "",
  };
}

function dedupeKeys(paper: Paper): string[] {
  const keys = [`abs:${sha1(normalizeForHash(paper.abstract))}`];
  if (paper.arxivId) keys.push(`arxiv:${paper.arxivId}`);
  if (paper.doi) keys.push(`doi:${paper.doi.toLowerCase()}`);
  return keys;
}

/** The first record wins field by field, except that a real title beats a derived one. */
function mergeInto(target: Paper, other: Paper): void {
  if (target.titleIsDerived && !other.titleIsDerived) {
    target.title = other.title;
    target.displayTitle = other.displayTitle;
    target.titleIsDerived = false;
  }
  if (other.abstract.length > target.abstract.length * 1.2) target.abstract = other.abstract;
  if (target.authors.length === 0) target.authors = other.authors;
  target.authorCount ??= other.authorCount;
  target.date ??= other.date;
  target.year ??= other.year;
  target.arxivId ??= other.arxivId;
  target.doi ??= other.doi;
  target.venue ??= other.venue;
  target.citationKey ??= other.citationKey;
  if (target.categories.length === 0) target.categories = other.categories;
  target.sources.push(...other.sources);
}

/** Ids come from content; two different papers with the same title slug get a hash suffix. */
function assignIds(papers: Paper[]): void {
  const taken = new Set<string>();
  for (const paper of papers) {
    paper.contentHash = sha1(`${paper.title ?? ""}\n${paper.abstract}`, 16);
    let id = paperIdFor(paper);
    if (taken.has(id)) id = `${id}-${sha1(normalizeForHash(paper.abstract), 6)}`;
    taken.add(id);
    paper.id = id;
  }
}

/**
 * Records again from papers (one per place the paper was found): how a version whose records.jsonl is
 * damaged is repaired. Fields merged from duplicates stay merged, so recordsToPapers gives the same papers.
 */
export function recordsFromPapers(papers: Paper[]): RawRecord[] {
  return papers.flatMap((paper) =>
    paper.sources.map((source) => ({
      title: paper.title,
      abstract: paper.abstract,
      authors: paper.authors,
      authorCount: paper.authorCount ?? undefined,
      date: paper.date,
      year: paper.year,
      arxivId: paper.arxivId,
      doi: paper.doi,
      categories: paper.categories,
      venue: paper.venue,
      citationKey: paper.citationKey,
      source,
    })),
  );
}
