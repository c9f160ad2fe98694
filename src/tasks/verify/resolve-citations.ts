import { cleanDoi } from "../../corpus/fields.js";
import { normalizeForHash, parseArxivId } from "../../corpus/ids.js";
import type { Paper } from "../../corpus/paper.js";
import type { UserBibEntry } from "../related-work/bibliography.js";
import type { DraftCitation, ReferenceEntry } from "./parse-draft.js";

/** A citation that names no indexed paper (or several): listed for the writer, never guessed. */
export interface UnresolvedCitation {
  /** As the writer would recognise it: the key, the paper id, or "[3]". */
  key: string;
  line: number;
  reason: string;
}

type Match = { id: string } | { reason: string };

/** Titles shorter than this (in words) are too generic to find inside a reference entry's text. */
const MIN_TITLE_WORDS = 3;

/** Indexed papers by arXiv id, DOI, normalised title, id and citation key. */
class PaperLookup {
  private readonly byArxiv = new Map<string, string[]>();
  private readonly byDoi = new Map<string, string[]>();
  private readonly byTitle = new Map<string, string[]>();
  private readonly byCitationKey = new Map<string, string[]>();
  readonly ids: Set<string>;
  /** Earlier ids (Paper.aliases) → the paper's id now. */
  private readonly aliases = new Map<string, string>();

  constructor(papers: Iterable<Paper>) {
    const add = (map: Map<string, string[]>, key: string | null, id: string) => {
      if (!key) return;
      const list = map.get(key) ?? [];
      if (!list.includes(id)) list.push(id);
      map.set(key, list);
    };
    const ids: string[] = [];
    for (const paper of papers) {
      ids.push(paper.id);
      add(this.byArxiv, paper.arxivId, paper.id);
      add(this.byDoi, paper.doi?.toLowerCase() ?? null, paper.id);
      // Only real titles: one derived from the abstract is nothing a reference list would print.
      if (paper.title) add(this.byTitle, normalizeForHash(paper.title), paper.id);
      add(this.byCitationKey, paper.citationKey?.toLowerCase() ?? null, paper.id);
      for (const alias of paper.aliases ?? []) this.aliases.set(alias, paper.id);
    }
    this.ids = new Set(ids);
  }

  private one(list: string[] | undefined, what: string): Match | null {
    if (!list?.length) return null;
    return list.length === 1 ? { id: list[0]! } : { reason: `${what} matches ${list.length} indexed papers (${list.slice(0, 3).join(", ")})` };
  }

  /** By a BibTeX entry's identifiers: arXiv id, then DOI, then the whole title. */
  entry(entry: Pick<UserBibEntry, "arxivId" | "doi" | "title">): Match | null {
    return (
      this.one(entry.arxivId ? this.byArxiv.get(entry.arxivId) : undefined, `arXiv ${entry.arxivId}`) ??
      this.one(entry.doi ? this.byDoi.get(entry.doi.toLowerCase()) : undefined, `DOI ${entry.doi}`) ??
      this.one(entry.title ? this.byTitle.get(normalizeForHash(entry.title)) : undefined, "the title")
    );
  }

  /**
   * By the free text of a reference-list entry: an arXiv id or DOI written in it, a citewise paper id, else the
   * longest indexed title it contains whole (so "A survey on X" is not taken for "X").
   */
  text(text: string): Match | null {
    const doi = cleanDoi(/\b10\.\d{4,9}\/[^\s"<>]+/.exec(text)?.[0]?.replace(/[.,;)\]]+$/, ""));
    const byIds = this.entry({ arxivId: parseArxivId(text), doi, title: null });
    if (byIds) return byIds;
    const id = (text.match(/[\w.:/-]+/g) ?? []).map((token) => token.replace(/[.:/-]+$/, "")).find((token) => this.ids.has(token) || this.aliases.has(token));
    if (id) return { id: this.aliases.get(id) ?? id };
    const folded = ` ${normalizeForHash(text)} `;
    let best: { title: string; ids: string[] } | null = null;
    for (const [title, ids] of this.byTitle) {
      if (title.split(" ").length < MIN_TITLE_WORDS || !folded.includes(` ${title} `)) continue;
      if (!best || title.length > best.title.length) best = { title, ids };
    }
    return best ? this.one(best.ids, "the title") : null;
  }

  key(key: string): Match | null {
    if (this.ids.has(key)) return { id: key };
    const now = this.aliases.get(key);
    if (now) return { id: now };
    const arxiv = parseArxivId(key);
    if (arxiv && (key === arxiv || key === `arXiv:${arxiv}`)) return this.one(this.byArxiv.get(arxiv), `arXiv ${arxiv}`);
    return this.one(this.byCitationKey.get(key.toLowerCase()), `citation key ${key}`);
  }
}

/**
 * Maps a draft's citations to paper ids. A key is looked up in the --bib file (BibTeX keys are
 * case-insensitive), then in the draft's \bibitem list, then as a citewise paper id, bare arXiv id or the
 * citation key of an ingested BibTeX entry; a number `[n]` through the draft's numbered reference list.
 * Each failure is recorded once per key and line.
 */
export class CitationResolver {
  private readonly lookup: PaperLookup;
  private readonly bib: Map<string, UserBibEntry> | null;
  private readonly references: Map<string, ReferenceEntry>;
  private readonly failures = new Map<string, UnresolvedCitation>();

  constructor(papers: Iterable<Paper>, references: ReferenceEntry[], bib: UserBibEntry[] | null) {
    this.lookup = new PaperLookup(papers);
    this.bib = bib && new Map(bib.map((entry) => [entry.key.toLowerCase(), entry]));
    this.references = new Map(references.map((entry) => [entry.label, entry]));
  }

  /** The paper id a citation names, or null (then it is among `unresolved`). */
  resolve(citation: DraftCitation): string | null {
    const match = this.match(citation);
    if ("id" in match) return match.id;
    const key = citation.kind === "number" ? `[${citation.key}]` : citation.key;
    this.failures.set(`${key}\n${citation.line}`, { key, line: citation.line, reason: match.reason });
    return null;
  }

  get unresolved(): UnresolvedCitation[] {
    return [...this.failures.values()].sort((a, b) => a.line - b.line || a.key.localeCompare(b.key));
  }

  private match(citation: DraftCitation): Match {
    if (citation.kind === "number") {
      const entry = this.references.get(citation.key);
      if (!entry)
        return {
          reason: this.references.size ? `no entry [${citation.key}] in the reference list` : "the draft has no numbered reference list",
        };
      return this.lookup.text(entry.text) ?? { reason: `reference [${citation.key}] (line ${entry.line}) matches no indexed paper` };
    }
    if (citation.kind === "id") return this.lookup.key(citation.key) ?? { reason: "no indexed paper has this id" };
    const entry = this.bib?.get(citation.key.toLowerCase());
    if (entry) return this.lookup.entry(entry) ?? { reason: "its --bib entry matches no indexed paper (by arXiv id, DOI or title)" };
    const item = this.references.get(citation.key);
    if (item) return this.lookup.text(item.text) ?? { reason: `\\bibitem{${citation.key}} (line ${item.line}) matches no indexed paper` };
    return (
      this.lookup.key(citation.key) ?? { reason: this.bib ? "not in the --bib file nor an indexed paper id" : "no indexed paper id or key (pass --bib FILE)" }
    );
  }
}
