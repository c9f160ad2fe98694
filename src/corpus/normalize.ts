import { stripTerminalControls } from "./controls.js";
import { latexToText } from "./latex.js";

/**
 * Unicode NFKC, single spaces, and nothing invisible: zero-width marks, soft hyphens, Unicode TAG characters
 * (U+E0000–U+E007F, which can spell out hidden text), bidi embeddings/overrides/isolates, and C0/C1 control
 * characters (ESC and U+009B start terminal escape sequences) are removed.
 */
export function normalizeText(text: string): string {
  // Whole escape sequences go first: "ESC ] 0 ; title BEL" must not leave "]0;title" behind as text.
  return stripTerminalControls(text, " ").normalize("NFKC").replace(INVISIBLE, "").replace(CONTROL, " ").replace(/\s+/g, " ").trim();
}

const INVISIBLE = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF\u202A-\u202E\u2066-\u2069]|\u{E0000}|[\u{E0001}-\u{E007F}]/gu;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/g;

/** For identifiers kept as written (citation keys, DOIs): only the invisible and control characters go. */
export function cleanIdentifier(text: string): string {
  return text.replace(INVISIBLE, "").replace(CONTROL, "").trim();
}

const TITLE_MAX_WORDS = 12;

/** A display title for an untitled abstract: its first sentence, cut at a word boundary. */
export function deriveTitle(abstract: string): string {
  const firstSentence = abstract.split(/(?<=[.!?。!?])\s*/u)[0] ?? abstract;
  // Scripts without spaces (Chinese, Japanese) are cut by characters instead of words.
  if (!/\s/.test(firstSentence.slice(0, 60))) {
    return firstSentence.length > 30 ? `${firstSentence.slice(0, 30)}…` : firstSentence;
  }
  const words = firstSentence.replace(/[.!?]$/, "").split(/\s+/);
  return words.length > TITLE_MAX_WORDS ? `${words.slice(0, TITLE_MAX_WORDS).join(" ")}…` : words.join(" ");
}

/**
 * Abstract or title text as a reader should see it: normalised, LaTeX rendered, and structured-abstract
 * labels ("BACKGROUND", "RESULTS:", "Conclusions:") taken out of the prose, where they would read as words.
 */
export function readableText(text: string): string {
  let readable = normalizeText(text);
  // To a fixed point: a paper normalised again (repair, merge) must come out the same. Two passes settle all
  // of SciFact, CSFCube and data/ (one "$" left unpaired can pair up on the second).
  for (let pass = 0; pass < 3; pass++) {
    const next = latexToText(readable).replace(SECTION_LABEL, "").trim();
    if (next === readable) break;
    readable = next;
  }
  return readable;
}

const LABELS =
  "BACKGROUND|BACKGROUND AND (?:AIMS?|OBJECTIVES?|PURPOSE)|OBJECTIVES?|AIMS?|PURPOSE|INTRODUCTION|CONTEXT|IMPORTANCE|RATIONALE|" +
  "METHODS?|METHODOLOGY|MATERIALS AND METHODS|METHODS AND (?:MATERIALS|RESULTS)|DESIGN|(?:STUDY )?DESIGN,? SETTING,? AND PARTICIPANTS|SETTINGS?|PARTICIPANTS|PATIENTS|" +
  "INTERVENTIONS?|EXPOSURES?|MEASUREMENTS|MAIN OUTCOMES? (?:AND )?MEASURES?|OBSERVATIONS|RESULTS?|FINDINGS|" +
  "CONCLUSIONS?|CONCLUSIONS? AND RELEVANCE|INTERPRETATION|SIGNIFICANCE|SUMMARY";
const TITLE_CASE_LABELS =
  "Background|Objectives?|Aims?|Purpose|Introduction|Methods?|Design|Setting|Results?|Findings|Conclusions?|Interpretation|Significance";
/** An all-caps label (with or without a colon), or a title-case one with a colon, opening the text or a sentence. */
const SECTION_LABEL = new RegExp(String.raw`(?<=^|[.!?]\s)(?:(?:${LABELS})(?:\s*:\s*|\s+)|(?:${TITLE_CASE_LABELS})\s*:\s*)+(?=\p{Lu}|\d)`, "gu");
