import { tag, type Token } from "./phrases.js";

/** A word of a tagged sentence; hyphenated words ("distance-aware", "per-tensor") are one word. */
export interface Word {
  text: string;
  pos: string;
}

/** A noun phrase as written in the sentence: words [start, end) of `words`, its head the last noun of its first part. */
export interface NounPhrase {
  text: string;
  start: number;
  end: number;
  head: string;
}

const NOUNS = new Set(["NOUN", "PROPN"]);
const MODIFIERS = new Set(["ADJ", "NOUN", "PROPN", "NUM"]);
/** Prepositions that keep a phrase one thing: "memory challenge for edge deployment", "scaling of optimizer states". */
const ATTACHING = new Set(["of", "for", "in", "on", "across", "over", "between", "under", "within"]);
/** Words that judge rather than name ("formidable memory challenge"): dropped from the front of a phrase. */
const EVALUATIVE = new Set(
  `formidable significant substantial considerable major huge great enormous tremendous remarkable notable novel new existing various several many
  numerous different recent current traditional conventional prior previous key important promising strong superior state-of-the-art popular
  common typical standard extensive comprehensive certain such other further additional same simple effective efficient powerful unique exciting
  critical fundamental inherent main serious open persistent severe crucial central primary ongoing notorious well-known practical real-world
  great growing increasing emerging remarkable impressive excellent good better best challenging modern much many
  high cutting-edge one two three four five six seven eight nine ten`.split(/\s+/),
);
/** -ing words that name a process and so modify nouns ("exponential smoothing attention", "time series forecasting model"). */
const NOUN_LIKE_ING =
  /^(smoothing|forecasting|learning|training|pre-?training|processing|computing|model(l)?ing|sampling|scaling|pruning|encoding|decoding|matching|reasoning|ranking|tuning|fine-tuning|embedding|pooling|clustering|masking|routing|caching|streaming|labell?ing|parsing|tracking|rendering|planning|recommending|filtering|boosting|hashing|indexing)$/i;
/** Judging words ("unique", "significant") say nothing about what a phrase names. */
export const isEvaluative = (word: string) => EVALUATIVE.has(word.toLowerCase());
const PARTICIPLE = /^\p{L}{3,}(ed|ing)$/u;

/** Joins "distance" "-" "aware" (no spaces) into one word, tagged by its last piece ("aware": ADJ). */
function words(tokens: Token[]): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const last = out[out.length - 1];
    const next = tokens[i + 1];
    if (token.value === "-" && last && !token.spaced && next && !next.spaced && /^[\p{L}\p{N}]/u.test(next.value)) {
      last.text += `-${next.value}`;
      last.pos = next.pos === "NOUN" || next.pos === "PROPN" ? next.pos : "ADJ";
      i++;
      continue;
    }
    out.push({ text: token.value, pos: token.pos });
  }
  return out;
}

/**
 * Can word i sit inside a noun phrase? A verb form only as a modifier: a process noun before a noun
 * ("forecasting model"), or a participle right after a determiner or adjective ("the underlying model").
 */
function modifies(list: Word[], i: number, inside: boolean): boolean {
  const word = list[i]!;
  if (MODIFIERS.has(word.pos)) return /^[\p{L}\p{N}]/u.test(word.text);
  if (word.text.includes("-") && /^\p{L}/u.test(word.text)) return true;
  if (word.pos !== "VERB") return false;
  const previous = list[i - 1];
  const next = list[i + 1];
  if (NOUN_LIKE_ING.test(word.text) && next && NOUNS.has(next.pos) && (inside || previous?.pos === "DET" || previous?.pos === "ADJ")) return true;
  return PARTICIPLE.test(word.text) && !!previous && (previous.pos === "DET" || (inside && previous.pos === "ADJ"));
}

/** "(KV)" at word i: an abbreviation in brackets. */
const abbreviationAt = (list: Word[], i: number) => list[i]?.text === "(" && /^[A-Z][\w-]*$/.test(list[i + 1]?.text ?? "") && list[i + 2]?.text === ")";

/** Maximal runs of modifiers that end in a noun, evaluative words and determiners left out. */
function basePhrases(list: Word[]): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  let i = 0;
  while (i < list.length) {
    if (!modifies(list, i, false)) {
      i++;
      continue;
    }
    let end = i;
    for (;;) {
      while (end < list.length && modifies(list, end, end > i)) end++;
      // "key-value (KV) caches": an abbreviation inside the phrase.
      if (!abbreviationAt(list, end)) break;
      const after = list[end + 3];
      // The tagger often reads the noun after a bracket as a verb ("(KV) caches,"): a verb with nothing after it is that noun.
      const nounAfter = after && after.pos === "VERB" && /s$/.test(after.text) && ["PUNCT", "ADP", undefined].includes(list[end + 4]?.pos);
      if (!after || !(modifies(list, end + 3, true) || nounAfter)) break;
      if (nounAfter) after.pos = "NOUN";
      end += 3;
    }
    let start = i;
    let last = end;
    while (last > start && !NOUNS.has(list[last - 1]!.pos)) last--;
    while (start < last && EVALUATIVE.has(list[start]!.text.toLowerCase())) start++;
    if (last > start) spans.push({ start, end: last });
    i = end;
  }
  return spans;
}

/**
 * The noun phrases of a sentence, longest form first where one contains another: a base phrase
 * ("memory challenge") with what one preposition or "and" attaches to it ("memory challenge for edge
 * deployment", "optimizer states and activations"), at most `maxWords` words.
 */
export function nounPhrases(sentence: string, maxWords = 8): { words: Word[]; phrases: NounPhrase[] } {
  const list = words(tag(sentence));
  const bases = basePhrases(list);
  const phrases: NounPhrase[] = [];
  const text = (start: number, end: number) =>
    list
      .slice(start, end)
      .map((word) => word.text)
      .join(" ")
      .replace(/\( (\S+) \)/g, "($1)");
  for (const [b, base] of bases.entries()) {
    const head = list[base.end - 1]!.text;
    // "exponential smoothing attention (ESA)": the abbreviation the paper gives stays with its phrase.
    if (abbreviationAt(list, base.end)) {
      phrases.push({ text: `${text(base.start, base.end)} (${list[base.end + 1]!.text})`, start: base.start, end: base.end + 3, head });
    }
    // One attachment: "of"/"for"/… or "and", determiners skipped, then the next base phrase.
    const link = list[base.end]?.text.toLowerCase();
    const next = bases[b + 1];
    if (next && link && (ATTACHING.has(link) || link === "and")) {
      const gap = list.slice(base.end + 1, next.start);
      const onlyDeterminers = gap.every((word) => word.pos === "DET" || EVALUATIVE.has(word.text.toLowerCase()));
      if (onlyDeterminers && next.end - base.start <= maxWords)
        phrases.push({ text: `${text(base.start, base.end)} ${link} ${text(next.start, next.end)}`, start: base.start, end: next.end, head });
    }
    phrases.push({ text: text(base.start, base.end), start: base.start, end: base.end, head });
  }
  return { words: list, phrases };
}
