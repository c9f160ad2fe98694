import type { ClaimJudge, EvidencePaper, JudgeOptions, Judgement } from "../verdict.js";
import { type Analysed, type AnalysedPaper, analyse, analysePaper, type Idf, missingNumbers } from "./analysed.js";
import { type ClaimFeatures, claimFeatures } from "./features.js";
import { type JudgeWeights, type Probabilities, predict } from "./model.js";
import trainedWeights from "./weights.json" with { type: "json" };

/**
 * Decision thresholds, chosen on the dev split of the model-answer fixtures and Check-COVID / HealthVer /
 * COVID-Fact train (never on the dev splits of the claim sets, nor the fixtures' test split): see README.
 */
export const JUDGE_THRESHOLDS = {
  /** Share of the claim's (idf-weighted, soft-matched) content its best evidence must cover to be supported. */
  coverage: 0.55,
  /** Below `coverage`, the learned P(supported) may still carry a claim covered at least this much. */
  learnedCoverage: 0.45,
  learnedSupported: 0.6,
  /** A contradiction cue counts only on evidence about the claim: at least this much coverage. */
  cueCoverage: 0.45,
  /** An uncited paper must cover the claim this much better than the cited ones to be named as better. */
  betterMargin: 0.2,
  /** Each paper a theme sentence cites (JudgeOptions.joint) must cover this much of it on its own. */
  jointMember: 0.3,
};

interface PaperVerdict {
  paper: AnalysedPaper;
  probabilities: Probabilities;
  features: ClaimFeatures;
  evidence: string[];
  /** The content stems of those evidence sentences. */
  evidenceTerms: Set<string>;
}

/**
 * The offline judge. Alignment first: the claim's content words (idf-weighted; a near word by GloVe vectors
 * counts in part) against the best one or two sentences of each cited paper. Then what points the other way
 * in that evidence — a negated aligned word, an antonym, an opposite direction, a null result, an added
 * universal quantifier or certainty, a number the paper does not state — each a named, checkable reason. A
 * logistic regression over the same features (npm run train:judge, Check-COVID) gives the score and may
 * accept a claim whose wording is further from its source. No network, no downloaded weights.
 */
export class OfflineJudge implements ClaimJudge {
  readonly name = "offline";
  private readonly idf: Idf;
  /** Each paper analysed once per object: a text's sources are the same objects for all its sentences. */
  private readonly papers = new WeakMap<EvidencePaper, AnalysedPaper>();

  constructor(private readonly weights: JudgeWeights = trainedWeights as JudgeWeights) {
    const table = weights.idf;
    this.idf = (stem) => table[stem] ?? weights.defaultIdf;
  }

  async judge(claimText: string, cited: EvidencePaper[], others: EvidencePaper[] = [], options: JudgeOptions = {}): Promise<Judgement> {
    if (cited.length === 0) return { verdict: "uncited", score: 0, evidence: [], better: [], reason: "a claim without a citation" };
    const claim = analyse(claimText);
    const each = cited.map((paper) => this.assess(claim, paper));
    const pooled =
      cited.length > 1
        ? this.assess(claim, { id: cited.map((p) => p.id).join("+"), title: null, sentences: cited.flatMap((p) => p.sentences) }, false)
        : each[0]!;
    const score = Math.max(...[pooled, ...each].map((v) => v.probabilities.supported));
    const numbers = missingNumbers(claim, pooled.paper);
    // A claim another source states (numbers and all) is misattributed, whatever the cited paper lacks.
    const better = () => {
      const citedIds = new Set(cited.map((p) => p.id));
      return others
        .filter((paper) => !citedIds.has(paper.id))
        .map((paper) => this.assess(claim, paper))
        .filter(
          (v) =>
            supports(v) &&
            v.features.cues.length === 0 &&
            missingNumbers(claim, v.paper).length === 0 &&
            v.features.coverage >= pooled.features.coverage + JUDGE_THRESHOLDS.betterMargin,
        )
        .sort((a, b) => b.features.coverage - a.features.coverage);
    };
    const elsewhere = numbers.length ? better() : [];
    if (elsewhere.length) {
      return {
        verdict: "misattributed",
        score: Math.min(score, 0.2),
        evidence: elsewhere[0]!.evidence,
        better: elsewhere.map((v) => v.paper.id),
        reason: `the cited source does not state it; ${elsewhere[0]!.paper.id} does`,
      };
    }
    if (numbers.length) {
      return {
        verdict: pooled.features.coverage >= JUDGE_THRESHOLDS.cueCoverage ? "contradicted" : "not-enough-info",
        score: Math.min(score, 0.2),
        evidence: pooled.evidence,
        better: [],
        reason: `${numbers.join(", ")} ${numbers.length > 1 ? "are" : "is"} not stated in the cited source${cited.length > 1 ? "s" : ""}`,
      };
    }
    // A cited paper's own evidence must point the other way (pooled sentences of several papers mix contexts).
    const against = each.find((v) => v.features.cues.length > 0 && v.features.coverage >= JUDGE_THRESHOLDS.cueCoverage);
    // A theme sentence sums up papers that differ: wording one of them puts the other way ("lower precision")
    // does not contradict it when another cited paper states it outright ("kept at higher precision").
    const stated = each.some((v) => supports(v) && v.features.cues.length === 0);
    if (options.joint && cited.length > 1 && (!against || stated)) {
      const joint = this.jointly(claim, each);
      if (joint) return joint;
    }
    if (against) return { verdict: "contradicted", score, evidence: against.evidence, better: [], reason: against.features.cues[0]!.detail };
    if (supports(pooled)) {
      // Each citation must carry part of the claim: one that adds nothing the others do not is pooled support.
      const idle = cited.length > 1 ? each.filter((v) => !supports(v) && addsNothing(v, each)) : [];
      const carriers = each.filter((v) => !idle.includes(v));
      if (idle.length && carriers.length) {
        return {
          verdict: "misattributed",
          score,
          evidence: carriers[0]!.evidence,
          better: carriers.map((v) => v.paper.id),
          reason: `${idle.map((v) => v.paper.id).join(", ")} ${idle.length > 1 ? "do" : "does"} not support it`,
        };
      }
      return { verdict: "supported", score, evidence: pooled.evidence, better: [] };
    }
    const found = better();
    if (found.length) {
      return {
        verdict: "misattributed",
        score,
        evidence: found[0]!.evidence,
        better: found.map((v) => v.paper.id),
        reason: `the cited source does not state it; ${found[0]!.paper.id} does`,
      };
    }
    return { verdict: "not-enough-info", score, evidence: pooled.evidence, better: [], reason: "the cited sources do not state it" };
  }

  /**
   * A theme sentence against its papers together: the claim is covered by the union of each paper's best
   * evidence (one part may come from each), and every cited paper covers enough of it to be about it. Null
   * when the union does not support it: then it is judged as any claim is.
   */
  private jointly(claim: Analysed, each: PaperVerdict[]): Judgement | null {
    const evidence = each.flatMap((v) => v.evidence);
    const union = this.assess(claim, { id: each.map((v) => v.paper.id).join("+"), title: null, sentences: [evidence.join(" ")] }, false);
    if (!supports(union)) return null;
    const strays = each.filter((v) => v.features.coverage < JUDGE_THRESHOLDS.jointMember);
    const score = union.probabilities.supported;
    if (strays.length === 0) return { verdict: "supported", score, evidence, better: [] };
    return {
      verdict: "misattributed",
      score,
      evidence,
      better: each.filter((v) => !strays.includes(v)).map((v) => v.paper.id),
      reason: `${strays.map((v) => v.paper.id).join(", ")} ${strays.length > 1 ? "are" : "is"} not about it`,
    };
  }

  private assess(claim: Analysed, paper: EvidencePaper, cache = true): PaperVerdict {
    // Keyed by the object, not the id: two claim sets (or two indexes) may reuse an id for different papers.
    let analysed = cache ? this.papers.get(paper) : undefined;
    if (!analysed) {
      analysed = analysePaper(paper);
      if (cache) this.papers.set(paper, analysed);
    }
    const features = claimFeatures(claim, analysed, this.idf);
    const best = features.best.map((i) => analysed.sentences[i]!);
    return {
      paper: analysed,
      probabilities: predict(this.weights, features.values),
      features,
      evidence: best.map((sentence) => sentence.text),
      evidenceTerms: new Set(best.flatMap((sentence) => [...sentence.content])),
    };
  }
}

function supports(verdict: PaperVerdict): boolean {
  const { coverage } = verdict.features;
  return (
    coverage >= JUDGE_THRESHOLDS.coverage ||
    (coverage >= JUDGE_THRESHOLDS.learnedCoverage && verdict.probabilities.supported >= JUDGE_THRESHOLDS.learnedSupported)
  );
}

/** A cited paper whose best evidence covers no claim word the other cited papers do not already cover. */
function addsNothing(verdict: PaperVerdict, all: PaperVerdict[]): boolean {
  const rest = new Set(all.filter((v) => v !== verdict).flatMap((v) => [...v.evidenceTerms]));
  return ![...verdict.evidenceTerms].some((term) => !rest.has(term) && verdict.features.claimTerms.has(term));
}
