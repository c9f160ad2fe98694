/** Unicode NFKC, no control characters or zero-width marks, single spaces. */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, "")
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
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
