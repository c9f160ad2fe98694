import { mapMarkers } from "./markers.js";

export interface CitationCheck {
  /** Answer text with invalid markers removed; valid ones keep the source numbers of the prompt. */
  text: string;
  /** Source numbers cited at least once, in order of first citation. */
  cited: number[];
  /** Markers that named a source that was not provided, as written (e.g. "[9]"). */
  removed: string[];
}

/**
 * Keeps only citations to sources 1..sourceCount. Invalid ones are removed and reported, never
 * remapped: a model citing [9] of 5 sources is making something up. Numbers are not changed, so
 * a streamed answer and its reference list always agree.
 */
export function validateCitations(text: string, sourceCount: number): CitationCheck {
  const removed: string[] = [];
  const cited: number[] = [];
  const rewritten = mapMarkers(text, (numbers) => {
    const valid = [...new Set(numbers.filter((n) => Number.isInteger(n) && n >= 1 && n <= sourceCount))];
    for (const n of numbers) if (!valid.includes(n)) removed.push(`[${n}]`);
    for (const n of valid) if (!cited.includes(n)) cited.push(n);
    return valid.map((n) => `[${n}]`).join("");
  });
  // Removing a marker can leave "word ." or double spaces behind.
  const tidy = rewritten.replace(/[ \t]+([.,;:!?])/g, "$1").replace(/[ \t]{2,}/g, " ");
  return { text: tidy, cited, removed };
}

/**
 * A model told not to may still append its own "References:" list (an injected abstract may even ask
 * it to). It is dropped: citewise prints the references itself, from the retrieved papers only.
 * A heading alone on its line, or "References:" with a colon after a sentence; "Sources of error…" stays.
 */
const REFERENCE_LIST =
  /(?:^|\n|(?<=[.!?\]])[ \t]+)[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?(?:references|bibliography|works cited|reference list|sources)(?:\*\*|__)?[ \t]*(?::|(?=\n|$))[\s\S]*$/i;

export function stripReferenceList(text: string): { text: string; dropped: boolean } {
  const stripped = text.replace(REFERENCE_LIST, "").trimEnd();
  // A reply that is nothing but a list keeps its text, so the checks below flag it rather than hide it.
  return stripped && stripped !== text.trimEnd() ? { text: stripped, dropped: true } : { text, dropped: false };
}
