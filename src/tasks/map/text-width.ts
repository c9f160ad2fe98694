/**
 * How wide a line of text will be, without a browser to measure it: per-character widths close to DejaVu Sans
 * and Verdana (the widest of the fonts the map asks for), so a label judged to fit also fits in narrower fonts.
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let ems = 0;
  for (const char of text) ems += charWidth(char);
  return ems * fontSize * (bold ? 1.1 : 1);
}

function charWidth(char: string): number {
  if (/[ijlIJ'!.,:;|()[\]/ft\s]/.test(char)) return 0.34;
  if (/[mwMW@%…—]/.test(char)) return 0.98;
  if (/[A-Z]/.test(char)) return 0.74;
  // CJK, Hangul, full-width forms: one em each.
  if ((char.codePointAt(0) ?? 0) >= 0x2e80) return 1;
  return 0.64;
}

/** A title cut to at most `max` characters at a word boundary, with "…" when cut. */
export function shortTitle(title: string, max: number): string {
  const clean = title.replace(/\s+/g, " ").trim();
  if ([...clean].length <= max) return clean;
  const chars = [...clean];
  const cut = chars.slice(0, max - 1).join("");
  // Drop a word the cut went through; a cut that fell between words keeps the last word.
  const atWord = /\s/.test(chars[max - 1]!) ? cut : cut.replace(/\s+\S*$/, "");
  // A single long word is cut mid-word rather than left empty.
  return `${(atWord.length >= max / 2 ? atWord : cut).replace(/[\s:;,.–—-]+$/, "")}…`;
}
