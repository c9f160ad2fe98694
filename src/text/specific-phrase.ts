import { keyPhrases } from "./phrases.js";
import { stemWord } from "./tokenize.js";

/** A phrase is made more specific only when half the texts that contain it agree on the longer form. */
const SPECIFIC_COVERAGE = 0.5;

/**
 * The longest form of the phrase as the abstracts write it, a word before or up to two after
 * ("collapse" -> "neural collapse", "context" -> "in-context learning"), that most of its abstracts
 * share; only the abstracts containing that exact form are kept.
 */
export function specificForm<T>(surface: string, items: T[], textOf: (item: T) => string): { surface: string; items: T[] } {
  const phrase = { surface, sources: items };
  const word = String.raw`[A-Za-z][\w-]{2,}`;
  const pattern = new RegExp(
    String.raw`(?<![\w-])(?:(${word})\s+)?((?:[A-Za-z]+-)?${escapeRegExp(phrase.surface)})(?![\w-])(?:\s+(${word}))?(?:\s+(${word}))?`,
    "gi",
  );
  const found = new Map<string, { written: string[]; sources: Set<T> }>();
  const note = (form: string, source: T) => {
    // Keyed by stems, so "graph neural network" and "… networks" count together.
    const key = form.toLowerCase().split(/\s+/).map(stemWord).join(" ");
    const entry = found.get(key) ?? { written: [], sources: new Set<T>() };
    entry.written.push(form);
    entry.sources.add(source);
    found.set(key, entry);
  };
  // Only noun phrases the tagger accepts ("neural collapse", not "express anti-social").
  const pairs = new Set(phrase.sources.flatMap((source) => keyPhrases(textOf(source)).map((p) => p.surface.toLowerCase())).filter((p) => p.includes(" ")));
  const pair = (a: string | undefined, b: string | undefined): boolean => Boolean(a && b) && pairs.has(`${a} ${b}`.toLowerCase());
  // The tagger reads "learning" in "in-context learning" as a verb; these -ing words name tasks.
  const namesTask = (word: string | undefined) => Boolean(word) && NOMINAL_ING.test(word!);
  for (const source of phrase.sources) {
    for (const match of textOf(source).matchAll(pattern)) {
      const [, before, core, after, further] = match;
      const words = core!.split(/\s+/);
      const follows = (a: string | undefined, b: string | undefined) => pair(a, b) || namesTask(b);
      note(core!, source);
      if (pair(before, words[0])) note(`${before} ${core}`, source);
      if (follows(words[words.length - 1], after)) {
        note(`${core} ${after}`, source);
        if (follows(after, further)) note(`${core} ${after} ${further}`, source);
      }
    }
  }
  const needed = Math.max(Math.min(2, phrase.sources.length), Math.ceil(phrase.sources.length * SPECIFIC_COVERAGE));
  const length = (surface: string) => surface.split(/[\s-]+/).length;
  const [best] = [...found.values()]
    .filter((entry) => entry.sources.size >= needed)
    .sort((a, b) => length(b.written[0]!) - length(a.written[0]!) || b.sources.size - a.sources.size);
  if (!best) return { surface, items };
  const sources = phrase.sources.filter((source) => best.sources.has(source));
  return { surface: asInProse(best.written, sources.map(textOf)), items: sources };
}

const NOMINAL_ING =
  /^(learning|modell?ing|training|tuning|fine-tuning|pre-?training|processing|reasoning|planning|sampling|clustering|forecasting|ranking|matching|pruning|encoding|decoding|editing|labell?ing|captioning|answering|rendering|parsing|tracking|mining)$/i;

/**
 * The form to write mid-sentence: the most common one, with a capitalised word lowered when the
 * abstracts also write it in lower case ("Neural Collapse" -> "neural collapse", not "Matryoshka").
 */
function asInProse(written: string[], texts: string[]): string {
  const capitals = (text: string) => (text.match(/[A-Z]/g) ?? []).length;
  const count = (text: string) => written.filter((other) => other === text).length;
  const [form] = [...written].sort((a, b) => count(b) - count(a) || capitals(a) - capitals(b));
  const text = texts.join(" ");
  return form!.replace(/\b[A-Z][a-z]+\b/g, (word) => (new RegExp(String.raw`\b${word.toLowerCase()}\b`).test(text) ? word.toLowerCase() : word));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
