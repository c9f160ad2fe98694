import { splitSentences } from "../text/sentences.js";
import { MARKER, MARKER_LOOKALIKE, markerNumbers } from "./markers.js";

/**
 * Models cite in many styles besides "[n]": "(Source 1)", "[Source 2]", "Source 2 proposes", "【1】",
 * "[^1]", "^1", "[1 and 3]". Each is rewritten to markers where it can only mean source numbers; what
 * looks like a citation but is not read as one (author-year, letters, numbers that name no source) is
 * named in a note, so nothing a model cited disappears without a word.
 */
export interface NormalizedCitations {
  text: string;
  /** One sentence per citation that was ambiguous, not read, or moved. */
  notes: string[];
}

/** The words a model puts before a source number. */
const WORD = String.raw`(?:sources?|papers?|refs?\.?|references?)`;
const ITEM = String.raw`\d+(?:\s*[–-]\s*\d+)?`;
const JOIN = String.raw`(?:\s*,\s*(?:and\s+|&\s*)?|\s*;\s*|\s+and\s+|\s*&\s*)`;
/** "(Source 1)", "[Sources 1 and 3]", "(see Refs. 2, 4)", "(Source 1; Source 3)". */
const BRACKETED_WORD = new RegExp(String.raw`[(\[]\s*(?:see\s+|cf\.?\s+)?${WORD}:?\s*(?:no\.?\s*)?${ITEM}(?:${JOIN}(?:${WORD}\s*)?${ITEM})*\s*[)\]]`, "gi");
/** "Source 2 proposes", "Sources 1 and 3 show", "in Paper 4": numbers not followed by a decimal or unit. */
const PROSE_WORD = new RegExp(String.raw`(?<![\p{L}\d])${WORD}\s+(?:no\.?\s*)?(${ITEM}(?:${JOIN}(?:${WORD}\s+)?${ITEM})*)(?![\d.,]*\d|\s*(?:%|×|x\b))`, "giu");
/** "[1 and 3]", "[1, 2, and 4]": a list MARKER does not read. */
const SQUARE_AND = /\[\s*(\d+(?:\s*(?:,\s*and|,|;|and|&)\s*\d+)+)\s*\]/gi;
/**
 * "claim^1" or "claim.^2": a footnote caret after a word or punctuation (not "n^2" or "10^6"), nor after an
 * all-capital name: "GR^2" and "SE^3" are what papers call their methods.
 */
const CARET = /(?<=\p{L}{2}|[.,;:)"'’”])(?<!(?<![\p{L}\d])[\p{Lu}\d-]+)\^(\d+(?:[,–-]\d+)*)(?!\.?\d)/gu;
const AUTHOR_YEAR =
  /\((?:see\s+|e\.g\.,?\s+)?(?!(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b)\p{Lu}[\p{L}'’-]+(?:\s+et\s+al\.?|\s+(?:and|&)\s+\p{Lu}[\p{L}'’-]+)?,?\s+(?:19|20)\d{2}[a-z]?(?:\s*[;,][^()\n]{0,80})?\)|\p{Lu}[\p{L}'’-]+\s+et\s+al\.?\s*\((?:19|20)\d{2}[a-z]?\)/gu;
const LETTER = /\[(?:[a-z]|[ivx]{2,4})\]/gi;
/** Brackets of digits and separators that MARKER still does not read ("[1 3]", "[1,,2]"). */
const DIGIT_BRACKET = /\[[\d\s,;&–-]*\d[\d\s,;&–-]*\]/g;
const NUMBERS_IN_ITEM = new RegExp(ITEM, "g");
const MARKER_ONLY = new RegExp(`^${MARKER.source}$`);
const TRAILING_RUN = new RegExp(String.raw`([.!?])((?:\s*${MARKER.source})+)\s*$`);

const markers = (numbers: number[]) => [...new Set(numbers)].map((n) => `[${n}]`).join("");
const numbersOf = (text: string) => [...text.matchAll(NUMBERS_IN_ITEM)].flatMap((match) => markerNumbers(match[0]));
const quote = (text: string) => `"${text.length > 60 ? `${text.slice(0, 57)}…` : text}"`;

/**
 * Rewrites the citation styles of a model's text to "[n]" markers and notes the rest. A bracketed
 * "(Source 9)" becomes "[9]" whatever the count (validateCitations then removes and reports it); a bare
 * "Source 9 proposes" is rewritten only for a number in 1..sourceCount. Markers written once after a
 * paragraph's last full stop ("One. Two. [1][2]") are given to each of its sentences, and noted: the
 * model cited the paragraph, so each sentence is checked against those sources.
 */
export function normalizeCitations(text: string, sourceCount: number): NormalizedCitations {
  const notes: string[] = [];
  const inRange = (numbers: number[]) => numbers.length > 0 && numbers.every((n) => n >= 1 && n <= sourceCount);
  let out = text.replace(MARKER_LOOKALIKE, (match: string, inner: string) => {
    if (MARKER_ONLY.test(match)) return match;
    const ascii = inner
      .normalize("NFKC")
      .replace(/[\p{Pd}~]/gu, "-")
      .replace(/[\s^]+/g, " ")
      .replace(/ ?([,;-]) ?/g, "$1 ")
      .replace(/- /g, "-");
    if (/^[\d ,;-]+$/.test(ascii)) return `[${ascii.trim()}]`;
    notes.push(`the citation ${quote(match)} uses digits citewise does not read; it was not counted`);
    return match;
  });
  out = out.replace(SQUARE_AND, (match: string, inner: string) => (/and|&/i.test(inner) ? markers(numbersOf(inner)) : match));
  out = out.replace(BRACKETED_WORD, (match) => markers(numbersOf(match)));
  out = out.replace(PROSE_WORD, (match: string, list: string) => {
    const numbers = numbersOf(list);
    if (inRange(numbers)) return markers(numbers);
    if (numbers.some((n) => n < 1000)) notes.push(`${quote(match)} names no source of the ${sourceCount} provided; it was left as written`);
    return match;
  });
  out = out.replace(CARET, (match: string, list: string) => {
    const numbers = numbersOf(list);
    // "claim.^1" becomes "claim. [1]": a marker after the stop, which the checks already read.
    if (inRange(numbers)) return ` ${markers(numbers)}`;
    notes.push(`the footnote mark ${quote(match)} names no source of the ${sourceCount} provided; it was left as written`);
    return match;
  });
  out = out
    .split("\n")
    .map((line) => paragraphCitations(line, notes))
    .join("\n");
  for (const match of out.matchAll(AUTHOR_YEAR)) {
    notes.push(`the author-year citation ${quote(match[0])} names no numbered source; it does not count as a citation`);
  }
  for (const match of out.matchAll(LETTER)) notes.push(`${quote(match[0])} is not a source number; it does not count as a citation`);
  for (const match of out.matchAll(DIGIT_BRACKET)) {
    if (!MARKER_ONLY.test(match[0])) notes.push(`${quote(match[0])} looks like a citation but is not one citewise reads; it was not counted`);
  }
  return { text: out, notes };
}

/** "One. Two. [1][2]" → "One [1][2]. Two [1][2]." when no earlier sentence of the line cites anything. */
function paragraphCitations(line: string, notes: string[]): string {
  if (/^\s*(?:#|\|)/.test(line)) return line;
  const trailing = TRAILING_RUN.exec(line);
  if (!trailing) return lastSentenceCitations(line, notes);
  const body = line.slice(0, trailing.index + 1);
  if (new RegExp(MARKER.source).test(body)) return line;
  const bullet = /^\s*(?:[-*•+]|\d{1,2}[.)])\s+/.exec(body)?.[0] ?? "";
  const sentences = splitSentences(body.slice(bullet.length));
  if (sentences.length < 2) return line;
  const run = trailing[2]!.trim();
  notes.push(
    `the citations ${run} at the end of ${quote(sentences[0]!)} were given to each of its ${sentences.length} sentences (the model cited the paragraph, not each sentence)`,
  );
  return bullet + sentences.map((sentence) => sentence.replace(/\s*([.!?]?)$/, (_m, stop: string) => ` ${run}${stop}`)).join(" ");
}

/** A citation run closing a paragraph's last sentence: "… forecasters [1]." */
const CLOSING_RUN = /((?:\s*\[[\d\s,;–-]+\])+)\s*([.!?])\s*$/;

/**
 * "One. Two. Three [1]." → each sentence cites [1], when no other sentence of the paragraph cites
 * anything: models often cite a paragraph once, at its end. Noted, like the run after the stop.
 */
function lastSentenceCitations(line: string, notes: string[]): string {
  const bullet = /^\s*(?:[-*•+]|\d{1,2}[.)])\s+/.exec(line)?.[0] ?? "";
  const sentences = splitSentences(line.slice(bullet.length));
  if (sentences.length < 2) return line;
  const last = sentences[sentences.length - 1]!;
  const closing = CLOSING_RUN.exec(last);
  const marker = new RegExp(MARKER.source);
  // Only when the other sentences attempt no citation of any kind (a bracket, an author-year): else they are reported as they are.
  const attempts = (sentence: string) => marker.test(sentence) || /\[|\([^)]*\d{4}\)/.test(sentence);
  if (!closing || sentences.slice(0, -1).some(attempts) || marker.test(last.slice(0, closing.index))) return line;
  const run = closing[1]!.trim();
  notes.push(
    `the citations ${run} at the end of ${quote(sentences[0]!)} were given to each of its ${sentences.length} sentences (the model cited the paragraph, not each sentence)`,
  );
  return bullet + [...sentences.slice(0, -1).map((sentence) => sentence.replace(/\s*([.!?]?)$/, (_m, stop: string) => ` ${run}${stop}`)), last].join(" ");
}
