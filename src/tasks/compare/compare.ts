import type { Paper } from "../../corpus/paper.js";
import { CitewiseError } from "../../errors.js";
import type { AnswerSource } from "../../generate/generator.js";
import { completeWithSources, write } from "../../generate/writer.js";
import { validateCitations } from "../../ground/citations.js";
import { stripMarkers } from "../../ground/markers.js";
import { mergeGrounding, type SentenceSupport } from "../../ground/grounding.js";
import { allSentencesPass } from "../../ground/support.js";
import type { ClaimJudge } from "../../ground/verdict.js";
import type { BudgetReport } from "../../llm/budget.js";
import type { ChatModel } from "../../llm/chat-model.js";
import { hasFilters } from "../../retrieve/filters.js";
import { TASK_DEFAULTS } from "../../settings.js";
import { asEvidence, checkCitedText, checkWarnings, taskBudget } from "../core/check.js";
import type { TaskContext } from "../core/context.js";
import { reference } from "../core/result.js";
import { retrieve } from "../core/retrieve.js";
import { sourcesFromPapers } from "../core/sources.js";
import { comparisonBody } from "./render.js";
import { parseComparison, TABLE_HEADER } from "./model-reply.js";
import { type ColumnDraftCell, locateQuote, parseColumnReply, replyShape } from "./column-reply.js";
import { type CompareColumn, fillColumns } from "./columns.js";
import { FACET_LABELS, FACETS, NOT_STATED, pickFacetQuotes, type OfflineCell, type TermWeight } from "./facets.js";
import { commonGroundSentences, differenceSentences, shortName } from "./phrases.js";
import type { CompareCell, CompareResult } from "./types.js";

export type { CompareResult } from "./types.js";

export const MIN_PAPERS = 2;
export const MAX_PAPERS = 6;

/** The request cannot be met (too few papers, nothing relevant): a one-line user error. */
export class CompareError extends CitewiseError {}

export interface CompareOptions {
  /** Papers to compare, in this order; or leave empty and give `query`. */
  papers?: Paper[];
  /** Without `papers`: retrieve the papers for this query. Either way it focuses the comparison. */
  query?: string;
  /** Papers retrieved for `query`. */
  k?: number;
  /** Columns the user named (--columns); without them, the five facets. */
  columns?: CompareColumn[];
}

/** The five facets as table columns. */
export const FACET_COLUMNS: CompareColumn[] = FACETS.map((facet) => ({ key: facet, label: FACET_LABELS[facet] }));

/**
 * What a composer writes before any check: prose with [n] markers, and the table: facet cells as text
 * with [n] markers (`cells`), or, for named columns, a value and a quote per cell (`columnCells`).
 */
interface Draft {
  cells: Map<number, Partial<Record<string, string>>>;
  columnCells?: Map<number, Record<string, ColumnDraftCell>>;
  commonGround: string;
  differences: string;
  /** Citations already dropped while reading the draft (a table row for a source that does not exist). */
  removed: string[];
  notes: string[];
  budget: BudgetReport | null;
}

export async function compare(context: TaskContext, options: CompareOptions): Promise<CompareResult> {
  const { sources, relevance } = await chooseSources(context, options);
  const weight: TermWeight = (term) => context.index.keyword.idf(term);
  const named = options.columns;
  const draft = await write(context.writer, {
    offline: async () => {
      const draft = await offlineDraft(sources, options.query, weight, context.judge);
      if (!named) return draft;
      const picks = await fillColumns(sources, named, context.embedder);
      const columnCells = new Map(
        [...picks].map(([n, row]) => [n, Object.fromEntries(named.map((column, c) => [column.key, { value: null, quote: row[c]!.quote }]))]),
      );
      return { ...draft, cells: new Map(), columnCells };
    },
    model: (chat) => (named ? modelColumnsDraft(chat, sources, options.query, named) : modelDraft(chat, sources, options.query)),
  });
  const columns = named ?? FACET_COLUMNS;
  return checkDraft(draft, sources, context.judge, { query: options.query ?? null, generator: context.writer.name, relevance, columns });
}

async function chooseSources(context: TaskContext, options: CompareOptions): Promise<{ sources: AnswerSource[]; relevance: CompareResult["relevance"] }> {
  if (options.papers?.length) {
    const unique = [...new Map(options.papers.map((paper) => [paper.id, paper])).values()];
    if (unique.length < MIN_PAPERS) throw new CompareError(`compare needs at least ${MIN_PAPERS} different papers (got ${unique.length})`);
    if (unique.length > MAX_PAPERS) throw new CompareError(`compare takes at most ${MAX_PAPERS} papers (got ${unique.length})`);
    return { sources: sourcesFromPapers(unique), relevance: null };
  }
  const query = options.query?.trim();
  if (!query) throw new CompareError(`name ${MIN_PAPERS}–${MAX_PAPERS} paper ids or give a query`);
  const k = Math.min(MAX_PAPERS, Math.max(MIN_PAPERS, options.k ?? TASK_DEFAULTS.compare.papers));
  const retrieval = await retrieve(context, query, k);
  const { results, relevance } = retrieval;
  if (results.length < MIN_PAPERS) {
    const found = results.length ? `only 1 paper` : "no paper";
    throw new CompareError(
      `${found} matched "${query}"${context.filters && hasFilters(context.filters) ? " with these filters" : ""}; compare needs ${MIN_PAPERS}`,
    );
  }
  // A comparison of papers that do not address the query would be a table of noise: refused, with the nearest ones.
  if (retrieval.abstain) {
    const nearest = results
      .slice(0, 3)
      .map((result) => result.paper.id)
      .join(", ");
    throw new CompareError(
      `the indexed papers do not address "${query}" (relevance ${relevance.score.toFixed(2)} < ${relevance.threshold}); nearest: ${nearest}`,
    );
  }
  return { sources: retrieval.sources, relevance };
}

async function offlineDraft(sources: AnswerSource[], query: string | undefined, weight: TermWeight, judge: ClaimJudge): Promise<Draft> {
  const picked = new Map<number, OfflineCell[]>(sources.map((source) => [source.n, pickFacetQuotes(source, query, weight)]));
  const cells = new Map<number, Partial<Record<string, string>>>();
  for (const [n, row] of picked) cells.set(n, Object.fromEntries(row.map((cell) => [cell.facet, cell.quote === null ? NOT_STATED : `“${cell.quote}” [${n}]`])));
  const common = commonGroundSentences(sources, weight);
  return {
    cells,
    commonGround: (await choose(common.options.slice(0, 4), sources, judge)).join(" "),
    // One sentence per paper that has a phrase of its own.
    differences: (await choose(differenceSentences(sources, picked, weight), sources, judge)).join(" "),
    removed: [],
    notes: common.sharedByAll ? [] : ["no key phrase appears in every compared abstract"],
    budget: null,
  };
}

/** Judge checks per sentence while choosing among its variants: a model judge costs a request each. */
const JUDGED_VARIANTS = 3;

/**
 * Each sentence comes with narrower or other variants; the first that its cited abstracts support (a
 * quick lexical test, then the judge that checks the result) is kept, and a sentence none passes is left out.
 */
async function choose(options: string[][], sources: AnswerSource[], judge: ClaimJudge): Promise<string[]> {
  const kept: string[] = [];
  for (const variants of options) {
    const likely = variants.filter((text) => fullySupported(text, sources)).slice(0, JUDGED_VARIANTS);
    for (const text of likely) {
      const checked = await checkCitedText(text, sources, judge);
      if (checked.grounding.sentences.every((sentence) => sentence.supported)) {
        kept.push(text);
        break;
      }
    }
  }
  return kept;
}

function fullySupported(text: string, sources: AnswerSource[]): boolean {
  return allSentencesPass(text, (n) => sources[n - 1]?.sentences.join(" "));
}

async function modelDraft(chat: ChatModel, sources: AnswerSource[], query: string | undefined): Promise<Draft> {
  const focus = query ? `Focus the comparison on: ${query}` : "Compare the papers as a whole.";
  const spec = { prompt: "compare", budget: "compare", request: query ?? "", replyUnits: sources.length } as const;
  const reply = await completeWithSources(chat, spec, { table_header: TABLE_HEADER, focus }, sources);
  const parsed = parseComparison(reply.text, sources.length);
  return {
    cells: parsed.rows,
    commonGround: parsed.commonGround,
    differences: parsed.differences,
    removed: parsed.removed,
    notes: [...parsed.warnings, ...reply.notes],
    budget: reply.budget,
  };
}

async function modelColumnsDraft(chat: ChatModel, sources: AnswerSource[], query: string | undefined, columns: CompareColumn[]): Promise<Draft> {
  const focus = query ? `Focus on: ${query}` : "";
  const columnList = columns.map((column) => `"${column.label}"`).join(", ");
  const values = { column_list: columnList, reply_shape: replyShape(columns), column_count: columns.length, focus };
  // A value and a quote per cell: about half a paper's facet row per column.
  const spec = {
    prompt: "compare-columns",
    budget: "compare",
    request: query ?? columnList,
    replyUnits: sources.length * Math.max(1, Math.ceil(columns.length / 2)),
  } as const;
  const reply = await completeWithSources(chat, spec, values, sources);
  const parsed = parseColumnReply(reply.text, columns, sources.length);
  return {
    cells: new Map(),
    columnCells: parsed.rows,
    commonGround: parsed.commonGround,
    differences: parsed.differences,
    removed: [],
    notes: [...parsed.warnings, ...reply.notes],
    budget: reply.budget,
  };
}

const NOT_STATED_CELL = /^(not (stated|mentioned|reported|specified|given|discussed)\b.*|n\/?a|none|unknown|[-–—]*)$/i;

/** The same checks for both composers: citations validated, every cell and prose sentence scored. */
async function checkDraft(
  draft: Draft,
  sources: AnswerSource[],
  judge: ClaimJudge,
  meta: { query: string | null; generator: string; relevance: CompareResult["relevance"]; columns: CompareColumn[] },
): Promise<CompareResult> {
  const removed = [...draft.removed];
  const cited = new Set<number>();
  const claims: SentenceSupport[] = [];
  const facets: CompareResult["facets"] = {};

  for (const source of sources) {
    const row: Record<string, CompareCell> = {};
    if (draft.columnCells) {
      for (const column of meta.columns) {
        const checked = checkColumnCell(draft.columnCells.get(source.n)?.[column.key], source);
        row[column.key] = checked.cell;
        if (checked.claim) claims.push(checked.claim);
        if (checked.cell.citation) cited.add(source.n);
      }
      facets[source.paper.id] = row;
      continue;
    }
    for (const facet of meta.columns.map((column) => column.key)) {
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
      // A cell quotes its row's paper: citing another one is a misattribution whatever that paper says.
      const judgement = citations.includes(source.n)
        ? await judge.judge(
            quote,
            citations.map((n) => asEvidence(sources[n - 1]!)),
            sources.filter((s) => !citations.includes(s.n)).map(asEvidence),
            { numbers: citations },
          )
        : citations.length
          ? {
              verdict: "misattributed" as const,
              score: 0,
              evidence: [],
              better: [source.paper.id],
              reason: `cites ${citations.map((n) => `[${n}]`).join("")}, not this row's paper [${source.n}]`,
            }
          : { verdict: "uncited" as const, score: 0, evidence: [], better: [], reason: "no citation" };
      const score = { supported: judgement.verdict === "supported", ...(judgement.verdict === "supported" ? {} : { reason: judgement.reason }) };
      for (const n of citations) cited.add(n);
      claims.push({
        text: `${quote} ${citations.map((n) => `[${n}]`).join("")}`.trim(),
        citations,
        verdict: judgement.verdict,
        supported: score.supported,
        score: judgement.score,
        evidence: judgement.evidence,
        better: judgement.better,
        ...(score.reason ? { reason: score.reason } : {}),
      });
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

  const prose = await Promise.all(
    [draft.commonGround, draft.differences].map((text) => (text.trim() ? checkCitedText(text, sources, judge, { question: meta.query ?? undefined }) : null)),
  );
  for (const checked of prose) {
    removed.push(...(checked?.removedCitations ?? []));
    for (const ref of checked?.references ?? []) cited.add(ref.n);
  }
  const sentences = prose.flatMap((checked) => checked?.grounding.sentences ?? []);
  const all = [...claims, ...sentences];
  const grounding = mergeGrounding(all);
  const papers = sources.map((source) => ({ ...reference(source.n, source.paper), label: shortName(source.paper) ?? source.paper.displayTitle }));
  const result: CompareResult = {
    task: "compare",
    input: meta.query ?? papers.map((paper) => paper.paperId).join(" "),
    answered: true,
    generator: meta.generator,
    text: "",
    grounding,
    references: [...cited].sort((a, b) => a - b).map((n) => reference(n, sources[n - 1]!.paper)),
    removedCitations: removed,
    warnings: checkWarnings(sources, grounding),
    sources: papers.map(({ label: _label, ...ref }) => ref),
    nearest: [],
    relevance: meta.relevance,
    budget: await taskBudget(draft.budget, judge),
    query: meta.query,
    papers,
    columns: meta.columns,
    facets,
    commonGround: prose[0]?.text ?? "",
    differences: prose[1]?.text ?? "",
    commonGroundSentences: prose[0]?.grounding.sentences ?? [],
    differenceSentences: prose[1]?.grounding.sentences ?? [],
    notes: draft.notes,
  };
  // The checked text is the table and the prose as printed (flags included), so every task has one.
  return { ...result, text: comparisonBody(result) };
}

const EMPTY_CELL: CompareCell = { quote: null, citation: null, citations: [], supported: null, verbatim: null };

/**
 * A named column's cell is supported when its quote is in the row's abstract (whitespace and case aside)
 * and the value states no number the abstract does not: the quote shown is then the abstract's own text.
 */
function checkColumnCell(draft: ColumnDraftCell | undefined, source: AnswerSource): { cell: CompareCell; claim: SentenceSupport | null } {
  if (!draft || (draft.quote === null && draft.value === null)) return { cell: { ...EMPTY_CELL, ...(draft ? { value: null } : {}) }, claim: null };
  const found = draft.quote === null ? null : locateQuote(draft.quote, source.paper.abstract);
  const missing = draft.value ? numbersIn(draft.value).filter((number) => !numbersIn(source.paper.abstract).includes(number)) : [];
  const reason =
    draft.quote === null
      ? "no quote from the abstract supports it"
      : !found
        ? `the quote is not in the abstract of [${source.n}]`
        : missing.length
          ? `the value states ${missing.join(", ")}, which the abstract does not`
          : undefined;
  const quote = found ?? draft.quote;
  const supported = reason === undefined;
  const claim: SentenceSupport = {
    text: `${quote ?? draft.value} [${source.n}]`,
    citations: [source.n],
    verdict: supported ? "supported" : "not-enough-info",
    supported,
    score: supported ? 1 : 0,
    evidence: found ? [found] : [],
    better: [],
    ...(reason ? { reason } : {}),
  };
  const cell: CompareCell = {
    quote,
    value: draft.value,
    citation: source.n,
    citations: [source.n],
    supported,
    verbatim: found !== null,
    ...(reason ? { reason } : {}),
  };
  return { cell, claim };
}

/** "1.86×" and "1.86 times" both state 1.86; thousands separators aside. */
function numbersIn(text: string): string[] {
  return (text.match(/\d+(?:[.,]\d+)*/g) ?? []).map((number) => number.replace(/,(?=\d{3}\b)/g, ""));
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
