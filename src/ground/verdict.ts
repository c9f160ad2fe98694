import type { RequestSpend } from "../llm/budget.js";
/**
 * What the groundedness judge says of one claim (an answer or draft sentence) and the papers it cites.
 * Three verdicts of claim verification (SciFact's SUPPORT / CONTRADICT / NOT ENOUGH INFO) and two that
 * only make sense for a cited text: the citation points at the wrong paper, or there is none.
 */
export const VERDICTS = ["supported", "contradicted", "not-enough-info", "misattributed", "uncited"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** A paper as evidence: its id (citewise paper id), and its title and abstract split into sentences. */
export interface EvidencePaper {
  id: string;
  title?: string | null;
  sentences: string[];
}

/**
 * Why a claim citing only papers known by their title (library entries without an abstract) cannot be
 * checked; null when some cited paper has sentences to check against.
 */
export function titleOnlyReason(cited: EvidencePaper[]): string | null {
  return cited.length > 0 && cited.every((paper) => paper.sentences.length === 0)
    ? "the cited paper has no abstract in the library (known by its title): nothing to check the claim against"
    : null;
}

export interface Judgement {
  verdict: Verdict;
  /** The judge's confidence that the cited papers support the claim (0..1). */
  score: number;
  /** The cited sentence(s) the verdict rests on (for supported / contradicted), verbatim. */
  evidence: string[];
  /** For misattributed: the other paper(s) that support the claim, best first (paper ids). */
  better: string[];
  /** Why, in a phrase a reader can check ("the source says the gap disappears: …"); absent when supported. */
  reason?: string;
}

/**
 * Decides what one claim's cited papers say about it. `others` are the papers that were retrieved (or are
 * otherwise at hand) but not cited: a claim they support and its citations do not is misattributed.
 * A claim with no cited paper is uncited.
 */
export interface ClaimJudge {
  readonly name: string;
  judge(claim: string, cited: EvidencePaper[], others?: EvidencePaper[], options?: JudgeOptions): Promise<Judgement>;
  /** The model requests made since the last call, each with its budget (a model judge; --json's `budget`). */
  takeSpending?(): RequestSpend[];
}

export interface JudgeOptions {
  /**
   * A theme sentence ("Several works quantize LLM weights [1][2][3]", citing every paper of its paragraph):
   * what its papers say together counts, so no citation must carry a part of its own, but each cited paper
   * must be about it.
   */
  joint?: boolean;
  /** The cited sources' numbers, in the order of `cited`: a budget report names the abstracts it cut by them. */
  numbers?: number[];
}

export type VerdictCounts = Record<Verdict, number>;

export function countVerdicts(verdicts: Iterable<Verdict>): VerdictCounts {
  const counts = Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0])) as VerdictCounts;
  for (const verdict of verdicts) counts[verdict]++;
  return counts;
}
