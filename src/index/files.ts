import { createHash } from "node:crypto";
import zlib from "node:zlib";
import { closeSync, constants, fstatSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { CitewiseError } from "../errors.js";
import { settings } from "../settings.js";

/**
 * Size, SHA-256 and CRC-32 of a file as written: recorded at publish, checked at load (silent damage is found,
 * not served). Loads check the CRC-32 when one was recorded: it finds the same accidental damage (flipped bits,
 * torn or truncated writes) ~3x faster than SHA-256, which is most of the time a 100k-chunk index takes to open.
 */
export interface FileSum {
  bytes: number;
  sha256: string;
  crc32?: number;
}

// zlib.crc32 arrived in Node 20.15; on older releases sums carry no CRC and loads check SHA-256.
const crc32: ((data: Uint8Array) => number) | undefined = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export function sumOf(content: string | Uint8Array): FileSum {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const sum: FileSum = { bytes: bytes.byteLength, sha256: createHash("sha256").update(bytes).digest("hex") };
  if (crc32) sum.crc32 = crc32(bytes);
  return sum;
}

export function sameSum(bytes: Uint8Array, expected: FileSum): boolean {
  if (bytes.byteLength !== expected.bytes) return false;
  if (crc32 && typeof expected.crc32 === "number") return crc32(bytes) === expected.crc32;
  return createHash("sha256").update(bytes).digest("hex") === expected.sha256;
}

/**
 * Reads a file of the index only if it is a regular file: a FIFO or device put in place of one (by accident
 * or on purpose) would block the read forever, holding the lock. Opened non-blocking, checked, then read.
 */
export function readRegularFile(file: string): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: "ENOTREGULAR", syscall: "read", path: file });
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A file of the index this user may not read: not damage, so no repair is offered (it could not help). */
export class IndexUnreadableError extends CitewiseError {}

/** In a catch that would treat a failed read as damage: a permission problem is reported as what it is. */
export function rethrowIfDenied(error: unknown, file: string): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM")
    throw new IndexUnreadableError(
      `cannot read ${file}: ${describeFsError(error)}; ask the index's owner for read access, or use an index of your own (--index)`,
    );
}

/** Temporary files citewise writes beside a target: "<name>.<pid>.tmp" (and "<name>.<pid>.<hex>.tmp"). */
export function isTemporaryOf(entry: string, names: readonly string[]): boolean {
  const match = /^(.+)\.\d+(\.[0-9a-f]+)?\.tmp$/.exec(entry);
  return match !== null && names.includes(match[1]!);
}

/**
 * Fault injection for the disk-full tests: with CITEWISE_FAIL_WRITES_AFTER=<bytes>, index writes fail with
 * ENOSPC once that many bytes were written by this process (as a full disk would fail them).
 */
let written = 0;
export function chargeWrite(bytes: number, file: string): void {
  const limit = settings().faults.failWritesAfter;
  if (limit === undefined) return;
  written += bytes;
  if (written > limit) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: "ENOSPC", syscall: "write", path: file });
}

/** Writes a file so that readers see either the old or the new content, never a torn write. */
export function writeFileAtomic(file: string, content: string | Uint8Array): FileSum {
  const temporary = `${file}.${process.pid}.tmp`;
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  try {
    const fd = openSync(temporary, "w");
    try {
      chargeWrite(bytes.byteLength, temporary);
      writeAll(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return sumOf(bytes);
}

/** Flushes a rename or a new entry in a folder to disk, so a power cut cannot undo a published pointer. */
export function syncFolder(folder: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(folder, "r");
    fsyncSync(fd);
  } catch {
    // Not every file system lets a folder be opened or synced (e.g. some network mounts); rename is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Writes every byte (writeSync may write fewer than asked), at `position` or at the file's offset. */
export function writeAll(fd: number, content: string | Uint8Array, position?: number): void {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  for (let offset = 0; offset < bytes.byteLength; )
    offset += writeSync(fd, bytes, offset, bytes.byteLength - offset, position === undefined ? null : position + offset);
}

/** JSON Lines writer that streams rows to disk instead of building one giant string; returns what it wrote. */
export function writeJsonLines(file: string, rows: Iterable<unknown>): FileSum {
  const fd = openSync(file, "w");
  const hash = createHash("sha256");
  let total = 0;
  const flush = (text: string) => {
    const bytes = Buffer.from(text, "utf8");
    chargeWrite(bytes.byteLength, file);
    writeAll(fd, bytes);
    hash.update(bytes);
    total += bytes.byteLength;
  };
  try {
    let buffer = "";
    for (const row of rows) {
      buffer += `${JSON.stringify(row)}\n`;
      if (buffer.length > 1 << 20) {
        flush(buffer);
        buffer = "";
      }
    }
    if (buffer) flush(buffer);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { bytes: total, sha256: hash.digest("hex") };
}

/** "no space left on device (ENOSPC)", "permission denied (EACCES)" … */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOSPC: "no space left on device",
    EDQUOT: "disk quota exceeded",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOENT: "no such file or folder",
    ENOTDIR: "a part of the path is not a folder",
    EISDIR: "is a folder",
    ENAMETOOLONG: "name too long",
    ELOOP: "too many levels of symbolic links",
    EMFILE: "too many open files",
    EIO: "input/output error",
    ENOTREGULAR: "not a regular file (a pipe, device or socket is in its place)",
  };
  return code ? `${known[code] ?? (error as Error).message} (${code})` : (error as Error).message;
}
