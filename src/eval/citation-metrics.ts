import { stripMarkers } from "../ground/markers.js";
import type { ClaimJudge, EvidencePaper } from "../ground/verdict.js";

export interface CitationScores {
  /** ALCE citation recall: share of sentences whose cited passages jointly entail them. */
  recall: number;
  /** ALCE citation precision: share of citations that are needed (null when nothing was cited). */
  precision: number | null;
  sentences: number;
  citations: number;
}

/**
 * ALCE (Gao et al. 2023): a sentence is supported if the concatenation of its cited passages entails
 * it; a citation is imprecise if the sentence is unsupported, or if the citation alone does not entail
 * the sentence while the other citations do (it is not needed).
 */
export async function citationScores(
  sentences: Array<{ text: string; citations: number[] }>,
  passage: (n: number) => EvidencePaper | undefined,
  judge: ClaimJudge,
): Promise<CitationScores> {
  // ALCE's NLI step is the groundedness judge's "supported" (the same judge every task uses). With no uncited
  // papers passed, "misattributed" means the cited papers together support it but one of them adds nothing:
  // the concatenation still entails it (precision, below, is what marks the idle citation).
  const entails = async (papers: EvidencePaper[], claim: string) => {
    const { verdict } = await judge.judge(claim, papers);
    return verdict === "supported" || verdict === "misattributed";
  };
  let supported = 0;
  let precise = 0;
  let citations = 0;
  for (const sentence of sentences) {
    const claim = stripMarkers(sentence.text);
    const cited = sentence.citations.map((n) => passage(n)).filter((p): p is EvidencePaper => p !== undefined);
    citations += sentence.citations.length;
    if (cited.length === 0) continue;
    const joint = await entails(cited, claim);
    if (!joint) continue;
    supported++;
    if (cited.length === 1) {
      precise++;
      continue;
    }
    for (let i = 0; i < cited.length; i++) {
      const alone = await entails([cited[i]!], claim);
      const others = cited.filter((_, j) => j !== i);
      if (alone || !(await entails(others, claim))) precise++;
    }
  }
  return {
    recall: sentences.length ? supported / sentences.length : 0,
    precision: citations ? precise / citations : null,
    sentences: sentences.length,
    citations,
  };
}

/** Key facts: each fact is a list of alternatives; matching ignores case, spacing and LaTeX "$…\times$". */
export function normalizeForFacts(text: string): string {
  return text
    .toLowerCase()
    .replace(/\\times/g, "x")
    .replace(/\$/g, "")
    .replace(/\s+/g, " ")
    .replace(/(\d)\s+x\b/g, "$1x")
    .trim();
}

export function keyFactsCovered(answer: string, facts: string[][]): boolean[] {
  const text = normalizeForFacts(answer);
  return facts.map((alternatives) => alternatives.some((alternative) => text.includes(normalizeForFacts(alternative))));
}
