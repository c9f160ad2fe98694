import { createRequire } from "node:module";

// wink-nlp ships CommonJS; loading its model costs ~0.2 s, so it is created on first use.
const require = createRequire(import.meta.url);
type WinkDoc = { sentences(): { out(): string[] } };
let nlp: { readDoc(text: string): WinkDoc } | null = null;

function winkNlp() {
  if (!nlp) {
    const winkNLP = require("wink-nlp");
    const model = require("wink-eng-lite-web-model");
    nlp = winkNLP(model, ["sbd"]);
  }
  return nlp!;
}

/** Abbreviations after which wink's splitter wrongly ends a sentence in academic prose. */
const ABBREVIATION_END = /\b(et al|Fig|Figs|Sec|Secs|Eq|Eqs|Tab|Ref|Refs|i\.e|e\.g|cf|vs|resp|approx|No|Thm|Lem|Def|App|Ch)\.$/i;

/** A citation marker as written ("[2]", "[1, 3]", "[2-4]"); text/ cannot import ground/markers.ts. */
const CITATION = String.raw`\[\d+(?:\s*[,;–-]\s*\d+)*\]`;
/** A full stop with citation markers before or after it: "…[1]." or "…. [1]". */
const STOP_WITH_CITATION = new RegExp(String.raw`(?:${CITATION}\s*[.!?]|[.!?](?:\s*${CITATION})+)$`);
/** "- ", "* ", "• ", "1. ", "2) ": a list item's bullet (one or two digits, so "2020. We" is not one). */
const BULLET = /^\s*(?:[-*•+]|\d{1,2}[.)])\s+(?=\S)/;
/** Markdown headings and lines that are nothing but bold text ("**Key findings:**"): layout, each its own unit. */
const HEADING = /^\s*(?:#{1,6}\s|(?:\*\*|__)[^*_\n]+(?:\*\*|__)\s*:?\s*$)/;
/**
 * A list item starting inside a line, right after a cited sentence: "…[1]. - Next" or "…[1]. 2. Next"
 * (a model's list run together). Uncited prose ("threefold. 1) We propose") is left to wink.
 */
const INLINE_ITEM = new RegExp(String.raw`(?<=[.!?](?:\s*${CITATION})+|${CITATION}\s*[.!?])\s+(?=(?:[-*•]|\d{1,2}[.)])\s+\S)`, "g");

/**
 * Splits text into sentences. Scripts without spaces are split on their own full stops. In Markdown
 * (model answers), every list item starts a new sentence, its bullet removed, and a heading or
 * bold-only line is a sentence of its own, kept as written so callers can tell it is layout.
 */
export function splitSentences(text: string, language = "en"): string[] {
  if (["zh", "ja", "ko"].includes(language)) {
    return text
      .split(/(?<=[。!?!?])/u)
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return blocks(text).flatMap((block) => (block.heading ? [block.text] : proseSentences(block.text)));
}

/** Lines grouped into units that never share a sentence: paragraphs, list items, headings. */
function blocks(text: string): Array<{ text: string; heading: boolean }> {
  const units: Array<{ text: string; heading: boolean }> = [];
  let open = false;
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    if (!line.trim()) {
      open = false;
    } else if (HEADING.test(line)) {
      units.push({ text: line.trim(), heading: true });
      open = false;
    } else if (BULLET.test(line) || !open) {
      units.push({ text: line.replace(BULLET, "").trim(), heading: false });
      open = true;
    } else {
      // A wrapped line continues its paragraph or list item.
      units[units.length - 1]!.text += ` ${line.trim()}`;
    }
  }
  return units.flatMap((unit) =>
    unit.heading
      ? [unit]
      : unit.text
          .split(INLINE_ITEM)
          .map((part) => ({ text: part.replace(BULLET, "").trim(), heading: false }))
          .filter((part) => part.text),
  );
}

function proseSentences(text: string): string[] {
  const merged: string[] = [];
  for (const sentence of asWritten(text, winkNlp().readDoc(text).sentences().out()).flatMap(missedStops)) {
    const previous = merged[merged.length - 1];
    if (previous !== undefined && belongsToPrevious(previous, sentence)) {
      merged[merged.length - 1] = `${previous} ${sentence}`;
    } else {
      merged.push(sentence);
    }
  }
  return merged;
}

/** ". It", "! We": a full stop, space and a capitalised word, after a token that is no abbreviation or initial. */
const MISSED_STOP = /(?<=(?:^|\s)([^\s.]{2,})[.!?])\s+(?=\p{Lu}\p{Ll})/gu;

/** wink keeps some sentences together after a token it takes for an abbreviation ("… LLaMA-2 7B. It reaches …"). */
function missedStops(sentence: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const match of sentence.matchAll(MISSED_STOP)) {
    const before = sentence.slice(start, match.index);
    if (ABBREVIATION_END.test(before) || TITLE_ABBREVIATION.test(before)) continue;
    parts.push(before.trim());
    start = match.index + match[0].length;
  }
  parts.push(sentence.slice(start).trim());
  return parts.filter(Boolean);
}

/** Abbreviations before a capitalised name, never sentence ends. */
const TITLE_ABBREVIATION = /\b(?:Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|Inc|Ltd|Co|Corp|vol|pp|ca|al|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$/i;

/**
 * wink rebuilds each sentence from its tokens, which re-spaces the text ("OPT-1.3B" comes back "OPT-1. 3B") and
 * may cut where the text has no space at all ("v2.1.3"). Its sentences are mapped back onto the original by
 * counting non-space characters; a cut with no whitespace in the original is no sentence boundary.
 */
function asWritten(text: string, pieces: string[]): string[] {
  const sentences: string[] = [];
  let at = 0;
  let glued = false;
  for (const piece of pieces) {
    let need = piece.replace(/\s+/g, "").length;
    if (!need) continue;
    while (at < text.length && /\s/.test(text[at]!)) at++;
    const start = at;
    while (at < text.length && need > 0) if (!/\s/.test(text[at++]!)) need--;
    const sentence = text.slice(start, at).trim();
    if (glued && sentences.length) sentences[sentences.length - 1] += sentence;
    else sentences.push(sentence);
    // No whitespace at the cut: the same word ("1.3B", "v2.1"), unless a word ends and a sentence starts ("stability.We").
    const wordEndsSentenceStarts = /[\p{Ll})\]][.!?]$/u.test(sentence) && /\p{Lu}/u.test(text[at] ?? "");
    glued = at < text.length && !/\s/.test(text[at]!) && !wordEndsSentenceStarts;
  }
  if (at < text.length && text.slice(at).trim()) sentences.push(text.slice(at).trim());
  return sentences;
}

/**
 * Re-joins wink's fragments: after an abbreviation, or when the "sentence" starts in lower case, with a
 * digit or a bracket. Not after a cited full stop, where a digit starts a real sentence ("…[1]. 1-bit
 * adapters …"), nor when a marker is the subject of a new sentence ("…[1]. [2] proposes …").
 */
function belongsToPrevious(previous: string, sentence: string): boolean {
  if (ABBREVIATION_END.test(previous)) return true;
  if (/^\d/.test(sentence) && STOP_WITH_CITATION.test(previous)) return false;
  if (new RegExp(String.raw`^${CITATION}\s+\p{Ll}`, "u").test(sentence) && /[.!?]$/.test(previous)) return false;
  return /^[a-z0-9([]/.test(sentence);
}
