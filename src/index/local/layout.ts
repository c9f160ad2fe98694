import { existsSync, lstatSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync, type Stats } from "node:fs";
import path from "node:path";
import { isTemporaryOf, readRegularFile, rethrowIfDenied, syncFolder, writeFileAtomic } from "../files.js";
import { IndexLocationError } from "../storage.js";

/**
 * An index folder holds numbered versions (generations), vector segments they share, and a CURRENT pointer.
 * Ingest writes a complete new generation and swaps the pointer with one atomic rename, so a crash leaves
 * the previous generation readable. citewise deletes only files it wrote itself, by name: a user's file put
 * inside the folder (or a folder that is not an index at all) is never removed.
 */
export const CURRENT_FILE = "CURRENT";
export const LOCK_FILE = "LOCK";
export const JOURNAL_FILE = "pending-vectors.jsonl";
/** What the last ingest read (src/ingest/unchanged-inputs.ts): lets an unchanged re-ingest skip all work. */
export const INPUTS_FILE = "ingest-inputs.json";
export const SEGMENTS_DIR = "segments";
export const GENERATION_FILES = [
  "records.jsonl",
  "papers.jsonl",
  "chunks.jsonl",
  "keyword.bin",
  "vectors.json",
  "lookup.json",
  "acronyms.json",
  "manifest.json",
] as const;
/** Files a version may lack: older formats did not write them, and each can be derived from the others. */
export const DERIVED_FILES: readonly string[] = ["keyword.bin", "vectors.json", "lookup.json", "acronyms.json"];

const GENERATION_NAME = /^gen-(\d{6,})$/;
const POINTER = /^(gen-\d{6,})\n(?:manifest sha256 ([0-9a-f]{64})\n)?$/;

export type FolderState =
  /** Nothing there yet, or only what an interrupted first ingest left (a lock, a journal, unpublished segments). */
  | { kind: "new" }
  | { kind: "index" }
  /** Files that are not citewise's: never written into, never built into. */
  | { kind: "foreign"; examples: string[] };

/** What a folder given as --index holds; a path that is a file (or a broken path) is a one-line error. */
export function inspectIndexFolder(indexDir: string): FolderState {
  let stats: Stats;
  try {
    // Followed: an index folder may be a symbolic link to the real one.
    stats = statSync(indexDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && isSymbolicLink(indexDir)) throw new IndexLocationError(`the index location ${indexDir} is a broken symbolic link`);
    if (code === "ENOENT") return { kind: "new" };
    if (code === "ENOTDIR") throw new IndexLocationError(`the index location ${indexDir} is inside a file, not a folder`);
    throw new IndexLocationError(`cannot read the index folder ${indexDir} (${code ?? (error as Error).message})`);
  }
  if (!stats.isDirectory()) throw new IndexLocationError(`the index location ${indexDir} is a file, not a folder; pass --index with a folder`);
  let entries: string[];
  try {
    entries = readdirSync(indexDir);
  } catch (error) {
    throw new IndexLocationError(`cannot read the index folder ${indexDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (entries.some((entry) => GENERATION_NAME.test(entry)) || readPointer(indexDir) !== null) return { kind: "index" };
  const own = (entry: string) =>
    entry === LOCK_FILE ||
    entry === JOURNAL_FILE ||
    entry === INPUTS_FILE ||
    isTemporaryOf(entry, [INPUTS_FILE]) ||
    entry === SEGMENTS_DIR ||
    isTemporaryOf(entry, [CURRENT_FILE, LOCK_FILE]) ||
    /^LOCK\.stale\.\d+\.[0-9a-f]+$/.test(entry) ||
    (entry === CURRENT_FILE && isEmptyFile(path.join(indexDir, entry)));
  const foreign = entries.filter((entry) => !own(entry));
  if (foreign.length === 0 && segmentsAreOwn(indexDir)) return { kind: "new" };
  return { kind: "foreign", examples: (foreign.length ? foreign : [SEGMENTS_DIR]).slice(0, 3) };
}

function isSymbolicLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function isEmptyFile(file: string): boolean {
  try {
    const stats = lstatSync(file);
    return stats.isFile() && stats.size === 0;
  } catch {
    return false;
  }
}

/** A segments/ folder made by citewise holds only seg-… folders. */
function segmentsAreOwn(indexDir: string): boolean {
  const dir = path.join(indexDir, SEGMENTS_DIR);
  if (!existsSync(dir)) return true;
  try {
    return readdirSync(dir).every((entry) => entry.startsWith("seg-"));
  } catch {
    return false;
  }
}

export interface Pointer {
  name: string;
  /** SHA-256 of the generation's manifest.json (absent in pointers written before checksums). */
  manifestSha256: string | null;
}

/** CURRENT as written by citewise, or null when it is missing, empty or holds anything else. */
export function readPointer(indexDir: string): Pointer | null {
  let text: string;
  try {
    text = readRegularFile(path.join(indexDir, CURRENT_FILE)).toString("utf8");
  } catch (error) {
    rethrowIfDenied(error, path.join(indexDir, CURRENT_FILE));
    return null;
  }
  const match = POINTER.exec(text.endsWith("\n") ? text : `${text}\n`);
  return match ? { name: match[1]!, manifestSha256: match[2] ?? null } : null;
}

/** The pointer swap that publishes a version: one atomic rename, then the folder entry is flushed. */
export function writePointer(indexDir: string, name: string, manifestSha256: string): void {
  writeFileAtomic(path.join(indexDir, CURRENT_FILE), `${name}\nmanifest sha256 ${manifestSha256}\n`);
  syncFolder(indexDir);
}

/** Generation folder names, newest first. */
export function listGenerations(indexDir: string): string[] {
  if (!existsSync(indexDir)) return [];
  return readdirSync(indexDir)
    .filter((name) => GENERATION_NAME.test(name))
    .sort((a, b) => Number(GENERATION_NAME.exec(b)![1]) - Number(GENERATION_NAME.exec(a)![1]));
}

export function createGenerationDir(indexDir: string): string {
  mkdirSync(indexDir, { recursive: true });
  const newest = listGenerations(indexDir)[0];
  const next = newest ? Number(GENERATION_NAME.exec(newest)![1]) + 1 : 1;
  const dir = path.join(indexDir, `gen-${String(next).padStart(6, "0")}`);
  mkdirSync(dir);
  return dir;
}

/**
 * Deletes the files citewise writes into `dir` (by name, and their temporary files), then the folder if
 * nothing else is left in it. Returns the entries that were kept because citewise did not write them.
 */
export function removeOwnFiles(dir: string, names: readonly string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const kept: string[] = [];
  for (const entry of entries) {
    const file = path.join(dir, entry);
    let own = names.includes(entry) || isTemporaryOf(entry, names);
    if (own) {
      try {
        own = lstatSync(file).isFile();
      } catch {
        continue;
      }
    }
    if (own) rmSync(file, { force: true });
    else kept.push(entry);
  }
  if (kept.length === 0) {
    try {
      rmdirSync(dir);
    } catch {
      // Another file appeared meanwhile: then the folder stays.
    }
  }
  return kept;
}

/** Removes generations other than `keep` (the new version and the one it replaced), keeping users' files. */
export function retireGenerations(indexDir: string, keep: Set<string>): void {
  for (const name of listGenerations(indexDir)) if (!keep.has(name)) removeOwnFiles(path.join(indexDir, name), GENERATION_FILES);
}

/**
 * The source files the current version was built from (their real paths), read synchronously: what a
 * command's output file must never replace. Empty when the folder holds no readable index.
 */
export function currentSourcePaths(indexDir: string): string[] {
  try {
    const pointer = readPointer(indexDir);
    if (!pointer) return [];
    const text = readRegularFile(path.join(indexDir, pointer.name, "records.jsonl")).toString("utf8");
    const paths = new Set<string>();
    for (const match of text.matchAll(/"path":("(?:[^"\\]|\\.)*")/g)) paths.add(JSON.parse(match[1]!) as string);
    return [...paths];
  } catch {
    return [];
  }
}
