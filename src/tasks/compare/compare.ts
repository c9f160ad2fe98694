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
} from "./offline.js";
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
}

/** What a composer writes before any check: cell texts and prose with [n] markers. */
interface Draft {
  cells: Map<number, Partial<Record<Facet, string>>>;
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
  const draft = await write(context.writer, {
    offline: () => offlineDraft(sources, options.query, weight),
    model: (chat) => modelDraft(chat, sources, options.query),
  });
  return checkDraft(draft, sources, context.judge, { query: options.query ?? null, generator: context.writer.name, relevance });
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
    notes: common.sharedByAll ? [] : ["no key phrase appears in every compared abstract"],
    budget: null,
  };
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

const NOT_STATED_CELL = /^(not (stated|mentioned|reported|specified|given|discussed)\b.*|n\/?a|none|unknown|[-–—]*)$/i;

/** The same checks for both composers: citations validated, every cell and prose sentence scored. */
async function checkDraft(
  draft: Draft,
  sources: AnswerSource[],
  judge: ClaimJudge,
  meta: { query: string | null; generator: string; relevance: CompareResult["relevance"] },
): Promise<CompareResult> {
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
