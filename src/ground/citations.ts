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

/** Names of a reference-list heading ("References", "**Sources:**", "### Bibliography", "Works cited"). */
const LIST_NAMES = ["references", "bibliography", "works cited", "reference list", "sources", "sources cited", "sources used", "cited sources", "citations"];
const NAME = LIST_NAMES.map((name) => name.replace(" ", "[ \\t]+")).join("|");
const EMPHASIS = String.raw`(?:\*\*|__|\*|_)?`;

/**
 * A model told not to may still append its own "References:" list (an injected abstract may even ask
 * it to). It is dropped: citewise prints the references itself, from the retrieved papers only.
 * A heading alone on its line, or "References:" with a colon after a sentence ("… [2]. Sources: [1] Foo;
 * [2] Bar"); "Sources of error…" stays. Markdown footnote definitions ("[^1]: Smith, 2020") go too.
 */
const REFERENCE_LIST = new RegExp(
  String.raw`(?:^|\n|(?<=[.!?\]])[ \t]+)[ \t]*(?:#{1,6}[ \t]*)?${EMPHASIS}(?:${NAME})${EMPHASIS}[ \t]*(?::|(?=\n|$))[\s\S]*$|(?:^|\n)[ \t]*\[\^\d+\]:[\s\S]*$`,
  "i",
);
/** A rule ("---") left above the dropped list. */
const TRAILING_RULE = /\n[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$/;

export function stripReferenceList(text: string): { text: string; dropped: boolean } {
  const stripped = text.replace(REFERENCE_LIST, "").trimEnd().replace(TRAILING_RULE, "").trimEnd();
  // A reply that is nothing but a list keeps its text, so the checks below flag it rather than hide it.
  return stripped && stripped !== text.trimEnd() ? { text: stripped, dropped: true } : { text, dropped: false };
}

/**
 * For a streamed reply: passes text on as it arrives but holds back whatever could still turn out to
 * be the start of a reference list (a line or sentence beginning "Refer…", "**Sources", "### Bib…"),
 * until it is clearly not one. A list is never passed on, so what was shown is what stripReferenceList
 * keeps. `end()` passes on the rest once the reply is complete.
 */
export function holdBackReferenceList(onText: (text: string) => void): { write(piece: string): void; end(): void } {
  let received = "";
  let shown = 0;
  let closed = false;
  const show = (upTo: number) => {
    if (upTo > shown) onText(received.slice(shown, upTo));
    shown = Math.max(shown, upTo);
  };
  return {
    write(piece) {
      if (closed) return;
      received += piece;
      // A heading at the very end may still go on ("References to …"): decided only when more text cannot undo it.
      const decided = stripReferenceList(`${received}${UNDECIDED}`);
      if (decided.dropped) {
        show(decided.text.length);
        closed = true;
      } else {
        show(heldFrom(received));
      }
    },
    end() {
      if (closed) return;
      const stripped = stripReferenceList(received);
      show(stripped.dropped ? stripped.text.length : received.length);
      closed = true;
    },
  };
}

/** Stands for text still to come: a heading followed by it is not (yet) a heading. */
const UNDECIDED = "\u0000more";

/** Where the last line's possible reference-list heading starts (its start or a sentence end), else the end. */
function heldFrom(text: string): number {
  const lineStart = text.lastIndexOf("\n") + 1;
  const starts = [lineStart, ...[...text.slice(lineStart).matchAll(/(?<=[.!?\]])[ \t]+/g)].map((m) => lineStart + m.index)];
  return starts.find((start) => couldBeHeading(text.slice(start))) ?? text.length;
}

/** True while `fragment` (no newline) may still grow into a heading REFERENCE_LIST drops. */
function couldBeHeading(fragment: string): boolean {
  const rest = fragment
    .replace(/^[ \t]*(?:#{1,6}[ \t]*)?/, "")
    .replace(/^(?:\*\*|__|\*|_)/, "")
    .toLowerCase()
    .replace(/[ \t]+/g, " ");
  // "[^1]: …" footnote definitions are dropped too.
  if (/^#*$/.test(fragment.trim()) || /^[*_]$/.test(rest) || /^[ \t]*\[(?:\^\d*\]?)?$/.test(fragment)) return true;
  return LIST_NAMES.some((name) => name.startsWith(rest) || (rest.startsWith(name) && /^(?:\*\*|__|\*|_)?[ \t]*$/.test(rest.slice(name.length))));
}
