/**
 * Whether a paper's title or abstract already speaks of a phrase, in any of the forms papers use for the
 * same thing: plural or singular and other inflections (by stem), hyphenated or not, and an acronym or
 * its expansion ("LLMs" / "large language models", "PEFT" / "Parameter-Efficient Fine-Tuning"). A claim
 * that only one paper is about something must survive this check against every other compared paper.
 */
import { stemWord } from "../../text/tokenize.js";

export interface Mentions {
  /** Clauses of the title and abstract as stem sequences, function words left out. */
  clauses: string[][];
  stems: Set<string>;
  /** Acronyms the text uses, by their capitals: "LoRA" → "lra", "LLMs" → "llm". */
  acronyms: Set<string>;
  /** Initials of every run of 2–6 words: "large language models" → "llm". */
  initials: Set<string>;
  /** Letters and digits only, lower-cased: "fine-tuning" and "finetuning" both read "finetuning". */
  squashed: string;
}

/** Skipped when reading words and initials: "Adaptive Freezing of Low Rank Adaptation" is AFLoRA. */
const FUNCTION_WORDS = new Set("a an and as at by for from in into of on or the to via with".split(" "));

/** Words that name a kind of thing, not which one: "Adam algorithm" is about Adam, as is every paper using Adam. */
const GENERIC = new Set(
  [
    "algorithm",
    "approach",
    "architecture",
    "framework",
    "method",
    "model",
    "network",
    "module",
    "technique",
    "scheme",
    "system",
    "task",
    "problem",
    "performance",
    "setting",
    // "in a post-training manner" is post-training.
    "manner",
    "fashion",
    "way",
  ].map(stemWord),
);

const WORDS = /[\p{L}\p{N}]+/gu;
/** Squashed forms shorter than this match inside too many longer words ("ema" in "schema"). */
const MIN_SQUASHED = 6;

export function mentionsOf(title: string, abstract: string): Mentions {
  const clauses: string[][] = [];
  const acronyms = new Set<string>();
  const initials = new Set<string>();
  for (const clause of `${title}. ${abstract}`.split(/[.,;:()[\]!?"“”]+\s*/)) {
    const words = [...clause.matchAll(WORDS)].map((match) => match[0]).filter((word) => !FUNCTION_WORDS.has(word.toLowerCase()));
    for (const word of words) {
      const acronym = acronymOf(word);
      if (acronym) acronyms.add(acronym);
    }
    addInitials(initials, words);
    // "long-term time series forecasting" is LTSF as well as LTTSF: a hyphenated word as one word too.
    addInitials(
      initials,
      clause.split(/\s+/).filter((word) => /^[\p{L}\p{N}]/u.test(word) && !FUNCTION_WORDS.has(word.toLowerCase())),
    );
    clauses.push(words.map((word) => stemWord(word.toLowerCase())));
  }
  return { clauses, stems: new Set(clauses.flat()), acronyms, initials, squashed: squash(`${title} ${abstract}`) };
}

/** True when `other` speaks of the phrase in any of the forms above. */
export function mentions(other: Mentions, phrase: string): boolean {
  const words = [...phrase.matchAll(WORDS)].map((match) => match[0]).filter((word) => !FUNCTION_WORDS.has(word.toLowerCase()));
  if (!words.length) return false;
  const specific = words.filter((word) => !GENERIC.has(stemWord(word.toLowerCase())));
  const core = (specific.length ? specific : words).map((word) => stemWord(word.toLowerCase()));
  if (other.clauses.some((clause) => containsRun(clause, core))) return true;
  // An acronym in the phrase, spelt out in the other paper (or the other way round).
  for (const word of specific) {
    const acronym = acronymOf(word);
    if (acronym && acronym.length >= 3 && (other.initials.has(acronym) || other.acronyms.has(acronym))) return true;
  }
  const initials = words.map((word) => word[0]!.toLowerCase()).join("");
  if (words.length >= 2 && initials.length >= 3 && other.acronyms.has(initials)) return true;
  const squashed = squash(phrase);
  return squashed.length >= MIN_SQUASHED && other.squashed.includes(squashed);
}

/** "LoRA" → "lra", "LLMs" → "llm", "PEFT" → "peft"; null for ordinary words ("Adaptive"). */
function acronymOf(word: string): string | null {
  const capitals = word.replace(/[^\p{Lu}]/gu, "");
  return capitals.length >= 2 ? capitals.toLowerCase() : null;
}

function addInitials(initials: Set<string>, words: string[]): void {
  const firsts = words.map((word) => word[0]!.toLowerCase());
  for (let i = 0; i < firsts.length; i++) {
    for (let n = 2; n <= 6 && i + n <= firsts.length; n++) initials.add(firsts.slice(i, i + n).join(""));
  }
}

function containsRun(haystack: string[], needle: string[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Plural endings go too, so "square roots" is found in "square root". */
function squash(text: string): string {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((word) => word.replace(/[^\p{L}\p{N}]/gu, "").replace(/(?<=[^s])s$/, ""))
    .join("");
}
