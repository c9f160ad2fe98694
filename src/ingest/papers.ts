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

/**
 * Normalises records, merges duplicates (same arXiv id, DOI or abstract text) and assigns stable ids. With
 * the previous version's papers, a paper keeps the id it had: better metadata arriving later (an arXiv id
 * for a paper first known by title) must not change the id the user cites, compares and removes it by.
 */
export function recordsToPapers(records: RawRecord[], previousPapers: Iterable<Paper> = []): MergeResult {
  const previous = [...previousPapers];
  const byKey = new Map<string, Paper>();
  const papers: Paper[] = [];
  const duplicates: Array<{ paper: Paper; file: string; line: number }> = [];

  const byTitle = new Map<string, Paper[]>();
  for (const record of records) {
    const paper = toPaper(record);
    if (!paper.abstract && !paper.title) continue;
    const existing =
      strongKeys(paper)
        .map((key) => byKey.get(key))
        .find(Boolean) ?? sameTitle(paper, byTitle);
    if (existing) {
      mergeInto(existing, paper);
      duplicates.push({ paper: existing, file: record.source.file, line: record.source.line });
    } else {
      papers.push(paper);
      const title = titleHash(paper);
      if (title) byTitle.set(title, [...(byTitle.get(title) ?? []), paper]);
    }
    const target = existing ?? paper;
    for (const key of strongKeys(target)) byKey.set(key, target);
  }

  assignIds(papers, previousIds(previous));
  assignAliases(papers, previous);
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
    url: record.url ? cleanIdentifier(record.url) || null : null,
    entryType: record.entryType ? normalizeText(record.entryType) || null : null,
    bibtex: record.bibtex ?? null,
    language: detectLanguage(abstract),
    sources: [record.source],
    contentHash: "",
  };
}

/**
 * Keys a paper is known by. A paper known only by its title is matched by title, in both directions: the
 * same paper with its abstract, from another export, fills it in. Two papers with abstracts are never merged
 * by title alone (different papers share titles).
 */
function dedupeKeys(paper: Paper): string[] {
  const title = paper.title ? sha1(normalizeForHash(paper.title)) : null;
  const keys = paper.abstract ? [`abs:${sha1(normalizeForHash(paper.abstract))}`, ...(title ? [`title:${title}`] : [])] : title ? [`title-only:${title}`] : [];
  if (paper.arxivId) keys.push(`arxiv:${paper.arxivId}`);
  if (paper.doi) keys.push(`doi:${paper.doi.toLowerCase()}`);
  return keys;
}

/**
 * The one earlier paper a paper known only by its title is (or that fills one in): same title, only one paper
 * of that title so far, not both with abstracts (different papers share titles: "Editorial"), and no DOI or
 * arXiv id that disagrees.
 */
function sameTitle(paper: Paper, byTitle: Map<string, Paper[]>): Paper | undefined {
  const title = titleHash(paper);
  const group = title ? (byTitle.get(title) ?? []) : [];
  if (group.length !== 1) return undefined;
  const other = group[0]!;
  if (paper.abstract && other.abstract) return undefined;
  if (paper.doi && other.doi && paper.doi.toLowerCase() !== other.doi.toLowerCase()) return undefined;
  if (paper.arxivId && other.arxivId && paper.arxivId !== other.arxivId) return undefined;
  return other;
}

function titleHash(paper: Paper): string | null {
  return paper.title ? sha1(normalizeForHash(paper.title)) : null;
}

function strongKeys(paper: Paper): string[] {
  return dedupeKeys(paper).filter((key) => !key.startsWith("title"));
}

/** A paper with an abstract matches only a title-only one by title; a title-only one matches either. */
function titleKeys(paper: Paper): string[] {
  const title = paper.title ? sha1(normalizeForHash(paper.title)) : null;
  return title ? (paper.abstract ? [`title-only:${title}`] : [`title:${title}`, `title-only:${title}`]) : [];
}

/** The first record wins field by field, except that a real title beats a derived one. */
function mergeInto(target: Paper, other: Paper): void {
  if (target.titleIsDerived && !other.titleIsDerived) {
    target.title = other.title;
    target.displayTitle = other.displayTitle;
    target.titleIsDerived = false;
  }
  if (!target.abstract && other.abstract) target.language = other.language;
  if (other.abstract.length > target.abstract.length * 1.2) target.abstract = other.abstract;
  if (target.authors.length === 0) target.authors = other.authors;
  target.authorCount ??= other.authorCount;
  target.date ??= other.date;
  target.year ??= other.year;
  target.arxivId ??= other.arxivId;
  target.doi ??= other.doi;
  target.venue ??= other.venue;
  target.citationKey ??= other.citationKey;
  target.url ??= other.url;
  target.entryType ??= other.entryType;
  target.bibtex ??= other.bibtex;
  if (target.categories.length === 0) target.categories = other.categories;
  target.sources.push(...other.sources);
}

/** Each identity key of an earlier paper → its id (the first paper to claim a key keeps it). */
function previousIds(previous: Iterable<Paper>): Map<string, string> {
  const ids = new Map<string, string>();
  for (const paper of previous) for (const key of dedupeKeys(paper)) if (!ids.has(key)) ids.set(key, paper.id);
  return ids;
}

/** Ids come from content, or from the paper's earlier version; two different papers with the same title slug get a hash suffix. */
function assignIds(papers: Paper[], earlier: Map<string, string>): void {
  const taken = new Set<string>();
  // Earlier ids are claimed first, so a new paper's natural id cannot take one that an old paper keeps: by
  // abstract, arXiv id or DOI, then (for a paper known only by its title, before or now) by title.
  const kept: Array<string | undefined> = papers.map(() => undefined);
  const claimed = new Set<string>();
  for (const keysOf of [strongKeys, titleKeys])
    papers.forEach((paper, i) => {
      if (kept[i]) return;
      const id = keysOf(paper)
        .map((key) => earlier.get(key))
        .find((found) => found !== undefined && !claimed.has(found));
      if (id === undefined) return;
      kept[i] = id;
      claimed.add(id);
    });
  papers.forEach((paper, i) => {
    paper.contentHash = sha1(`${paper.title ?? ""}\n${paper.abstract}`, 16);
    if (kept[i]) {
      taken.add(kept[i]!);
      paper.id = kept[i]!;
      return;
    }
    let id = paperIdFor(paper);
    if (taken.has(id) || claimed.has(id)) id = `${id}-${sha1(normalizeForHash(paper.abstract || (paper.title ?? "")), 6)}`;
    taken.add(id);
    paper.id = id;
  });
}

/**
 * Other ids a paper answers to, so a citation, `papers show` or `compare` written with an earlier id still finds
 * it: the id its metadata would give it now (an arXiv id that arrived after the paper was first ingested), the
 * ids of earlier papers that merged into it, and the aliases it had before. An alias never shadows a real id.
 */
function assignAliases(papers: Paper[], previous: Paper[]): void {
  const ids = new Set(papers.map((paper) => paper.id));
  const owner = new Map<string, Paper>();
  for (const paper of papers) for (const key of dedupeKeys(paper)) if (!owner.has(key)) owner.set(key, paper);
  const byId = new Map(papers.map((paper) => [paper.id, paper]));
  const aliases = new Map<Paper, Set<string>>();
  const add = (paper: Paper | undefined, alias: string) => {
    if (!paper || alias === paper.id || ids.has(alias)) return;
    const set = aliases.get(paper) ?? new Set<string>();
    set.add(alias);
    aliases.set(paper, set);
  };
  for (const old of previous) {
    const now = byId.get(old.id) ?? [...strongKeys(old), ...titleKeys(old)].map((key) => owner.get(key)).find(Boolean);
    add(now, old.id);
    for (const alias of old.aliases ?? []) add(now, alias);
  }
  for (const paper of papers) add(paper, paperIdFor(paper));
  // An alias two papers would answer to resolves neither.
  const claims = new Map<string, number>();
  for (const set of aliases.values()) for (const alias of set) claims.set(alias, (claims.get(alias) ?? 0) + 1);
  for (const [paper, set] of aliases) {
    const own = [...set].filter((alias) => claims.get(alias) === 1).sort();
    if (own.length) paper.aliases = own;
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
      url: paper.url,
      entryType: paper.entryType,
      bibtex: paper.bibtex,
      source,
    })),
  );
}
