/** Domain types shared by every stage. The corpus layer sits at the bottom: it imports nothing from citewise. */

export type SourceFormat = "plaintext" | "listing" | "daily" | "jsonl" | "bibtex" | "csv" | "ris" | "xml";
export const SOURCE_FORMATS: SourceFormat[] = ["plaintext", "listing", "daily", "jsonl", "bibtex", "csv", "ris", "xml"];

/** Where a record came from: file (as given, relative to the ingest root when possible) and 1-based line. */
export interface SourceRef {
  file: string;
  line: number;
  format: SourceFormat;
  /**
   * Absolute path with links resolved: what identifies the file when it is ingested again, from any working
   * folder. Absent in records of indexes built before it was recorded (their `file` is then the key).
   */
  path?: string;
}

/** One parsed record before ids, normalisation and de-duplication. */
export interface RawRecord {
  title?: string | null;
  abstract: string;
  authors?: string[];
  authorCount?: number;
  /** Date as printed in the source ("Apr 11, 2023", "2023-04-11", "May 12"). */
  date?: string | null;
  year?: number | null;
  arxivId?: string | null;
  doi?: string | null;
  categories?: string[];
  venue?: string | null;
  /** Key the user gave the entry (BibTeX citation key), reused when citing. */
  citationKey?: string | null;
  url?: string | null;
  /** The entry type as the source wrote it ("article", "JOUR", "paper-conference", "journalArticle"). */
  entryType?: string | null;
  /** A BibTeX entry exactly as the user's file has it: copied, not rewritten, into every .bib citewise writes. */
  bibtex?: string | null;
  source: SourceRef;
}

export interface Paper {
  id: string;
  /** Null when the source had no title. */
  title: string | null;
  /** Short display title: the real title, or one derived from the abstract (see titleIsDerived). */
  displayTitle: string;
  titleIsDerived: boolean;
  abstract: string;
  authors: string[];
  authorCount: number | null;
  date: string | null;
  year: number | null;
  arxivId: string | null;
  doi: string | null;
  categories: string[];
  venue: string | null;
  citationKey: string | null;
  /** Absent in indexes built before they were kept. */
  url?: string | null;
  entryType?: string | null;
  /** The user's own BibTeX entry, byte for byte, when the paper came from a .bib file. */
  bibtex?: string | null;
  /** Earlier ids of this paper (before better metadata or a merge): resolved like its id, never shown as one. */
  aliases?: string[];
  /** ISO 639-1 code guessed from the script/words of the abstract, "und" when unsure. */
  language: string;
  /** Every place this paper was found; more than one when duplicates were merged. */
  sources: SourceRef[];
  /** Hash of the fields that affect chunks and embeddings; drives incremental re-ingest. */
  contentHash: string;
}

/** False for a library entry known only by its title: searchable, listed, never quoted as evidence. */
export function hasAbstract(paper: Pick<Paper, "abstract">): boolean {
  return paper.abstract.length > 0;
}

export interface Chunk {
  id: string;
  paperId: string;
  /** Position of the chunk within its paper (0-based). */
  index: number;
  /** Text that is embedded and keyword-indexed: title line + chunk sentences. */
  text: string;
  /** The abstract sentences this chunk covers, without the title prefix. */
  sentences: string[];
  contentHash: string;
}

/** A record the parser could not use, reported with file:line and reason. */
export interface SkippedRecord {
  file: string;
  line: number;
  reason: string;
}

/** The title shown to readers: the real one, or the one derived from the abstract marked "(untitled)", never passed off as real. */
export function shownTitle(paper: Pick<Paper, "title" | "displayTitle">): string {
  return paper.title ?? `${paper.displayTitle} (untitled)`;
}

/** Rows read back without a checksum to vouch for them (recovery of a damaged version) must have this shape. */
export function isSourceRef(value: unknown): value is SourceRef {
  const source = value as SourceRef | null;
  return typeof source === "object" && source !== null && typeof source.file === "string" && typeof source.line === "number";
}

export function isRawRecordRow(value: unknown): value is RawRecord {
  const record = value as RawRecord | null;
  return typeof record === "object" && record !== null && typeof record.abstract === "string" && isSourceRef(record.source);
}

export function isPaperRow(value: unknown): value is Paper {
  const paper = value as Paper | null;
  return (
    typeof paper === "object" &&
    paper !== null &&
    typeof paper.id === "string" &&
    typeof paper.abstract === "string" &&
    Array.isArray(paper.sources) &&
    paper.sources.every(isSourceRef) &&
    Array.isArray(paper.authors) &&
    Array.isArray(paper.categories)
  );
}

/**
 * What keyword search knows of a paper besides its text: authors and venue ("Hochreiter" finds xLSTM, "NeurIPS"
 * the papers published there). Not embedded and not quoted: names are no claims.
 */
export function searchableFields(paper: Pick<Paper, "authors" | "venue">): string {
  return [...paper.authors, paper.venue ?? ""].filter(Boolean).join(" ; ");
}
