import { splitSentences } from "../text/sentences.js";
import { addressesQuestion, questionFocus } from "../text/question-terms.js";
import { citationsIn, markersBeforeStop, stripMarkers } from "./markers.js";
import { type ClaimJudge, countVerdicts, type EvidencePaper, titleOnlyReason, type Verdict, type VerdictCounts } from "./verdict.js";

/** One checked sentence of a task's text: what it cites and what the judge said of it. */
export interface SentenceSupport {
  text: string;
  /** Citation numbers in this sentence (as in the final answer). */
  citations: number[];
  verdict: Verdict;
  /** verdict === "supported" (kept for scripts that read it). */
  supported: boolean;
  /** The judge's confidence that the cited sources support it (0..1). */
  score: number;
  /** The cited sentence(s) the verdict rests on. */
  evidence: string[];
  /** For misattributed: paper ids that do support it. */
  better: string[];
  /** Why, in a phrase (for supported: which evidence; for the rest: what is wrong). */
  reason?: string;
  /** Whether it speaks to the question (offline relevance, a separate matter from support); absent without a question. */
  addresses?: boolean;
}

export interface GroundingReport {
  sentences: SentenceSupport[];
  supported: number;
  total: number;
  counts: VerdictCounts;
  /** Sentences that address the question; null when there was no question to address. */
  addressing: number | null;
}

export const EMPTY_GROUNDING: GroundingReport = { sentences: [], supported: 0, total: 0, counts: countVerdicts([]), addressing: null };

/** Sums reports (compare checks table cells and two prose blocks). */
export function mergeGrounding(sentences: SentenceSupport[]): GroundingReport {
  const asked = sentences.filter((s) => s.addresses !== undefined);
  return {
    sentences,
    supported: sentences.filter((s) => s.supported).length,
    total: sentences.length,
    counts: countVerdicts(sentences.map((s) => s.verdict)),
    addressing: asked.length ? asked.filter((s) => s.addresses).length : null,
  };
}

/** How answers frame themselves ("Here is what the sources say", "In summary,"): no claim to check. */
const FRAMING =
  /^(here (is|are)\b|in (summary|short|conclusion)\b|to (summarize|sum up|conclude)\b|overall\b|the (retrieved |provided |indexed )?(sources|papers|abstracts) (say|describe|discuss|cover|do not|don't)\b|based on the (sources|papers)\b|i (could not|cannot|can't)\b)/i;

/**
 * Which sentences are claims: every cited one; an uncited one unless it is layout (a heading, a bold label),
 * a lead-in ending in a colon, or the answer framing itself. An uncited claim is still checked: "uncited".
 */
export function isClaim(sentence: string, cited: boolean): boolean {
  const plain = stripMarkers(sentence).trim();
  if (!/\p{L}/u.test(plain)) return false;
  if (cited) return true;
  if (/^#{1,6}\s/.test(plain) || /^(\*\*|__)[^*_]+(\*\*|__):?$/.test(plain) || /:$/.test(plain)) return false;
  return !FRAMING.test(plain.replace(/^[*_]+/, ""));
}

/** Lines as written (a list item or paragraph each), with soft-wrapped prose ("…the\nresult") joined again. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    const previous = lines[lines.length - 1];
    if (previous !== undefined && !/[.!?:\]]\s*$/.test(previous) && /^\s*\p{Ll}/u.test(line)) lines[lines.length - 1] = `${previous} ${line.trim()}`;
    else lines.push(line);
  }
  return lines;
}

/**
 * Checks every sentence of a text against the numbered sources it cites (`sources[n - 1]` is source n): the
 * judge's verdict, its evidence, and for a claim the cited sources do not support, whether another of the
 * sources does (misattributed). With `question`, each sentence is also marked for whether it addresses it.
 */
export async function checkGrounding(
  text: string,
  sources: (EvidencePaper | undefined)[],
  judge: ClaimJudge,
  options: { question?: string; termWeight?: (term: string) => number; joint?: (citations: number[]) => boolean } = {},
): Promise<GroundingReport> {
  // "claim. [2] Next" -> "claim [2]. Next": a marker after the full stop belongs to the sentence before it.
  const normalized = markersBeforeStop(text.replace(/\n+/g, "\n"));
  const sentences: SentenceSupport[] = [];
  const present = sources.filter((paper): paper is EvidencePaper => paper !== undefined);
  const focus = options.question ? questionFocus(options.question, options.termWeight ?? (() => 1), present) : null;
  for (const line of logicalLines(normalized)) {
    for (const sentence of splitSentences(line)) {
      const citations = [...new Set(citationsIn(sentence))];
      if (!isClaim(sentence, citations.length > 0)) continue;
      const cited = citations.map((n) => sources[n - 1]).filter((paper): paper is EvidencePaper => paper !== undefined);
      const others = sources.filter((paper, i): paper is EvidencePaper => paper !== undefined && !citations.includes(i + 1));
      const numbers = citations.filter((n) => sources[n - 1] !== undefined);
      const judgement = await judge.judge(stripMarkers(sentence), cited, others, { joint: options.joint?.(citations) ?? false, numbers });
      sentences.push({
        text: sentence,
        citations,
        verdict: judgement.verdict,
        supported: judgement.verdict === "supported",
        score: judgement.score,
        evidence: judgement.evidence,
        better: judgement.better,
        // Every sentence says why, supported ones too (--json readers should not have to guess).
        reason:
          (judgement.verdict === "supported" ? null : titleOnlyReason(cited)) ??
          judgement.reason ??
          (judgement.verdict === "supported" ? "the cited source states it" : judgement.verdict),
        ...(focus ? { addresses: addressesQuestion(stripMarkers(sentence), focus, cited) } : {}),
      });
    }
  }
  return mergeGrounding(sentences);
}
