import type { Paper } from "../../corpus/paper.js";
import { answerSentences } from "../../generate/injection.js";
import { type ClaimJudge, countVerdicts, type EvidencePaper, type Judgement, titleOnlyReason, type Verdict, type VerdictCounts } from "../../ground/verdict.js";
import type { Embedder } from "../../index/embedder.js";
import type { IndexSnapshot } from "../../index/snapshot.js";
import { searchPapers } from "../../retrieve/search.js";
import type { BudgetReport } from "../../llm/budget.js";
import { taskBudget } from "../core/check.js";
import type { UserBibEntry } from "../related-work/bibliography.js";
import { type DraftFormat, detectFormat, parseDraft } from "./parse-draft.js";
import { CitationResolver, type UnresolvedCitation } from "./resolve-citations.js";

/** Papers the index retrieves for a claim and hands the judge as candidates for "better" citations. */
const RETRIEVED_OTHERS = 5;
/** Most papers given to the judge as `others` per claim (retrieved + cited elsewhere in the draft). */
const MAX_OTHERS = 10;
/** Retrieval depth used to rank the draft's other citations by relevance to the claim. */
const RANK_DEPTH = 20;
/** Longest query sent to retrieval: a run-on "sentence" (a table row, a list without stops) is cut. */
const MAX_QUERY_CHARS = 1000;

export interface VerifyInput {
  text: string;
  /** File name (format detection); null for stdin. */
  name: string | null;
  format: DraftFormat | "auto";
  /** Entries of the --bib file, or null without one. */
  bib: UserBibEntry[] | null;
}

export interface VerifyContext {
  index: IndexSnapshot;
  embedder: Embedder | null;
  judge: ClaimJudge;
}

export interface VerifiedSentence {
  text: string;
  line: number;
  /** The resolved citations, as paper ids (unresolved ones are in VerifyResult.unresolved). */
  citations: string[];
  verdict: Verdict;
  evidence: string[];
  better: string[];
  reason?: string;
}

export interface VerifyResult {
  format: DraftFormat;
  judge: string;
  /** Every claim of the draft, in order; other sentences (headings, roadmap, own contribution) are not listed. */
  sentences: VerifiedSentence[];
  counts: VerdictCounts;
  unresolved: UnresolvedCitation[];
  /** Every claim supported and every citation resolved: the check passes (exit 0). */
  passed: boolean;
  /** The model judge's requests and their token budgets (--judge model); null with the offline judge. */
  budget: BudgetReport | null;
}

/** Parses the draft, resolves its citations to indexed papers, and has the judge rule on each claim. */
export async function verifyDraft(input: VerifyInput, context: VerifyContext): Promise<VerifyResult> {
  const { index, judge } = context;
  const format = input.format === "auto" ? detectFormat(input.name, input.text) : input.format;
  const draft = parseDraft(input.text, format, input.name ?? "stdin");
  const resolver = new CitationResolver(index.papers.values(), draft.references, input.bib);
  // Every sentence's citations are resolved, a question's too, so each unresolvable key is listed.
  const resolved = draft.sentences.map((sentence) => ({
    sentence,
    written: sentence.citations.length,
    cited: [...new Set(sentence.citations.map((citation) => resolver.resolve(citation)).filter((id): id is string => id !== null))],
  }));
  const claims = resolved.filter(({ sentence }) => sentence.claim);
  const citedAnywhere = [...new Set(resolved.flatMap((entry) => entry.cited))];
  const evidence = new Map<string, EvidencePaper>();
  const evidenceOf = (id: string): EvidencePaper => {
    let paper = evidence.get(id);
    if (!paper) {
      const record = index.papers.get(id) as Paper;
      // The sentences a model may be shown: instruction-like ones withheld, marker look-alikes defused.
      paper = { id, title: record.title, sentences: answerSentences(record).sentences };
      evidence.set(id, paper);
    }
    return paper;
  };

  const sentences: VerifiedSentence[] = [];
  for (const { sentence, written, cited } of claims) {
    let judgement: Judgement;
    if (written > 0 && cited.length === 0) {
      // It does cite, but nothing the index holds: there is nothing to judge it against (not "uncited").
      const keys = sentence.citations.map((citation) => (citation.kind === "number" ? `[${citation.key}]` : citation.key));
      judgement = { verdict: "not-enough-info", score: 0, evidence: [], better: [], reason: `cites only unresolved keys: ${[...new Set(keys)].join(", ")}` };
    } else {
      const others = await othersFor(sentence.claimText, cited, citedAnywhere, context);
      judgement = await judge.judge(sentence.claimText, cited.map(evidenceOf), others.map(evidenceOf));
      const titleOnly = judgement.verdict === "supported" ? null : titleOnlyReason(cited.map(evidenceOf));
      if (titleOnly) judgement = { ...judgement, reason: titleOnly };
    }
    sentences.push({
      text: sentence.text,
      line: sentence.line,
      citations: cited,
      verdict: judgement.verdict,
      evidence: judgement.evidence,
      better: judgement.better,
      ...(judgement.reason ? { reason: judgement.reason } : {}),
    });
  }
  const counts = countVerdicts(sentences.map((sentence) => sentence.verdict));
  const unresolved = resolver.unresolved;
  return {
    format,
    judge: judge.name,
    sentences,
    counts,
    unresolved,
    passed: unresolved.length === 0 && sentences.every((sentence) => sentence.verdict === "supported"),
    budget: await taskBudget(null, judge),
  };
}

/**
 * The papers a claim could have cited instead: the top few the index retrieves for it, then the draft's
 * other citations, those the index ranks closest to the claim first.
 */
async function othersFor(claim: string, cited: string[], citedAnywhere: string[], context: VerifyContext): Promise<string[]> {
  const results = await searchPapers(context.index, context.embedder, claim.slice(0, MAX_QUERY_CHARS), { k: RANK_DEPTH });
  const rank = new Map(results.map((result, i) => [result.paper.id, i]));
  const notCited = (id: string) => !cited.includes(id);
  const retrieved = results
    .map((result) => result.paper.id)
    .filter(notCited)
    .slice(0, RETRIEVED_OTHERS);
  const elsewhere = citedAnywhere.filter(notCited).sort((a, b) => (rank.get(a) ?? RANK_DEPTH) - (rank.get(b) ?? RANK_DEPTH));
  return [...new Set([...retrieved, ...elsewhere])].slice(0, MAX_OTHERS);
}
