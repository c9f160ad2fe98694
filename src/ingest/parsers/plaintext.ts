import type { RawRecord } from "../../corpus/paper.js";
import type { Parser } from "./types.js";

/** Lines shorter than this are not abstracts (stray headings, page numbers); they are reported, not guessed at. */
const MIN_ABSTRACT_CHARS = 80;

/** One abstract per line, no titles. */
export const parsePlaintext: Parser = (text, file) => {
  const records: RawRecord[] = [];
  const skipped = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (line.length < MIN_ABSTRACT_CHARS) {
      skipped.push({ file, line: i + 1, reason: `line too short to be an abstract (${line.length} chars)` });
      continue;
    }
    records.push({ title: null, abstract: line, source: { file, line: i + 1, format: "plaintext" } });
  }
  return { records, skipped };
};
