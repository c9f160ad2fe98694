import { readFileSync, statSync, readdirSync } from "node:fs";
import path from "node:path";
import type { SkippedRecord } from "../corpus/paper.js";

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

/** Reads a file as text: UTF-8 (BOM dropped), UTF-16 by BOM, else Latin-1 when UTF-8 is invalid; binary is refused. */
export function readTextFile(file: string, displayName = file): ReadResult {
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES) return { ok: false, skip: { file: displayName, line: 0, reason: `file too large (${size} bytes, limit ${MAX_FILE_BYTES})` } };
  const bytes = readFileSync(file);
  if (bytes.length === 0) return { ok: false, skip: { file: displayName, line: 0, reason: "empty file" } };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { ok: true, text: bytes.subarray(2).toString("utf16le"), note: "UTF-16LE" };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { ok: true, text: Buffer.from(bytes.subarray(2)).swap16().toString("utf16le"), note: "UTF-16BE" };
  const sample = bytes.subarray(0, 8192);
  if (looksBinary(sample)) return { ok: false, skip: { file: displayName, line: 0, reason: "binary file (not text)" } };
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { ok: true, text: text.replace(/^\uFEFF/, "") };
  } catch {
    return { ok: true, text: bytes.toString("latin1"), note: "not valid UTF-8, read as Latin-1" };
  }
}

function looksBinary(sample: Buffer): boolean {
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 8 || (byte > 13 && byte < 32)) control++;
  }
  return control > sample.length * 0.1;
}
