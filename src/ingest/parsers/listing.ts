import type { RawRecord, SkippedRecord } from "../../corpus/paper.js";
import { isChromeLine, stripGluedSubscribe } from "./chrome.js";
import type { Parser } from "./types.js";

/** Paper-listing page dump: title line, then abstract line, repeated; site chrome around them. */
export const parseListing: Parser = (text, file) => {
  const records: RawRecord[] = [];
  const skipped: SkippedRecord[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  let pendingTitle: { text: string; line: number } | null = null;
  let seenContent = false;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    // Chrome only appears before the first paper; later a short line like "Subscribe" could be a real title.
    if (!seenContent && isChromeLine(raw)) continue;
    const line = seenContent ? raw : stripGluedSubscribe(raw);
    seenContent = true;
    if (!pendingTitle) {
      pendingTitle = { text: line, line: i + 1 };
      continue;
    }
    if (looksLikeAbstract(line)) {
      records.push({ title: pendingTitle.text, abstract: line, source: { file, line: pendingTitle.line, format: "listing" } });
      pendingTitle = null;
    } else {
      // Two title-like lines in a row: the first had no abstract.
      skipped.push({ file, line: pendingTitle.line, reason: `title without abstract: "${pendingTitle.text.slice(0, 60)}"` });
      pendingTitle = { text: line, line: i + 1 };
    }
  }
  if (pendingTitle) {
    skipped.push({ file, line: pendingTitle.line, reason: `title without abstract at end of file: "${pendingTitle.text.slice(0, 60)}"` });
  }
  return { records, skipped };
};

/** Abstracts are prose: long and made of several words. Titles rarely pass 300 characters. */
export function looksLikeAbstract(line: string): boolean {
  return line.length >= 120 && line.split(/\s+/).length >= 15;
}
