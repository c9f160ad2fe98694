import { citationJs } from "../../corpus/citation-js.js";
import { normalizeForHash, parseArxivId } from "../../corpus/ids.js";
import { type Paper, shownTitle } from "../../corpus/paper.js";
import { CitewiseError } from "../../errors.js";
import { cleanDoi, stripBom, yearIn } from "../../corpus/fields.js";

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
  /** The entry as the file has it, byte for byte: what a .bib written for the user copies. */
  raw?: string;
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
  author?: CslName[];
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

function cjs(): CitationJs {
  return citationJs<CitationJs>();
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
  const verbatim = rawEntries(text);
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
    return { key: entry.label, title: item?.title ?? field("title"), doi: doi?.toLowerCase() ?? null, arxivId, raw: verbatim.get(entry.label.toLowerCase()) };
  });
}

/** Each entry's text exactly as written, from its "@" to its closing brace, by key (lower case). */
function rawEntries(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  const head = /@\s*([A-Za-z]+)\s*([{(])\s*([^\s,{}()]+)\s*,/g;
  for (let match = head.exec(text); match; match = head.exec(text)) {
    if (/^(comment|string|preamble)$/i.test(match[1]!)) continue;
    const close = match[2] === "{" ? "}" : ")";
    let depth = 0;
    let end = -1;
    for (let i = match.index + match[0].indexOf(match[2]!) + 1; i < text.length; i++) {
      const c = text[i];
      if (c === "{") depth++;
      else if (c === "}" && depth > 0) depth--;
      else if (c === close && depth === 0) {
        end = i;
        break;
      }
    }
    if (end < 0) continue;
    const key = match[3]!.toLowerCase();
    if (!entries.has(key)) entries.set(key, text.slice(match.index, end + 1));
    head.lastIndex = end + 1;
  }
  return entries;
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
  // No authors: the title's first two words and the year say which paper it is ("AdaptiveFreezing2024").
  const words = titleWords(paper.title)
    .slice(0, 2)
    .map((word) => word[0]!.toUpperCase() + word.slice(1));
  return words.length ? `${words.join("")}${paper.year ?? yearIn(paper.date) ?? ""}` : safeKey(paper.id);
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

/** A title's words without stop words, ASCII, lower case, at most 24 characters each. */
function titleWords(title: string): string[] {
  const words = title
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const content = words.filter((word) => !TITLE_STOP_WORDS.has(word));
  return (content.length ? content : words).map((word) => word.slice(0, 24));
}

/** Characters BibTeX and natbib accept in a key. */
function safeKey(text: string): string {
  return text.replace(/[^A-Za-z0-9_:.-]/g, "");
}

function toCsl(paper: Paper, key?: string): CslItem {
  const item: CslItem = { id: paper.id, type: cslType(paper), title: shownTitle(paper), "citation-key": key };
  if (paper.authors.length) item.author = paper.authors.map(personName);
  // A date such as "Jun 7, 2023" knows its year even when no year field did: no "(n.d.)" for it.
  const year = paper.year ?? yearIn(paper.date);
  if (year) item.issued = { "date-parts": [[year]] };
  if (paper.venue) item["container-title"] = paper.venue;
  if (paper.arxivId) {
    if (!paper.venue) {
      item.publisher = "arXiv";
      item.number = paper.arxivId;
    }
    item.URL = paper.url ?? `https://arxiv.org/abs/${paper.arxivId}`;
  } else if (paper.url) {
    item.URL = paper.url;
  }
  // arXiv registers a DOI for every preprint; it gives APA a link that needs no access date.
  const doi = paper.doi ?? (paper.arxivId ? `10.48550/arXiv.${paper.arxivId}` : null);
  if (doi) item.DOI = doi;
  item.abstract = paper.abstract;
  return item;
}

interface CslName {
  given?: string;
  family?: string;
  literal?: string;
  suffix?: string;
  "non-dropping-particle"?: string;
}

/** Particles that belong with the family name: "Mart van Baalen" is van Baalen, M.; "Christopher De Sa" is De Sa, C. */
const PARTICLES = /^(van|von|de|da|del|della|der|den|di|du|dos|das|la|le|ten|ter|zu|af|al|el|bin|ibn)$/i;
const SUFFIX = /^(jr\.?|sr\.?|ii|iii|iv)$/i;

/** "First Middle Last", "First van Last Jr." or "Last, First" -> CSL name; a single word stays a literal name. */
export function personName(name: string): CslName {
  if (name.includes(",")) {
    const [family, given, third] = name.split(",").map((part) => part.trim());
    // "Smith, Jr., John" (BibTeX's three-part form) and "Smith, John, Jr.".
    if (third !== undefined) return SUFFIX.test(given!) ? { family, given: third, suffix: given } : { family, given, suffix: third };
    return { family, given };
  }
  const parts = name.trim().split(/\s+/);
  if (parts.length === 1) return { literal: parts[0] };
  const suffix = SUFFIX.test(parts[parts.length - 1]!) ? parts.pop() : undefined;
  const family = [parts.pop()!];
  // Particles before the family name, not the first word ("Van Baalen" alone is a given name and a family).
  while (parts.length > 1 && PARTICLES.test(parts[parts.length - 1]!)) family.unshift(parts.pop()!);
  const particle = family.length > 1 ? family.slice(0, -1).join(" ") : undefined;
  return {
    given: parts.join(" "),
    family: family[family.length - 1]!,
    ...(particle ? { "non-dropping-particle": particle } : {}),
    ...(suffix ? { suffix } : {}),
  };
}

/** Entry types as sources write them (BibTeX, RIS, CSL, Zotero, Semantic Scholar) → CSL, else from the venue. */
const TYPE_NAMES: Array<[RegExp, string]> = [
  [/^(article|jour|article-journal|journalarticle|journal ?article|ejour)$/i, "article-journal"],
  [/^(inproceedings|conference|conf|cpaper|paper-conference|conferencepaper|conference ?paper)$/i, "paper-conference"],
  [/^(book|mvbook)$/i, "book"],
  [/^(incollection|inbook|chap|chapter|booksection)$/i, "chapter"],
  [/^(phdthesis|mastersthesis|thes|thesis)$/i, "thesis"],
  [/^(techreport|rprt|report)$/i, "report"],
  [/^(misc|unpb|gen|elec|preprint|unpublished|online|document)$/i, "article"],
];
const CONFERENCE =
  /\b(conference|proceedings|workshop|symposium|neurips|nips|icml|iclr|cvpr|iccv|eccv|acl|emnlp|naacl|aaai|ijcai|kdd|sigir|www|interspeech|icassp|uai|aistats|colt)\b/i;

/** "cs.LG", "stat.ML", "math.OC", "hep-th", "quant-ph". */
const ARXIV_CATEGORY = /^(?:[a-z]+(?:-[a-z]+)?\.[A-Z]{2}|[a-z]+-[a-z]+|astro-ph\.[A-Z]{2})$/;

function cslType(paper: Paper): string {
  const written = paper.entryType?.split(",")[0]?.trim() ?? "";
  const known = TYPE_NAMES.find(([pattern]) => pattern.test(written))?.[1];
  if (known && (known !== "article" || !paper.venue)) return known;
  if (paper.venue) return CONFERENCE.test(paper.venue) ? "paper-conference" : "article-journal";
  return paper.arxivId ? "article" : "document";
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
 * BibTeX of the cited papers. The user's own entries are copied exactly as written — from the --bib file
 * whose key was used, or from the .bib the paper was ingested from — so a round trip changes nothing. The
 * others come from citation-js with the chosen keys forced, the abstract added (escaped by its BibLaTeX
 * output) so the file can be ingested again, and arXiv eprint fields.
 */
export function bibtexFor(cited: CitedPaper[], userEntries: UserBibEntry[] = []): string {
  if (cited.length === 0) return "";
  const { Cite } = cjs();
  const cite = new Cite(cited.map(({ paper, key }) => toCsl(paper, key)));
  const bibtex = cite.format("bibtex", { format: "object" });
  const biblatex = cite.format("biblatex", { format: "object" });
  const userRaw = new Map(userEntries.filter((entry) => entry.raw).map((entry) => [entry.key.toLowerCase(), entry.raw!]));
  const text = bibtex
    .map((entry, i) => {
      const { paper, key } = cited[i]!;
      const own = userRaw.get(key.toLowerCase()) ?? (paper.bibtex && paper.citationKey === key ? paper.bibtex : undefined);
      if (own) return `${own}\n`;
      const fields: Record<string, string> = { ...entry.properties };
      if (paper.arxivId) Object.assign(fields, { eprint: paper.arxivId, archiveprefix: "arXiv" });
      const abstract = biblatex[i]?.properties.abstract;
      if (abstract) fields.abstract = abstract;
      if (paper.arxivId && paper.categories[0] && ARXIV_CATEGORY.test(paper.categories[0])) fields.primaryclass = paper.categories[0];
      // citation-js repeats the URL as howpublished; one is enough.
      if (fields.howpublished && fields.howpublished === fields.url) delete fields.howpublished;
      // Keywords, not arXiv's subject codes (those are primaryclass).
      const keywords = paper.categories.filter((category) => !ARXIV_CATEGORY.test(category));
      if (keywords.length && !fields.keywords) fields.keywords = keywords.join(", ");
      // A preprint has no journal: @misc is what BibTeX styles expect for it.
      const type = entry.type === "article" && !fields.journal ? "misc" : entry.type;
      const body = Object.entries(fields).map(([name, value]) => `  ${name} = {${value}},`);
      return `@${type}{${key},\n${body.join("\n")}\n}\n`;
    })
    .join("\n");
  // One line ending in the file: the user's own (CRLF from a Windows export) when their entries carry it.
  return [...userRaw.values(), ...cited.map(({ paper }) => paper.bibtex ?? "")].some((text) => text.includes("\r\n")) ? text.replace(/\r?\n/g, "\r\n") : text;
}
