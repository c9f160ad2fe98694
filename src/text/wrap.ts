import stringWidth from "string-width";

/** Terminal columns a text takes: CJK characters take two, combining marks none. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The text in lines of at most `width` columns, broken at spaces; a word wider than a line (a URL, a run
 * of CJK text without spaces) is cut between characters.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (displayWidth(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = "";
    for (const piece of cut(word, width)) {
      if (line) lines.push(line);
      line = piece;
    }
  }
  if (line || !lines.length) lines.push(line);
  return lines;
}

function cut(word: string, width: number): string[] {
  if (displayWidth(word) <= width) return [word];
  const pieces: string[] = [];
  let piece = "";
  for (const { segment } of graphemes.segment(word)) {
    if (piece && displayWidth(piece + segment) > width) {
      pieces.push(piece);
      piece = "";
    }
    piece += segment;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/**
 * Every line of a document within `width` columns: a longer line is wrapped, its continuation lines
 * indented under its text (under the text after a "- " or "1. " list marker).
 */
export function wrapDocument(text: string, width: number): string {
  return text
    .split("\n")
    .flatMap((line) => {
      if (displayWidth(line) <= width) return [line];
      const marker = /^(\s*(?:[-*] |\d+\. |\[\d+\] )?)/.exec(line)![1]!;
      // A lead as wide as half the line would leave a thin column of text: none then.
      const lead = displayWidth(marker) <= width / 2 ? marker : "";
      const hang = " ".repeat(displayWidth(lead));
      const wrapped = wrapText(line.slice(lead.length), width - hang.length);
      return wrapped.map((piece, i) => (i === 0 ? `${lead}${piece}` : `${hang}${piece}`));
    })
    .join("\n");
}

/** The text followed by spaces up to `width` columns. */
export function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}
