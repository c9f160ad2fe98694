import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Dirent, type Stats } from "node:fs";
import path from "node:path";
import type { SkippedRecord } from "../corpus/paper.js";
import { escapeControls } from "../corpus/controls.js";
import { decodeBytes } from "./decode.js";
import { CitewiseError } from "../errors.js";
import { settings } from "../settings.js";

const SUPPORTED_EXTENSIONS = new Set([".txt", ".md", ".jsonl", ".ndjson", ".json", ".bib", ".bibtex", ".csv", ".tsv", ".ris", ".xml", ".atom", ".rss", ""]);
/** Folders nested deeper than this are not read (a runaway or hostile tree would exhaust path length first). */
export const MAX_FOLDER_DEPTH = 64;

export class InputError extends CitewiseError {}

export interface InputFile {
  /** Absolute path with symbolic links resolved: the key that tells two sources apart. */
  path: string;
  /** As the user would write it (relative to the base folder when possible), safe to print on one line. */
  display: string;
}

export interface InputListing {
  files: InputFile[];
  /** Entries not read, with the reason (not a regular file, a link loop, too deep, unreadable folder). */
  skipped: SkippedRecord[];
  /** Real paths of the folders given as inputs: a source file gone from one of them was removed by the user. */
  folders: string[];
}

export interface ListOptions {
  baseDir?: string;
  /** Folders never read (the index itself); giving one of them, or a path inside it, as an input is an error. */
  exclude?: string[];
}

/**
 * Expands the given paths into files: folders are walked (hidden entries skipped, symbolic links followed
 * with loop protection, at most MAX_FOLDER_DEPTH levels), and only regular files are read: a FIFO or a
 * device (e.g. /dev/zero) would block or never end, so it is skipped with the reason.
 */
export function listInputFiles(inputs: string[], options: ListOptions = {}): InputListing {
  const listing: InputListing = { files: [], skipped: [], folders: [] };
  const seen = new Set<string>();
  const excluded = (options.exclude ?? []).map(realOrResolved);
  const display = (file: string) => escapeControls(options.baseDir ? path.relative(options.baseDir, path.resolve(file)) || file : file);
  const skip = (file: string, reason: string) => listing.skipped.push({ file: display(file), line: 0, reason });

  for (const input of inputs) {
    const stats = statInput(input);
    const real = realpathSync(input);
    if (excluded.some((folder) => isInside(real, folder)))
      throw new InputError(`refusing to ingest ${input}: it is the index folder (or inside it), not a source of papers`);
    if (stats.isDirectory()) {
      listing.folders.push(real);
      walk(input, real, 0);
    } else if (stats.isFile()) add(input, real);
    else skip(input, `not a regular file (${kindOf(stats)}); only regular files are read`);
  }
  return listing;

  function add(file: string, real: string) {
    if (seen.has(real)) return;
    seen.add(real);
    listing.files.push({ path: real, display: display(file) });
  }

  function walk(dir: string, realDir: string, depth: number, ancestors: Set<string> = new Set()) {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      skip(dir, `cannot read folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return;
    }
    const inside = new Set(ancestors).add(realDir);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      let stats: Stats = entry as unknown as Stats;
      let real = path.join(realDir, entry.name);
      if (entry.isSymbolicLink()) {
        try {
          stats = statSync(full);
          real = realpathSync(full);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (SUPPORTED_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) skip(full, code === "ELOOP" ? "symbolic link loop" : "broken symbolic link");
          continue;
        }
      }
      if (stats.isDirectory()) {
        if (excluded.some((folder) => isInside(real, folder))) continue; // the index folder inside a source folder
        if (inside.has(real)) {
          skip(full, "symbolic link back to a folder that contains it (loop); not followed");
          continue;
        }
        if (depth + 1 > MAX_FOLDER_DEPTH) {
          skip(full, `folder nested deeper than ${MAX_FOLDER_DEPTH} levels; not read`);
          continue;
        }
        walk(full, real, depth + 1, inside);
      } else if (SUPPORTED_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        if (stats.isFile()) add(full, real);
        else skip(full, `not a regular file (${kindOf(stats)}); only regular files are read`);
      }
    }
  }
}

function statInput(input: string): Stats {
  try {
    return statSync(input);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    let link = false;
    try {
      link = lstatSync(input).isSymbolicLink();
    } catch {
      // does not exist at all
    }
    if (link) throw new InputError(`broken symbolic link: ${input}`);
    if (code === "ENOENT" || code === "ENOTDIR") throw new InputError(`no such file or directory: ${input}`);
    throw new InputError(`cannot read ${input} (${code ?? (error as Error).message})`);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "a special file";
}

function realOrResolved(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

export function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === "" || (!relative.startsWith(`..${path.sep}`) && relative !== ".." && !path.isAbsolute(relative));
}

export type ReadResult = { ok: true; text: string; note?: string } | { ok: false; skip: SkippedRecord };

/** The size limit; CITEWISE_MAX_FILE_BYTES lowers (or raises) it, e.g. to test the refusal without a 512 MB file. */
export function maxFileBytes(): number {
  return settings().ingest.maxFileBytes;
}

/**
 * Reads a regular file, at most `limit` bytes: opened without blocking (a file swapped for a FIFO after
 * listing cannot hang the ingest) and checked again once open; a file that grows past the limit while it
 * is read is refused, not read forever.
 */
export function readRegularFile(file: string, limit = maxFileBytes()): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, reason: `cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { ok: false, reason: `not a regular file (${kindOf(stats)}); only regular files are read` };
    if (stats.size > limit) return { ok: false, reason: `file too large (${stats.size} bytes, limit ${limit})` };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(stats.size - total + 1, 64 * 1024), 16 * 1024 * 1024));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      total += read;
      if (total > limit) return { ok: false, reason: `file too large (over ${limit} bytes)` };
      chunks.push(read === chunk.length ? chunk : chunk.subarray(0, read));
    }
    return { ok: true, bytes: Buffer.concat(chunks, total) };
  } catch (error) {
    return { ok: false, reason: `cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  } finally {
    closeSync(fd);
  }
}

/** Reads a file as text (see decodeBytes); unreadable, too large, empty, binary and non-regular files become a skip. */
export function readTextFile(file: string, displayName = file): ReadResult {
  const skip = (reason: string): ReadResult => ({ ok: false, skip: { file: displayName, line: 0, reason } });
  const read = readRegularFile(file);
  if (!read.ok) return skip(read.reason);
  if (read.bytes.length === 0) return skip("empty file");
  const decoded = decodeBytes(read.bytes);
  return decoded.ok ? decoded : skip(decoded.reason);
}
