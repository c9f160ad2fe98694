import type { Paper } from "../corpus/paper.js";
import { splitSentences } from "../text/sentences.js";

/**
 * Defences against text in abstracts that tries to steer the answerer (prompt injection). Abstracts
 * are data: a sentence addressed to the assistant is withheld from both the offline composer and the
 * model's prompt, and bracketed numbers are shown as [#n] so they cannot pass for citations.
 * Patterns are narrow on purpose: none of the 4,000-odd sentences of data/ matches one
 * (tests/prompt-injection.test.ts checks this).
 */
const REFERENCE_LIST_START = /^\W*(references|bibliography|works cited)\s*:/i;

const INSTRUCTION_RULES: Array<[RegExp, string]> = [
  [/\b(ignore|disregard|forget|override|bypass)\b[^.!?]{0,40}\b(previous|prior|above|earlier|preceding|all|any|your|system|these|those)\b[^.!?]{0,30}\b(instructions?|prompts?|rules|directions|guidelines|messages?)\b/i, "tells the assistant to ignore its instructions"],
  [/\byou are (now|no longer)\b|\bfrom now on,? you\b|\byour (new|real|actual) (task|instructions?|role|goal)\b/i, "gives the assistant a new role"],
  [/\byou (must|should|shall|will|need to) (now |also |always |never |only )?(ignore|answer|respond|reply|output|cite|say|print|write|include|mention|state)\b/i, "gives the assistant an order"],
  [/^\W*(please,?\s+)?(ignore|disregard|forget|pretend|do not cite|don't cite|always cite|cite only|only cite)\b/i, "is an imperative addressed to the reader or assistant"],
  [/\b(answer|respond|reply|output|say|print)\s+(only|exactly|just|with only)\b[^.!?]{0,20}["'`“‘]/i, "dictates the reply"],
  [/^\W*(system|assistant|developer)\s*(prompt|message)?\s*:|\[(system|assistant|INST)\]|\[\/INST\]|<<\/?SYS>>|<\|[a-z_]+\|>|^\W*#{2,}\s*(instruction|system|response)\b/im, "imitates a chat role or template"],
  // Case-sensitive: "a two-stage system: …" is prose, "SYSTEM:" mid-sentence is a role marker.
  [/\b(SYSTEM|ASSISTANT|DEVELOPER)\s*:|\((system|assistant|developer)\s*:/, "imitates a chat role or template"],
  [/<\s*\/?\s*source\b|&lt;\s*\/?\s*source\b/i, "imitates citewise's source tags"],
  [/^\W*(title|published)\s*:/i, "imitates the fields of a source block"],
  [REFERENCE_LIST_START, "is a reference list, not a finding"],
  [/<\s*(script|iframe|img|object|embed|style|a\s+href)\b|!\s*\[[^\]]*\]\([^)]*\)/i, "carries HTML or Markdown markup"],
];

/** Why a source sentence reads as an instruction or markup rather than a statement about research, or null. */
export function instructionLike(sentence: string): string | null {
  for (const [pattern, reason] of INSTRUCTION_RULES) if (pattern.test(sentence)) return reason;
  return null;
}

/** Citation-like markers in source text ([7], [1, 2], [2-4]): the same shape the answer checker parses. */
const MARKER_LOOKALIKE = /\[(\d+(?:\s*[,;–-]\s*\d+)*)\]/g;

/** "[7]" in an abstract refers to that paper's own bibliography, not to source 7: shown as "[#7]". */
export function defuseCitationMarkers(text: string): string {
  return text.replace(MARKER_LOOKALIKE, "[#$1]");
}

/** The sentences of an abstract an answerer may use, and how many were withheld as instruction-like. */
export function answerSentences(paper: Pick<Paper, "abstract" | "language">): { sentences: string[]; withheld: number } {
  const all = splitSentences(paper.abstract, paper.language);
  // Everything after a "References:" line is the (fake) list itself, whatever its entries look like.
  const listStart = all.findIndex((sentence) => REFERENCE_LIST_START.test(sentence));
  const body = listStart >= 0 ? all.slice(0, listStart) : all;
  // "Abstract:" opening an abstract is a harmless label; later, it fakes the start of another source.
  const usable = (sentence: string, i: number) => instructionLike(sentence) === null && !(i > 0 && /^\W*abstract\s*:/i.test(sentence));
  const sentences = body.filter(usable).map(defuseCitationMarkers);
  return { sentences, withheld: all.length - sentences.length };
}

/** Title and usable sentences: for text derived from a paper that is shown outside its source block (theme names). */
export function usableText(paper: Pick<Paper, "title" | "abstract" | "language">): string {
  const title = paper.title && !instructionLike(paper.title) ? paper.title : "";
  return `${title}. ${answerSentences(paper).sentences.join(" ")}`;
}
