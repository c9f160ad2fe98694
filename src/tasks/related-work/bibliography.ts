import { createRequire } from "node:module";
import { normalizeForHash, parseArxivId } from "../../corpus/ids.js";
import { type Paper, shownTitle } from "../../corpus/paper.js";
import { CitewiseError } from "../../errors.js";
import { cleanDoi, stripBom } from "../../corpus/fields.js";

/** Reference styles citation-js ships templates for (IEEE would need its CSL file registered). */
export const CITATION_STYLES = ["apa", "vancouver"] as const;
export type CitationStyle = (typeof CITATION_STYLES)[number];

/** A problem with the user's .bib file; the CLI reports it as a user error. */
export class BibliographyError extends CitewiseError {}

/** What is needed from a user's BibTeX entry to recognise one of our papers. */
export interface UserBibEntry {
  key: string;
  title: string | null;
  doi: string | null;
  arxivId: string | null;
}

export interface CitedPaper {
  paper: Paper;
  key: string;
}

interface CslItem {
  id: string;
  type: string;
  title: string;
  "citation-key"?: string;
  author?: Array<{ given?: string; family?: string; literal?: string }>;
  issued?: { "date-parts": number[][] };
  "container-title"?: string;
  publisher?: string;
  number?: string;
  DOI?: string;
  URL?: string;
  abstract?: string;
}

interface BibEntryObject {
  type: string;
  label: string;
  properties: Record<string, string>;
}

interface CiteInstance {
  format(format: "bibtex" | "biblatex", options: { format: "object" }): BibEntryObject[];
  format(format: "bibliography", options: Record<string, unknown>): Array<[string, string]>;
}

interface CitationJs {
  Cite: new (data: CslItem[]) => CiteInstance;
  plugins: { input: { chain(input: string, options: Record<string, unknown>): unknown } };
}

let citationJs: CitationJs | null = null;

/** citation-js is CommonJS and takes a moment to load: required on first use, not at CLI start-up. */
function cjs(): CitationJs {
  if (!citationJs) {
    const require = createRequire(import.meta.url);
    const core = require("@citation-js/core") as CitationJs;
    // The plugins register themselves with core when required.
    require("@citation-js/plugin-bibtex");
    require("@citation-js/plugin-csl");
    citationJs = core;
  }
  return citationJs;
}

/**
 * Reads the entries of a user's .bib with citation-js. Unlike the ingest parser it keeps entries
 * without an abstract, which is most of a typical refs.bib.
 */
export function parseUserBib(content: string, file: string): UserBibEntry[] {
  const text = stripBom(content);
  if (!/@\s*[A-Za-z]/.test(text)) throw new BibliographyError(`${file}: no BibTeX entries found`);
  let raw: Array<{ label: string; properties: Record<string, string | number> }>;
  let csl: Array<{ id: string; title?: string; DOI?: string }>;
  try {
    const { plugins } = cjs();
    raw = plugins.input.chain(text, { target: "@biblatex/entries+list", generateGraph: false }) as typeof raw;
    csl = plugins.input.chain(text, { target: "@csl/list+object", generateGraph: false }) as typeof csl;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /at line (\d+) col \d+/.exec(message);
    const reason = message.split("\n")[0]!.replace(/\s*at line \d+ col \d+:?\s*$/, "");
    throw new BibliographyError(`${file}${at ? `:${at[1]}` : ""}: cannot read BibTeX: ${reason}`);
  }
  const plainTitle = new Map(csl.map((item) => [item.id, item]));
  return raw.map((entry) => {
    const field = (name: string) => (entry.properties[name] === undefined ? null : String(entry.properties[name]));
    const item = plainTitle.get(entry.label);
    const doi = cleanDoi(item?.DOI ?? field("doi"));
    const prefix = field("archiveprefix") ?? field("eprinttype");
    const arxivId =
      (!prefix || /arxiv/i.test(prefix) ? parseArxivId(field("eprint")) : null) ??
      parseArxivId(field("arxivid") ?? field("arxiv")) ??
      [field("journal"), field("url"), doi].map((value) => (value && /arxiv/i.test(value) ? parseArxivId(value) : null)).find(Boolean) ??
      null;
    return { key: entry.label, title: item?.title ?? field("title"), doi: doi?.toLowerCase() ?? null, arxivId };
  });
}

/**
 * One BibTeX key per paper, unique (case-insensitively, as BibTeX compares them): the user's key when
 * their .bib has the paper (same title, arXiv id or DOI), else the paper's own citation key, else a
 * generated one — citation-js's FirstAuthorYearTitleword for papers with authors, a title word plus
 * year ("lotr2024") for papers without, the paper id for untitled ones.
 */
export function assignCitationKeys(papers: Paper[], userEntries: UserBibEntry[] = []): Map<string, string> {
  const keys = new Map<string, string>();
  const taken = new Set<string>();
  const claim = (paper: Paper, key: string) => {
    keys.set(paper.id, key);
    taken.add(key.toLowerCase());
  };
  for (const paper of papers) {
    const entry = userEntries.find((candidate) => !taken.has(candidate.key.toLowerCase()) && sameWork(paper, candidate));
    if (entry) claim(paper, entry.key);
  }
  for (const paper of papers) {
    if (!keys.has(paper.id) && paper.citationKey && !taken.has(paper.citationKey.toLowerCase())) claim(paper, paper.citationKey);
  }
  const pending = papers.filter((paper) => !keys.has(paper.id));
  const bases = pending.map(generatedKey);
  const count = (base: string) => bases.filter((other) => other.toLowerCase() === base.toLowerCase()).length;
  for (const [i, paper] of pending.entries()) {
    const base = bases[i]!;
    // Shared bases get a, b, c … like a bibliography's "2020a/2020b".
    if (count(base) === 1 && !taken.has(base.toLowerCase())) {
      claim(paper, base);
      continue;
    }
    let suffix = 0;
    let key = "";
    do key = `${base}${suffixLetters(suffix++)}`;
    while (taken.has(key.toLowerCase()));
    claim(paper, key);
  }
  return keys;
}

function suffixLetters(n: number): string {
  return n < 26 ? String.fromCharCode(97 + n) : `${suffixLetters(Math.floor(n / 26) - 1)}${String.fromCharCode(97 + (n % 26))}`;
}

function sameWork(paper: Paper, entry: UserBibEntry): boolean {
  if (entry.arxivId && paper.arxivId === entry.arxivId) return true;
  if (entry.doi && paper.doi?.toLowerCase() === entry.doi) return true;
  return Boolean(entry.title && paper.title && normalizeForHash(entry.title) === normalizeForHash(paper.title));
}

function generatedKey(paper: Paper): string {
  if (paper.titleIsDerived || !paper.title) return safeKey(paper.id);
  if (paper.authors.length) {
    // citation-js's own label convention, taken from its BibTeX output for an item without a key.
    const { Cite } = cjs();
    const [entry] = new Cite([toCsl(paper)]).format("bibtex", { format: "object" });
    const label = safeKey(entry?.label ?? "");
    if (label && !/^\d*$/.test(label)) return label;
  }
  const word = firstTitleWord(paper.title);
  return word ? `${word}${paper.year ?? ""}` : safeKey(paper.id);
}

const TITLE_STOP_WORDS = new Set([
  "the",
  "a",
  "an",
  "on",
  "of",
  "in",
  "for",
  "to",
  "towards",
  "toward",
  "and",
  "is",
  "are",
  "do",
  "does",
  "can",
  "what",
  "how",
  "why",
  "when",
]);

function firstTitleWord(title: string): string {
  const words = title
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return (words.find((word) => !TITLE_STOP_WORDS.has(word)) ?? words[0] ?? "").slice(0, 24);
}

/** Characters BibTeX and natbib accept in a key. */
function safeKey(text: string): string {
  return text.replace(/[^A-Za-z0-9_:.-]/g, "");
}

function toCsl(paper: Paper, key?: string): CslItem {
  const item: CslItem = { id: paper.id, type: "article", title: shownTitle(paper), "citation-key": key };
  if (paper.authors.length) item.author = paper.authors.map(personName);
  if (paper.year) item.issued = { "date-parts": [[paper.year]] };
  if (paper.venue) {
    item.type = "article-journal";
    item["container-title"] = paper.venue;
  }
  if (paper.arxivId) {
    if (!paper.venue) {
      item.publisher = "arXiv";
      item.number = paper.arxivId;
    }
    item.URL = `https://arxiv.org/abs/${paper.arxivId}`;
  } else if (!paper.venue) {
    item.type = "document";
  }
  // arXiv registers a DOI for every preprint; it gives APA a link that needs no access date.
  const doi = paper.doi ?? (paper.arxivId ? `10.48550/arXiv.${paper.arxivId}` : null);
  if (doi) item.DOI = doi;
  item.abstract = paper.abstract;
  return item;
}

/** "First Middle Last" or "Last, First" -> CSL name; a single word stays a literal name. */
function personName(name: string): { given?: string; family?: string; literal?: string } {
  if (name.includes(",")) {
    const [family, given] = name.split(",", 2).map((part) => part.trim());
    return { family, given };
  }
  const parts = name.trim().split(/\s+/);
  if (parts.length === 1) return { literal: parts[0] };
  const suffix = /^(jr\.?|sr\.?|ii|iii|iv)$/i.test(parts[parts.length - 1]!) ? parts.pop() : undefined;
  const family = parts.pop()!;
  return { given: parts.join(" "), family: suffix ? `${family} ${suffix}` : family };
}

/** Each paper's reference formatted by citation-js in the given style, keyed by paper id. */
export function formatReferences(cited: CitedPaper[], style: CitationStyle): Map<string, string> {
  if (cited.length === 0) return new Map();
  const { Cite } = cjs();
  const entries = new Cite(cited.map(({ paper, key }) => toCsl(paper, key))).format("bibliography", {
    format: "text",
    template: style,
    lang: "en-US",
    asEntryArray: true,
  });
  // Numbered styles (Vancouver) number in their own order; the document numbers references itself.
  return new Map(entries.map(([id, text]) => [id, text.trim().replace(/^\d+\.\s+/, "")]));
}

/**
 * BibTeX of the cited papers from citation-js, with the chosen keys forced, the abstract added (escaped
 * by citation-js's BibLaTeX output) so the file can be ingested again, and arXiv eprint fields.
 */
export function bibtexFor(cited: CitedPaper[]): string {
  if (cited.length === 0) return "";
  const { Cite } = cjs();
  const cite = new Cite(cited.map(({ paper, key }) => toCsl(paper, key)));
  const bibtex = cite.format("bibtex", { format: "object" });
  const biblatex = cite.format("biblatex", { format: "object" });
  return bibtex
    .map((entry, i) => {
      const { paper, key } = cited[i]!;
      const fields: Record<string, string> = { ...entry.properties };
      if (paper.arxivId) Object.assign(fields, { eprint: paper.arxivId, archiveprefix: "arXiv" });
      const abstract = biblatex[i]?.properties.abstract;
      if (abstract) fields.abstract = abstract;
      // A preprint has no journal: @misc is what BibTeX styles expect for it.
      const type = entry.type === "article" && !fields.journal ? "misc" : entry.type;
      const body = Object.entries(fields).map(([name, value]) => `  ${name} = {${value}},`);
      return `@${type}{${key},\n${body.join("\n")}\n}\n`;
    })
    .join("\n");
}
