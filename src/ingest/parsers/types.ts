import type { RawRecord, SkippedRecord } from "../../corpus/paper.js";

export interface ParseResult {
  records: RawRecord[];
  skipped: SkippedRecord[];
}

/** A parser turns one file's text into records; it never throws on bad content, it reports skips. */
export type Parser = (text: string, file: string) => ParseResult;
