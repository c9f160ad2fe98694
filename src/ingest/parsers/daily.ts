import type { RawRecord, SkippedRecord } from "../../corpus/paper.js";
import { isChromeLine, stripGluedSubscribe } from "./chrome.js";
import { looksLikeAbstract } from "./listing.js";
import type { Parser } from "./types.js";

const AUTHORS_LINE = /^[•·*-]?\s*(\d+)\s+authors?$/i;
const DOT_LINE = /^[·•]$/;
// A trailing number after the date is the page's upvote count ("Jul 3, 2024 3").
const DATE_LINE = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(, (\d{4}))?( \d+)?$/i;

/** Daily-paper dump: title, abstract, "• N authors", "·", date; blank lines between. */
export const parseDaily: Parser = (text, file) => {
  const records: RawRecord[] = [];
  const skipped: SkippedRecord[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  let current: RawRecord | null = null;
  let pendingTitle: { text: string; line: number } | null = null;
  let seenContent = false;

  const flushTitle = () => {
    if (pendingTitle) skipped.push({ file, line: pendingTitle.line, reason: `title without abstract: "${pendingTitle.text.slice(0, 60)}"` });
    pendingTitle = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (!seenContent && isChromeLine(line)) continue;
    const authors = AUTHORS_LINE.exec(line);
    if (authors) {
      if (current) current.authorCount = Number(authors[1]);
      continue;
    }
    if (DOT_LINE.test(line)) continue;
    const date = DATE_LINE.exec(line);
    if (date && current) {
      current.date = /^.*?\d{1,2}(, \d{4})?/.exec(line)![0];
      current.year = date[3] ? Number(date[3]) : null;
      continue;
    }
    const text = seenContent ? line : stripGluedSubscribe(line);
    seenContent = true;
    if (pendingTitle && looksLikeAbstract(text)) {
      current = { title: pendingTitle.text, abstract: text, source: { file, line: pendingTitle.line, format: "daily" } };
      records.push(current);
      pendingTitle = null;
    } else if (!pendingTitle && looksLikeAbstract(text) && !nextLineIsAbstract(lines, i)) {
      // An abstract with no title line in front of it still counts; it gets a derived title later.
      current = { title: null, abstract: text, source: { file, line: i + 1, format: "daily" } };
      records.push(current);
    } else {
      flushTitle();
      pendingTitle = { text, line: i + 1 };
      current = null;
    }
  }
  flushTitle();
  return { records, skipped };
};

/** A long title is told from an abstract by what follows it: a title is followed by its abstract. */
function nextLineIsAbstract(lines: string[], index: number): boolean {
  for (let j = index + 1; j < lines.length; j++) {
    const next = lines[j]!.trim();
    if (next) return looksLikeAbstract(next) && !AUTHORS_LINE.test(next) && !DATE_LINE.test(next);
  }
  return false;
}
