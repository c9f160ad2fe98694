import { readFileSync, statSync, readdirSync } from "node:fs";
import path from "node:path";
import type { SkippedRecord } from "../corpus/paper.js";
import { decodeBytes } from "./decode.js";

const SUPPORTED_EXTENSIONS = new Set([".txt", ".md", ".jsonl", ".ndjson", ".json", ".bib", ".bibtex", ".csv", ".tsv", ""]);
/** Larger files are not abstract dumps; refusing them keeps memory bounded. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

export class InputError extends Error {}

/** Expands the given paths into a sorted list of files (directories are walked, hidden entries skipped). */
export function listInputFiles(inputs: string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    let stats;
    try {
      stats = statSync(input);
    } catch {
      throw new InputError(`no such file or directory: ${input}`);
    }
    if (stats.isDirectory()) {
      const entries = readdirSync(input, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && !entry.name.startsWith("."))
        .map((entry) => path.join(entry.parentPath, entry.name))
        .filter((file) => !file.split(path.sep).some((part) => part.startsWith(".") && part.length > 1 && part !== ".."))
        .filter((file) => SUPPORTED_EXTENSIONS.has(path.extname(file).toLowerCase()));
      files.push(...entries.sort());
    } else {
      files.push(input);
    }
  }
  return [...new Set(files)];
}

export type ReadResult = { ok: true; text: string; note?: string } | { ok: false; skip: SkippedRecord };

/** The size limit; CITEWISE_MAX_FILE_BYTES lowers (or raises) it, e.g. to test the refusal without a 512 MB file. */
export function maxFileBytes(): number {
  const fromEnv = Number(process.env.CITEWISE_MAX_FILE_BYTES);
  return Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : MAX_FILE_BYTES;
}

/** Reads a file as text (see decodeBytes); unreadable, too large, empty and binary files become a skip. */
export function readTextFile(file: string, displayName = file): ReadResult {
  const skip = (reason: string): ReadResult => ({ ok: false, skip: { file: displayName, line: 0, reason } });
  const limit = maxFileBytes();
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > limit) return skip(`file too large (${size} bytes, limit ${limit})`);
    bytes = readFileSync(file);
  } catch (error) {
    // The file may vanish or be unreadable between listing and reading; that is one bad file, not a crash.
    return skip(`cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (bytes.length === 0) return skip("empty file");
  const decoded = decodeBytes(bytes);
  return decoded.ok ? decoded : skip(decoded.reason);
}
