import { keywordTerms } from "../text/tokenize.js";
import { stripMarkers } from "./markers.js";

/** Question words that say what kind of answer is wanted, not what it is about. */
const ASKING = new Set(keywordTerms("what which how why does do is are can could compare explain describe summarize list give tell main key"));

/** Share of the question's (weighted) content a sentence must mention to address it (or its rarest term). */
export const ADDRESSES_SHARE = 1 / 3;

/**
 * Whether a sentence speaks to the question: it mentions the question's rarest content term or a third of them,
 * weighted by `weight` (the index's IDF, so "fp8" and "int8" count for more than "quantization"). A
 * sentence true to its source but about something else (padding) does not. Support is a separate check.
 */
export function addressesQuestion(sentence: string, question: string, weight: (term: string) => number = () => 1): boolean {
  const wanted = [...new Set(keywordTerms(question).filter((term) => !ASKING.has(term)))];
  if (wanted.length === 0) return true;
  const said = new Set(keywordTerms(stripMarkers(sentence)));
  const total = wanted.reduce((sum, term) => sum + weight(term), 0);
  const shared = wanted.filter((term) => said.has(term)).reduce((sum, term) => sum + weight(term), 0);
  const rarest = wanted.reduce((best, term) => (weight(term) > weight(best) ? term : best), wanted[0]!);
  return said.has(rarest) || (total <= 0 ? shared > 0 : shared / total >= ADDRESSES_SHARE);
}
