/** An abbreviation and the long form an author defined it with: "large language models (LLMs)". */
export interface AcronymDefinition {
  /** As written, without a plural "s": "LLM". */
  short: string;
  /** The words it stands for, as written: "large language models". */
  long: string;
}

// "(LLMs)", "(ViT)", "(3D-HPE)": one word in brackets with at least two capitals and no spaces.
const BRACKETED = /\(([\p{L}\p{N}][\p{L}\p{N}-]{1,9})\)/gu;
const WORD = /[\p{L}\p{N}]+(?:[-'][\p{L}\p{N}]+)*/gu;

/**
 * Abbreviations defined in a text, found as Schwartz & Hearst (2003) do: the short form's letters, last to
 * first, matched to the words before the bracket, the first letter at the start of a word. "such as
 * reinforcement learning from human feedback (RLHF)" gives "reinforcement learning from human feedback".
 */
export function acronymDefinitions(text: string): AcronymDefinition[] {
  const found: AcronymDefinition[] = [];
  for (const match of text.matchAll(BRACKETED)) {
    const short = singular(match[1]!);
    if (!isAbbreviation(short)) continue;
    const before = text.slice(Math.max(0, match.index! - 200), match.index!);
    const words = [...before.matchAll(WORD)].map((word) => word[0]);
    const window = words.slice(-Math.min(short.length + 5, short.length * 2));
    const long = longFormFor(short, window);
    if (long) found.push({ short, long });
  }
  return found;
}

/** "LLMs" → "LLM"; "GANs" → "GAN"; "NeRF" stays. */
function singular(short: string): string {
  return /^[\p{Lu}\p{N}-]{2,}s$/u.test(short) ? short.slice(0, -1) : short;
}

function isAbbreviation(short: string): boolean {
  const capitals = short.match(/\p{Lu}/gu)?.length ?? 0;
  return capitals >= 2 && /^\p{L}/u.test(short) && !/^\p{Lu}[\p{Ll}]+$/u.test(short);
}

/** The shortest run of trailing words whose letters spell the short form (first letter starting a word). */
function longFormFor(short: string, words: string[]): string | null {
  const letters = [...short.toLowerCase()].filter((char) => /[\p{L}\p{N}]/u.test(char));
  const text = words.join(" ").toLowerCase();
  let at = text.length - 1;
  for (let i = letters.length - 1; i >= 0; i--) {
    const letter = letters[i]!;
    // The first letter must start a word; the others may sit anywhere ("Transformer" gives the T of ViT).
    while (at >= 0 && (text[at] !== letter || (i === 0 && at > 0 && text[at - 1] !== " "))) at--;
    if (at < 0) return null;
    at--;
  }
  const start = text.lastIndexOf(" ", at + 1) + 1;
  const long = words.join(" ").slice(start);
  // Words as the letters count them: "out-of-distribution (OOD)" is three. One word is a coincidence.
  const count = long.split(/[\s-]+/).length;
  if (count < 2) return null;
  if (long.toLowerCase() === short.toLowerCase() || count > letters.length + 2) return null;
  return long;
}

/**
 * Whether a text spells an abbreviation out without defining it: consecutive words whose first letters are its
 * letters ("point-wise mutual information" for PMI, "support vector machines" for SVM). Stop words break a run.
 */
export function spellsOut(short: string, text: string): boolean {
  const letters = singular(short).toLowerCase();
  if (!/^\p{L}{2,6}$/u.test(letters)) return false;
  const initials = [...text.toLowerCase().matchAll(WORD)].map((word) => (STOP.has(word[0]) ? " " : word[0][0]!)).join("");
  return initials.includes(letters);
}

const STOP = new Set(["a", "an", "the", "of", "and", "or", "for", "to", "in", "on", "with", "by", "is", "are", "we", "our"]);
