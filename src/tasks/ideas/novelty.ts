import type { Embedder } from "../../index/embedder.js";
import type { IndexSnapshot } from "../../index/snapshot.js";
import { searchPapers } from "../../retrieve/search.js";
import { keywordTerms } from "../../text/tokenize.js";
import { reference } from "../core/result.js";
import { phraseTerms } from "./parts.js";
import type { NearestPaper, NoveltyCheck } from "./types.js";

/** Calibrated loosely by hand on the sample corpus: one paper that holds most of both sides' words has explored the idea. */
export const NOVELTY_LEVELS = {
  explored: 0.85,
  partly: 0.6,
  /** Fewer candidate papers than this, once the idea's own sources are left out, and the check cannot tell. */
  minCandidates: 3,
  /** Papers the search returns for the idea's phrases, besides its own sources. */
  searchDepth: 10,
};

/** What the check looks for: the idea's problem phrases and its method phrases (either may be empty). */
export interface NoveltyProbe {
  problem: string[];
  method: string[];
}

/**
 * Is the idea already a paper? Searches the index for the idea's problem and method phrases, leaves out the
 * papers the idea is built from, and takes the paper that holds the most of both sides' words (IDF-weighted,
 * the two sides averaged, so a paper about only one side is not "the idea"); the background's own words
 * count only where a side has no other. `numberOf` gives the nearest paper its source number when retrieval
 * brought it.
 */
export async function checkNovelty(
  index: IndexSnapshot,
  embedder: Embedder | null,
  probe: NoveltyProbe,
  options: { exclude?: string[]; numberOf?: Map<string, number>; background?: string } = {},
): Promise<NoveltyCheck> {
  const exclude = options.exclude ?? [];
  const phrases = [...probe.problem, ...probe.method];
  const background = new Set(phraseTerms(options.background ?? ""));
  // A method's name ("PIPELOAD", "NeuralDict") is in its own paper only: the method is what its other words describe.
  const names = new Set(
    phraseTerms(
      probe.method
        .join(" ")
        .split(/\s+/)
        .filter((word) => /^.+[A-Z0-9]/.test(word))
        .join(" "),
    ),
  );
  const problem = side(probe.problem, background, new Set());
  const method = side(probe.method, background, names);
  const sides = [problem, method].filter((s) => s.terms.length > 0);
  if (sides.length === 0) return { verdict: "not enough indexed papers to judge", overlap: 0, nearest: null, candidates: 0 };
  const found = await searchPapers(index, embedder, phrases.join(". "), { k: NOVELTY_LEVELS.searchDepth + exclude.length });
  const scored = found
    .filter((result) => !exclude.includes(result.paper.id))
    .map((result) => {
      const text = `${result.paper.title ?? ""}. ${result.paper.abstract}`;
      const terms = keywordTerms(text);
      const score = (s: Side) => (s.terms.length ? sideShare(index, s, terms) : null);
      const shares = { problem: score(problem), method: score(method) };
      const similarity = sides.reduce((sum, s) => sum + sideShare(index, s, terms), 0) / sides.length;
      return { paper: result.paper, text, similarity, shares };
    })
    .filter((candidate) => candidate.similarity > 0);
  const best = scored.reduce<(typeof scored)[number] | null>((a, b) => (!a || b.similarity > a.similarity ? b : a), null);
  const nearest: NearestPaper | null = best
    ? {
        ...reference(0, best.paper),
        n: options.numberOf?.get(best.paper.id) ?? null,
        similarity: best.similarity,
        sides: best.shares,
        sharedPhrases: shared(phrases, best.text),
      }
    : null;
  const overlap = best?.similarity ?? 0;
  const verdict =
    scored.length < NOVELTY_LEVELS.minCandidates
      ? "not enough indexed papers to judge"
      : overlap >= NOVELTY_LEVELS.explored
        ? "already explored"
        : overlap >= NOVELTY_LEVELS.partly
          ? "partly explored"
          : "likely new";
  return { verdict, overlap, nearest, candidates: scored.length };
}

/** One side of the idea as searched: its content stems, and the stems it has next to each other ("edge deployment"). */
interface Side {
  terms: string[];
  pairs: string[];
}

/**
 * Every candidate shares the background's words: what tells the idea apart is the rest of each side (the
 * background's words count only where a side has no other), and a method's name is left to its description.
 */
function side(phrases: string[], background: Set<string>, names: Set<string>): Side {
  const all = phraseTerms(phrases.join(" "));
  const drop = (term: string) => background.has(term) || names.has(term);
  const terms = all.some((term) => !drop(term)) ? all.filter((term) => !drop(term)) : all;
  const pairs = phrases.flatMap((phrase) => adjacent(keywordTerms(phrase)).filter((pair) => pair.split(" ").some((term) => !drop(term))));
  return { terms, pairs: [...new Set(pairs)] };
}

const adjacent = (terms: string[]) => terms.slice(1).map((term, i) => `${terms[i]} ${term}`);

/**
 * How much of one side a paper holds: the IDF-weighted share of its words, averaged with the share of its
 * word pairs the paper writes side by side, so "memory" and "edge" in different sentences are not "memory
 * challenge for edge deployment".
 */
function sideShare(index: IndexSnapshot, s: Side, textTerms: string[]): number {
  const present = new Set(textTerms);
  let total = 0;
  let found = 0;
  for (const term of s.terms) {
    total += index.keyword.idf(term);
    if (present.has(term)) found += index.keyword.idf(term);
  }
  const words = total > 0 ? found / total : 0;
  if (s.pairs.length === 0) return words;
  const textPairs = new Set(adjacent(textTerms));
  return (words + s.pairs.filter((pair) => textPairs.has(pair)).length / s.pairs.length) / 2;
}

/** The idea's phrases the text holds whole, else the words of them it holds ("memory", "edge deployment" → "memory"). */
function shared(phrases: string[], text: string): string[] {
  const present = new Set(keywordTerms(text));
  const out: string[] = [];
  for (const phrase of phrases) {
    const terms = phraseTerms(phrase);
    if (terms.length > 0 && terms.every((term) => present.has(term))) {
      out.push(phrase);
      continue;
    }
    for (const word of phrase.split(/\s+/)) {
      const stems = phraseTerms(word);
      if (stems.length > 0 && stems.every((term) => present.has(term)) && !out.includes(word)) out.push(word);
    }
  }
  return out;
}
