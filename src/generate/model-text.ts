import { normalizeCitations } from "../ground/citation-styles.js";
import { stripReferenceList } from "../ground/citations.js";
import { endsSentence, markersBeforeStop, stripMarkers } from "../ground/markers.js";
import { splitSentences } from "../text/sentences.js";

/** A model's reply as the checks read it, with what was changed or could not be read. */
export interface ModelText {
  text: string;
  /** One sentence each, for the result's warnings: citation styles, the sentence limit, Markdown in prose. */
  notes: string[];
  droppedReferenceList: boolean;
  /** The reply was cut at its token limit before it said what was asked (see readModelText). */
  incomplete: boolean;
}

export interface ReadOptions {
  /** Keep at most this many sentences (the limit the prompt states); the rest is dropped and noted. */
  maxSentences?: number;
  /** Plain-prose answers (ask): headings and label lines are left out, bold/italic marks removed. */
  prose?: boolean;
  /** The reply stopped at its max_tokens. */
  cut?: boolean;
}

const BULLET = /^\s*(?:[-*•+]|\d{1,2}[.)])\s+/;
const HEADING_LINE = /^\s*(?:#{1,6}\s.*|(?:\*\*|__)[^*_\n]+(?:\*\*|__)\s*:?\s*)$/;

/**
 * Every model reply goes through here before the checks: its own reference list is dropped, citation
 * styles become "[n]" markers (notes name what could not be read), and the sentence limit is enforced.
 * A reply cut at its token limit is `incomplete` unless the cut fell in a dropped reference list or
 * after the sentence limit: then nothing that is kept was cut.
 */
export function readModelText(raw: string, sourceCount: number, options: ReadOptions = {}): ModelText {
  const listed = stripReferenceList(raw.trim());
  const normalized = normalizeCitations(listed.text, sourceCount);
  const notes = [...normalized.notes];
  let lines = normalized.text.replace(/\r\n?/g, "\n").split("\n");
  if (options.prose) lines = proseLines(lines, notes);
  let incomplete = false;
  if (options.cut && !listed.dropped) {
    // The last sentence may stop mid-word: it is never kept.
    lines = withoutUnfinishedEnd(lines);
    incomplete = options.maxSentences === undefined || sentenceCount(lines) < options.maxSentences;
  }
  if (options.maxSentences !== undefined) lines = limitSentences(lines, options.maxSentences, notes);
  const text = lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return { text, notes, droppedReferenceList: listed.dropped, incomplete };
}

/** Markdown in an answer meant as prose: list items stay (each a sentence), headings go, emphasis marks go. */
function proseLines(lines: string[], notes: string[]): string[] {
  const headings = lines.filter((line) => HEADING_LINE.test(line)).map((line) => plainEmphasis(line.replace(/^\s*#+\s*/, "")).trim());
  if (headings.length) {
    notes.push(`the model wrote headings or label lines (${headings.map((h) => `"${h}"`).join(", ")}); an answer is plain prose, so they were left out`);
  }
  return lines
    .filter((line) => !HEADING_LINE.test(line))
    .map((line) => {
      const plain = plainEmphasis(line).trimEnd();
      // A list item without a full stop is still one sentence: closed so that joined lines stay apart.
      return BULLET.test(plain) && !endsSentence(plain) && !/[:;,]$/.test(plain) ? `${plain}.` : plain;
    });
}

function plainEmphasis(line: string): string {
  return line
    .replace(/(\*\*|__)(?=\S)([^\n]*?\S)\1/g, "$2")
    .replace(/(?<![\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])/g, "$1")
    .replace(/(?<![\w_])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\w_])/g, "$1");
}

/** The claim sentences of a line (headings are layout; a bare marker is no sentence). */
function lineSentences(line: string): string[] {
  if (!line.trim() || HEADING_LINE.test(line)) return [];
  return splitSentences(markersBeforeStop(line)).filter((sentence) => stripMarkers(sentence).length > 0);
}

function sentenceCount(lines: string[]): number {
  return lines.reduce((count, line) => count + lineSentences(line).length, 0);
}

function withoutUnfinishedEnd(lines: string[]): string[] {
  const kept = [...lines];
  while (kept.length && !kept[kept.length - 1]!.trim()) kept.pop();
  const last = kept.pop();
  // A finished sentence or table row ("| … |") was not cut.
  if (last === undefined || endsSentence(last.trimEnd()) || /\|\s*$/.test(last)) return last === undefined ? kept : [...kept, last];
  const sentences = lineSentences(last);
  const finished = sentences.slice(0, -1);
  if (finished.length) kept.push((BULLET.exec(last)?.[0] ?? "") + finished.join(" "));
  return kept;
}

function limitSentences(lines: string[], limit: number, notes: string[]): string[] {
  const total = sentenceCount(lines);
  if (total <= limit) return lines;
  const kept: string[] = [];
  let count = 0;
  for (const line of lines) {
    const sentences = lineSentences(line);
    if (count + sentences.length <= limit) {
      kept.push(line);
      count += sentences.length;
      if (count === limit && sentences.length) break;
      continue;
    }
    kept.push((BULLET.exec(line)?.[0] ?? "") + sentences.slice(0, limit - count).join(" "));
    break;
  }
  notes.push(`the model wrote ${total} sentences; the limit is ${limit}; the rest was dropped`);
  return kept;
}
