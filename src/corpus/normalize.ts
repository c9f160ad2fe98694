import { stripTerminalControls } from "./controls.js";

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
