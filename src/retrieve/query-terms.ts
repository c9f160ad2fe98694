import type { Bm25Index } from "../index/bm25.js";
import type { AcronymTable } from "./acronyms.js";
import { CJK, joinedForm, keywordTerms, STOP_WORDS, stemWord, TOKEN } from "../text/tokenize.js";

/** A keyword-search term and the share of a full match it counts for. */
export interface WeightedTerm {
  term: string;
  weight: number;
}

/**
 * A typed word the index does not know is matched against the index's own vocabulary, the way people
 * misspell: British spelling ("quantisation" → the corpus's "quantization"), a compound written as one word
 * ("HAWQV2" → "HAWQ" + "V2") and typos ("convergnce", "tranformer"). Words the index knows are left alone,
 * except that an American spelling the corpus uses more often is added beside a British one.
 */
export function queryTerms(index: Bm25Index, query: string, acronyms?: AcronymTable): WeightedTerm[] {
  const weights = new Map<string, number>();
  const add = (term: string, weight: number) => weights.set(term, Math.max(weight, weights.get(term) ?? 0));
  for (const match of query.toLowerCase().matchAll(TOKEN)) {
    const token = match[0];
    let terms = keywordTerms(token);
    // Documents index "fine-tuned" also as "finetuned"; a query counts it so only when the corpus never
    // writes the hyphenated form ("HAWQ-V2" typed, "HAWQV2" written), or the word would count three times.
    const together = joinedForm(token);
    if (together && index.documentFrequency(token) > 0) terms = terms.filter((term) => term !== stemWord(together));
    for (const term of terms) add(term, 1);
    if (CJK.test(token) || STOP_WORDS.has(token) || terms.length === 0 || token.length < 3) continue;
    const main = terms[0]!;
    const known = index.documentFrequency(main);
    const american = americanSpelling(token);
    const variant = american === token ? null : stemWord(american);
    if (variant && index.documentFrequency(variant) > known) {
      add(variant, 1);
      continue;
    }
    if (known > 0) continue;
    const parts = splitCompound(index, token);
    if (parts) {
      for (const part of parts) add(part, 1);
      continue;
    }
    const corrected = nearestTerm(index, main);
    if (corrected) add(corrected, TYPO_WEIGHT);
  }
  if (acronyms) for (const { term, weight } of acronymTerms(query, acronyms)) add(term, weight);
  return [...weights].map(([term, weight]) => ({ term, weight }));
}

/**
 * What an abbreviation's expansion counts for: its words share one typed word's weight ("G-CSF" must not turn
 * into four words about colonies and factors), and a spelled-out long form's abbreviation counts half. Chosen
 * on hard-queries dev and SciFact train (evals/README.md): 0.5 per long-form word lost 0.004 on SciFact.
 */
const ACRONYM_WEIGHT = { longForm: 1, abbreviation: 0.5 } as const;

/**
 * "LLM" also finds abstracts that write "large language model", and "out-of-distribution" finds "OOD", by
 * the definitions the corpus itself contains. Only words typed with two capitals are read as abbreviations,
 * so "cat" is never expanded to what "(CAT)" stood for in one paper.
 */
function acronymTerms(query: string, acronyms: AcronymTable): WeightedTerm[] {
  const found: WeightedTerm[] = [];
  for (const match of query.matchAll(TOKEN)) {
    if ((match[0].match(/\p{Lu}/gu)?.length ?? 0) < 2) continue;
    const short = keywordTerms(match[0])[0];
    const long = (short && acronyms.expansions.get(short)) || [];
    for (const term of long) found.push({ term, weight: ACRONYM_WEIGHT.longForm / long.length });
  }
  const typed = keywordTerms(query);
  for (const { long, short } of acronyms.abbreviations)
    if (long.length <= typed.length && typed.some((_, at) => long.every((term, i) => typed[at + i] === term)))
      found.push({ term: short, weight: ACRONYM_WEIGHT.abbreviation });
  return found;
}

/** A corrected typo is a guess: it counts for less than a word the user typed right. */
const TYPO_WEIGHT = 0.8;

const BRITISH: Array<[RegExp, string]> = [
  [/isation(s?)$/, "ization$1"],
  [/is(e|ed|es|ing|er|ers)$/, "iz$1"],
  [/ys(e|ed|es|ing)$/, "yz$1"],
  [/our(s|ed|ing|ite|ites|able)?$/, "or$1"],
  [/ll(ing|ed|er|ers)$/, "l$1"],
  [/tre(s?)$/, "ter$1"],
  [/ogue(s?)$/, "og$1"],
];

/** The American spelling of a British one ("quantisation", "modelling", "behaviour"), or the word itself. */
export function americanSpelling(word: string): string {
  if (word.length < 6) return word;
  for (const [pattern, replacement] of BRITISH) if (pattern.test(word)) return word.replace(pattern, replacement);
  return word;
}

/** "hawqv2" → ["hawq", "v2"], "pretraining" → ["pre", "train"]: two known terms, the rarer split wins. */
function splitCompound(index: Bm25Index, token: string): string[] | null {
  let best: { parts: string[]; score: number } | null = null;
  for (let at = 2; at <= token.length - 2; at++) {
    const left = stemWord(token.slice(0, at));
    const right = stemWord(token.slice(at));
    const dfLeft = index.documentFrequency(left);
    const dfRight = index.documentFrequency(right);
    if (dfLeft === 0 || dfRight === 0) continue;
    const score = Math.min(dfLeft, dfRight);
    if (!best || score > best.score) best = { parts: [left, right], score };
  }
  return best?.parts ?? null;
}

/** Minimum length before a typo is corrected, and the edits allowed for longer words. */
const TYPO = { minLength: 4, oneEditUpTo: 7, minDocuments: 2, minStem: 5, maxEnding: 5 } as const;

/** The most frequent vocabulary term within one edit (two for long words) of an unknown one, or null. */
export function nearestTerm(index: Bm25Index, term: string): string | null {
  if (term.length < TYPO.minLength || !/^\p{L}+$/u.test(term)) return null;
  const limit = term.length <= TYPO.oneEditUpTo ? 1 : 2;
  const vocabulary = typoCandidates(index);
  // Equal distance and frequency: the term earlier in the vocabulary wins, as a scan in its order would pick.
  let best: Candidate | null = null;
  let bestDistance = 0;
  for (let length = term.length - limit; length <= term.length + limit; length++) {
    // A correction is a word of the same kind: "GPTQ" is not a misspelt "GPT".
    if (length < TYPO.minLength) continue;
    for (const candidate of vocabulary.get(bucketKey(term, length)) ?? []) {
      const distance = editDistance(term, candidate.term, limit);
      if (distance > limit) continue;
      if (
        !best ||
        distance < bestDistance ||
        (distance === bestDistance && (candidate.df > best.df || (candidate.df === best.df && candidate.ordinal < best.ordinal)))
      ) {
        best = candidate;
        bestDistance = distance;
      }
    }
  }
  if (best) return best.term;
  // The stemmer cannot strip a misspelt ending ("hallucinaton" stays whole while "hallucination" is
  // "hallucin"): a known stem the unknown term starts with, give or take one edit, also counts.
  for (let length = Math.max(TYPO.minStem, term.length - TYPO.maxEnding); length < term.length; length++) {
    for (const candidate of vocabulary.get(bucketKey(term, length)) ?? []) {
      const distance = editDistance(term.slice(0, length), candidate.term, 1);
      if (distance > 1) continue;
      if (
        !best ||
        distance < bestDistance ||
        (distance === bestDistance &&
          (length > best.term.length ||
            (length === best.term.length && (candidate.df > best.df || (candidate.df === best.df && candidate.ordinal < best.ordinal)))))
      ) {
        best = candidate;
        bestDistance = distance;
      }
    }
  }
  return best?.term ?? null;
}

/** A vocabulary term a typo may be corrected to, with its document frequency and place in the vocabulary. */
interface Candidate {
  term: string;
  df: number;
  ordinal: number;
}

const typoIndexes = new WeakMap<Bm25Index, Map<string, Candidate[]>>();

/**
 * The terms corrections may use (frequent enough, long enough), by first letter and length: a typo is compared
 * with the few terms that could be within reach instead of the whole vocabulary. Built once per index.
 */
function typoCandidates(index: Bm25Index): Map<string, Candidate[]> {
  let buckets = typoIndexes.get(index);
  if (buckets) return buckets;
  buckets = new Map();
  let ordinal = 0;
  for (const term of index.terms()) {
    const df = index.documentFrequency(term);
    const at = ordinal++;
    if (term.length < TYPO.minLength || df < TYPO.minDocuments) continue;
    const key = bucketKey(term, term.length);
    const bucket = buckets.get(key);
    if (bucket) bucket.push({ term, df, ordinal: at });
    else buckets.set(key, [{ term, df, ordinal: at }]);
  }
  typoIndexes.set(index, buckets);
  return buckets;
}

/** First UTF-16 unit and length: the same test (`candidate[0] === term[0]`) the correction rules are stated in. */
function bucketKey(term: string, length: number): string {
  return `${term[0]}${length}`;
}

/** One reused table for editDistance (terms are short): no allocation per comparison. */
let table = new Int32Array(0);

/** Damerau–Levenshtein distance (adjacent swaps count one), or limit + 1 once it is certainly larger. */
function editDistance(a: string, b: string, limit: number): number {
  const width = b.length + 1;
  const size = (a.length + 1) * width;
  if (table.length < size) table = new Int32Array(size * 2);
  const rows = table;
  for (let j = 0; j <= b.length; j++) rows[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = i * width;
    rows[row] = i;
    let rowMin = Number.POSITIVE_INFINITY;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[row - width + j]! + 1, rows[row + j - 1]! + 1, rows[row - width + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[row - 2 * width + j - 2]! + 1);
      rows[row + j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
  }
  return rows[a.length * width + b.length]!;
}
