import type { Paper } from "../corpus/paper.js";
import type { ChatModel } from "../llm/chat-model.js";
import type { AnswerSource } from "../generate/generator.js";
import { formatSource } from "../generate/llm-answerer.js";
import { renderPrompt } from "../llm/prompts.js";
import { validateCitations } from "../ground/citations.js";
import { checkGrounding, scoreSentence, type SentenceSupport } from "../ground/support.js";
import type { Embedder } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import { hasFilters, type PaperFilters } from "../retrieve/filters.js";
import { searchPapers } from "../retrieve/search.js";
import { reference, relevanceOf, type Reference } from "./ask.js";
import { checkCitedText, numberSources, sourcesFromPapers } from "./cited-document.js";
import { parseComparison, TABLE_HEADER } from "./compare-markdown.js";
import {
  commonGroundSentences,
  differenceSentences,
  FACETS,
  NOT_STATED,
  pickFacetQuotes,
  shortName,
  type Facet,
  type OfflineCell,
  type TermWeight,
} from "./compare-offline.js";
import { CitewiseError } from "../errors.js";
import { stripMarkers } from "../ground/markers.js";

export { FACET_LABELS, FACETS, NOT_STATED, type Facet } from "./compare-offline.js";

export const MIN_PAPERS = 2;
export const MAX_PAPERS = 6;

/** The request cannot be met (too few papers, nothing relevant); the CLI reports it as a user error. */
export class CompareError extends CitewiseError {}

export interface CompareOptions {
  index: IndexSnapshot;
  embedder: Embedder | null;
  /** Papers to compare, in this order; or leave empty and give `query`. */
  papers?: Paper[];
  /** Without `papers`: retrieve the papers for this query. Either way it focuses the comparison. */
  query?: string;
  /** Papers retrieved for `query`. */
  k?: number;
  filters?: PaperFilters;
  /** Writes the comparison when given; otherwise the offline composer does. */
  chat?: ChatModel | null;
}

export interface CompareCell {
  /** The quoted text (a claim), or null when the abstract does not state this facet. */
  quote: string | null;
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

export interface CompareResult {
  query: string | null;
  generator: string;
  papers: ComparedPaper[];
  /** paperId -> facet -> cell. */
  facets: Record<string, Record<Facet, CompareCell>>;
  commonGround: string;
  differences: string;
  commonGroundSentences: SentenceSupport[];
  differenceSentences: SentenceSupport[];
  /** Only the papers cited somewhere in the comparison. */
  references: Reference[];
  removedCitations: string[];
  /** Every checked claim: quoted cells (row by row), then the prose sentences. */
  sentences: SentenceSupport[];
  /** Claim cells plus prose sentences. */
  grounded: { supported: number; total: number };
  warnings: string[];
}

/** What a composer writes before any check: cell texts and prose with [n] markers. */
interface Draft {
  cells: Map<number, Partial<Record<Facet, string>>>;
  commonGround: string;
  differences: string;
  /** Citations already dropped while reading the draft (a table row for a source that does not exist). */
  removed: string[];
  warnings: string[];
}

export async function compare(options: CompareOptions): Promise<CompareResult> {
  const sources = await chooseSources(options);
  const weight: TermWeight = (term) => options.index.keyword.idf(term);
  const draft = options.chat ? await modelDraft(options.chat, sources, options.query) : offlineDraft(sources, options.query, weight);
  return checkDraft(draft, sources, { query: options.query ?? null, generator: options.chat?.name ?? "extractive" });
}

async function chooseSources(options: CompareOptions): Promise<AnswerSource[]> {
  if (options.papers?.length) {
    const unique = [...new Map(options.papers.map((paper) => [paper.id, paper])).values()];
    if (unique.length < MIN_PAPERS) throw new CompareError(`compare needs at least ${MIN_PAPERS} different papers (got ${unique.length})`);
    if (unique.length > MAX_PAPERS) throw new CompareError(`compare takes at most ${MAX_PAPERS} papers (got ${unique.length})`);
    return sourcesFromPapers(unique);
  }
  const query = options.query?.trim();
  if (!query) throw new CompareError(`name ${MIN_PAPERS}–${MAX_PAPERS} paper ids or give a query`);
  const k = Math.min(MAX_PAPERS, Math.max(MIN_PAPERS, options.k ?? 4));
  const results = await searchPapers(options.index, options.embedder, query, { k, filters: options.filters });
  if (results.length < MIN_PAPERS) {
    const found = results.length ? `only 1 paper` : "no paper";
    throw new CompareError(
      `${found} matched "${query}"${options.filters && hasFilters(options.filters) ? " with these filters" : ""}; compare needs ${MIN_PAPERS}`,
    );
  }
  const relevance = relevanceOf(options.index, query, results);
  if (relevance.score < relevance.threshold) {
    const nearest = results
      .slice(0, 3)
      .map((result) => result.paper.id)
      .join(", ");
    throw new CompareError(
      `the indexed papers do not address "${query}" (relevance ${relevance.score.toFixed(2)} < ${relevance.threshold}); nearest: ${nearest}`,
    );
  }
  return numberSources(results);
}

function offlineDraft(sources: AnswerSource[], query: string | undefined, weight: TermWeight): Draft {
  const picked = new Map<number, OfflineCell[]>(sources.map((source) => [source.n, pickFacetQuotes(source, query, weight)]));
  const cells = new Map<number, Partial<Record<Facet, string>>>();
  for (const [n, row] of picked) cells.set(n, Object.fromEntries(row.map((cell) => [cell.facet, cell.quote === null ? NOT_STATED : `“${cell.quote}” [${n}]`])));
  // Each sentence comes with narrower fallbacks; the first one its cited abstracts support is kept.
  const choose = (options: string[][]) => options.slice(0, 4).map((variants) => variants.find((text) => fullySupported(text, sources)) ?? variants[0]!);
  const common = commonGroundSentences(sources, weight);
  return {
    cells,
    commonGround: choose(common.options).join(" "),
    differences: choose(differenceSentences(sources, picked, weight)).join(" "),
    removed: [],
    warnings: common.sharedByAll ? [] : ["no key phrase appears in every compared abstract"],
  };
}

function fullySupported(text: string, sources: AnswerSource[]): boolean {
  const report = checkGrounding(text, (n) => sources[n - 1]?.sentences.join(" "));
  return report.total > 0 && report.supported === report.total;
}

async function modelDraft(chat: ChatModel, sources: AnswerSource[], query: string | undefined): Promise<Draft> {
  const messages = await renderPrompt("compare", {
    sources: sources.map(formatSource).join("\n\n"),
    source_count: sources.length,
    table_header: TABLE_HEADER,
    focus: query ? `Focus the comparison on: ${query}` : "Compare the papers as a whole.",
  });
  const parsed = parseComparison(await chat.complete(messages), sources.length);
  return { cells: parsed.rows, commonGround: parsed.commonGround, differences: parsed.differences, removed: parsed.removed, warnings: parsed.warnings };
}

const NOT_STATED_CELL = /^(not (stated|mentioned|reported|specified|given|discussed)\b.*|n\/?a|none|unknown|[-–—]*)$/i;

/** The same checks for both composers: citations validated, every cell and prose sentence scored. */
function checkDraft(draft: Draft, sources: AnswerSource[], meta: { query: string | null; generator: string }): CompareResult {
  const removed = [...draft.removed];
  const cited = new Set<number>();
  const claims: SentenceSupport[] = [];
  const facets: CompareResult["facets"] = {};

  for (const source of sources) {
    const row = {} as Record<Facet, CompareCell>;
    for (const facet of FACETS) {
      const raw = draft.cells.get(source.n)?.[facet] ?? "";
      const checked = validateCitations(raw, sources.length);
      removed.push(...checked.removed);
      // From the raw cell: validateCitations tidies spacing ("75% ," -> "75%,"), which would break verbatim quotes.
      // Markers out, the quote's own spacing left alone.
      const quote = unquote(stripMarkers(raw, { keepSpacing: true }));
      if (NOT_STATED_CELL.test(quote)) {
        row[facet] = { quote: null, citation: null, citations: [], supported: null, verbatim: null };
        continue;
      }
      const citations = checked.cited;
      const score = citations.includes(source.n)
        ? scoreSentence(
            quote,
            citations.map((n) => sources[n - 1]!.sentences.join(" ")),
          )
        : {
            supported: false,
            coverage: 0,
            missingNumbers: [],
            reason: citations.length ? `cites ${citations.map((n) => `[${n}]`).join("")}, not this row's paper [${source.n}]` : "no citation",
          };
      for (const n of citations) cited.add(n);
      claims.push({ text: `${quote} ${citations.map((n) => `[${n}]`).join("")}`.trim(), citations, ...score });
      row[facet] = {
        quote,
        citation: citations.includes(source.n) ? source.n : (citations[0] ?? null),
        citations,
        supported: score.supported,
        verbatim: isVerbatim(quote, source.paper.abstract),
        ...(score.reason ? { reason: score.reason } : {}),
      };
    }
    facets[source.paper.id] = row;
  }

  const prose = [draft.commonGround, draft.differences].map((text) => (text.trim() ? checkCitedText(text, sources) : null));
  for (const checked of prose) {
    removed.push(...(checked?.removedCitations ?? []));
    for (const ref of checked?.references ?? []) cited.add(ref.n);
  }
  const sentences = prose.flatMap((checked) => checked?.grounding.sentences ?? []);
  const all = [...claims, ...sentences];
  return {
    ...meta,
    papers: sources.map((source) => ({ ...reference(source.n, source.paper), label: shortName(source.paper) ?? source.paper.displayTitle })),
    facets,
    commonGround: prose[0]?.text ?? "",
    differences: prose[1]?.text ?? "",
    commonGroundSentences: prose[0]?.grounding.sentences ?? [],
    differenceSentences: prose[1]?.grounding.sentences ?? [],
    references: [...cited].sort((a, b) => a - b).map((n) => reference(n, sources[n - 1]!.paper)),
    removedCitations: removed,
    sentences: all,
    grounded: { supported: all.filter((claim) => claim.supported).length, total: all.length },
    warnings: draft.warnings,
  };
}

function unquote(text: string): string {
  return text
    .trim()
    .replace(/^[*_]+|[*_]+$/g, "")
    .replace(/^["“'‘]\s*(.*?)\s*["”'’]$/s, "$1")
    .trim();
}

/** Ellipses aside, each piece of the quote appears in the abstract (whitespace-insensitive). */
function isVerbatim(quote: string, abstract: string): boolean {
  const flat = (text: string) => text.replace(/\s+/g, " ").trim();
  const haystack = flat(abstract);
  const pieces = quote
    .split(/…|\.\.\./)
    .map(flat)
    .filter(Boolean);
  return pieces.length > 0 && pieces.every((piece) => haystack.includes(piece));
}
