import { stemWord } from "../../text/tokenize.js";
import antonymTable from "./antonyms.json" with { type: "json" };

/**
 * Word lists the judge's features look for. Each list is small and closed: they say which way a sentence
 * points (negated, up or down, hedged, universal), and the learned weights decide how much that matters.
 */
const words = (list: string) => new Set(list.split(/\s+/).filter(Boolean));

/** Negation cues, matched on lower-cased tokens ("n't" is split off by the tokenizer below). */
export const NEGATION = words(`not no never none nor neither without cannot n't nothing nobody lack lacks lacking lacked absence absent
  fail fails failed failing unable unlikely insufficient ineffective unrelated unassociated`);

/** Phrases that report a null result: the strongest cue that an abstract contradicts a claimed effect. */
export const NULL_RESULT =
  /\b(no|not|nor|without)\b[^.;]{0,40}\b(significant|significantly|association|associated|difference|differences|different|effect|effects|evidence|correlat\w*|impact|benefit|change|increase|decrease|improvement|relationship|link|linked|reduc\w*|affect\w*)\b|\bdid not\b|\bdoes not\b|\bdo not\b|\bfailed to\b|\bwas not\b|\bwere not\b|\bis not\b|\bare not\b|\bnon-?significant\b|\bunrelated\b|\bindependent of\b/i;

/** The narrow form, for the contradiction cue: no/not near an effect word, a failure, a non-significant result. */
export const NULL_FINDING =
  /\b(no|not|nor|without)\b[^.;]{0,30}\b(significant|significantly|association|associated|difference|differences|effect|effects|evidence|correlat\w*|benefit|improvement|relationship|link|linked)\b|\bfailed to\b|\bnon-?significant\b|\bunrelated\b|\bindependent of\b/i;

/** A finding that holds on ("the gap persists") against one that ends ("the gap disappears"). */
export const PERSISTS = /\b(still|persist\w*|remain\w*|keeps?|kept|continu\w*|stays?|lingers?)\b/i;
export const CEASES = /\b(disappear\w*|vanish\w*|clos(e|es|ed|ing)\b|no longer|eliminat\w*|remov\w*|erases?|erased|gone|ceases?|ceased)\b/i;

/** Words that say a quantity goes up (+1) or down (-1). Stemmed, so "increases", "increased" match. */
const UP = `increase rise raise elevate higher high more greater great larger large improve improvement enhance boost promote
  gain grow growth exceed outperform better best stronger strong faster fast accelerate amplify upregulate up-regulate induce
  activate stimulate robust persist persists remain widen`;
const DOWN = `decrease decline drop fall reduce reduction lower low less fewer smaller small diminish impair worsen worse weaken weak
  slower slow inhibit suppress attenuate downregulate down-regulate prevent block deplete lose loss shrink underperform brittle
  degrade degradation vanish disappear disappears close narrow eliminate`;
export const DIRECTION = new Map<string, number>([
  ...[...words(UP)].map((word) => [stemWord(word), 1] as [string, number]),
  ...[...words(DOWN)].map((word) => [stemWord(word), -1] as [string, number]),
]);

/** Universal quantifiers and exclusives: "all", "only", "always" overstate a source that says "most". */
export const UNIVERSAL = words(`all every always only never none entirely completely exclusively solely any universally invariably each`);

/** Certainty: the claim asserts what the source only suggests. */
export const CERTAIN = words(`prove proves proved proven definitely certainly confirm confirms confirmed establish establishes established
  demonstrate demonstrates demonstrated guarantee guarantees clearly undoubtedly conclusively`);
export const HEDGE = words(`may might could possibly possible potential potentially suggest suggests suggested likely unlikely appear
  appears seem seems hypothesize hypothesized preliminary perhaps`);

/** Antonym pairs (stemmed), from WordNet 3.1 adjective/verb/noun antonym pointers plus a short science list; see train-judge. */
const ANTONYMS = new Map<string, Set<string>>();
for (const [a, b] of antonymTable as [string, string][]) {
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    if (!ANTONYMS.has(x)) ANTONYMS.set(x, new Set());
    ANTONYMS.get(x)!.add(y);
  }
}

export function antonymsOf(stem: string): ReadonlySet<string> | undefined {
  return ANTONYMS.get(stem);
}

export function areAntonyms(a: string, b: string): boolean {
  return ANTONYMS.get(a)?.has(b) ?? false;
}
