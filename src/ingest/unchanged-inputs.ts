import { createHash } from "node:crypto";
import { closeSync, existsSync, fstatSync, openSync, readSync, rmSync } from "node:fs";
import path from "node:path";
import type { IndexManifest } from "../index/manifest.js";
import { readRegularFile, writeFileAtomic } from "../index/files.js";
import { INPUTS_FILE } from "../index/local/layout.js";
import type { FileReport, ParsedInputs } from "./parse-files.js";
import { listInputFiles } from "./read-source.js";

/**
 * What the last ingest into a local index read, saved next to its versions (INPUTS_FILE): every source file's
 * size, mtime and SHA-256 (size and hash decide), the options that shape the records, and which published version it produced.
 * When a later ingest of the same inputs finds all of it unchanged, it knows the outcome (nothing to publish)
 * without parsing, merging or loading the index: the proportional re-ingest of issue 17.
 */
const STATE_VERSION = 1;

interface FileStamp {
  path: string;
  bytes: number;
  mtimeMs: number;
  sha256: string;
}

interface InputsState {
  stateVersion: number;
  /** Inputs, format, embedder: the same files read another way give other records. */
  key: string;
  /** SHA-256 of the manifest of the version this ingest left current. */
  version: string;
  /** The source files (or, for records parsed elsewhere, one digest of them). */
  files: FileStamp[] | null;
  parsedSha256: string | null;
  /** What the report shows, as the last ingest saw it. */
  report: { files: FileReport[]; skipped: ParsedInputs["skipped"]; paperIds: string[]; chunks: number; duplicatesMerged: number };
}

export interface InputsFingerprint {
  key: string;
  files: FileStamp[] | null;
  parsedSha256: string | null;
}

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Identity of a published version: each publish stamps a new updatedAt. */
function versionOf(manifest: IndexManifest): string {
  const { createdAt, updatedAt, counts, embedder, textVersion, formatVersion } = manifest;
  return sha256(JSON.stringify({ createdAt, updatedAt, counts, embedder, textVersion, formatVersion }));
}

/** Size, mtime and content hash of each input file, taken before parsing (a file edited meanwhile then differs next time). */
export function fingerprintInputs(
  inputs: string[],
  options: { parsed?: ParsedInputs; format?: string; baseDir?: string; exclude?: string[]; embedder: string },
): InputsFingerprint {
  const key = sha256(
    JSON.stringify({ inputs: options.parsed ? [] : inputs.map((input) => path.resolve(input)), format: options.format ?? null, embedder: options.embedder }),
  );
  if (options.parsed) {
    const hash = createHash("sha256");
    // The same bytes as one update per record, handed over a megabyte at a time (100k small updates cost more).
    let pending = "";
    for (const record of options.parsed.records) {
      pending += `${JSON.stringify(record)}\n`;
      if (pending.length > 1 << 20) {
        hash.update(pending);
        pending = "";
      }
    }
    hash.update(pending);
    hash.update(JSON.stringify([options.parsed.skipped, options.parsed.files, options.parsed.folders]));
    return { key, files: null, parsedSha256: hash.digest("hex") };
  }
  const listing = listInputFiles(inputs, { baseDir: options.baseDir, exclude: options.exclude });
  const files = listing.files.map(({ path: file }) => stampOf(file));
  // Entries the listing could not read (and the folders walked) are part of what was read.
  return { key: sha256(`${key}\n${JSON.stringify([listing.folders, listing.skipped])}`), files, parsedSha256: null };
}

function stampOf(file: string): FileStamp {
  // Stat and hash the same open file; an unreadable file gets an empty hash (then the full ingest reports it).
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return { path: file, bytes: -1, mtimeMs: -1, sha256: "" };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { path: file, bytes: -1, mtimeMs: -1, sha256: "" };
    const hash = createHash("sha256");
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
    return { path: file, bytes: stats.size, mtimeMs: stats.mtimeMs, sha256: hash.digest("hex") };
  } finally {
    closeSync(fd);
  }
}

function readState(indexDir: string): InputsState | null {
  const file = path.join(indexDir, INPUTS_FILE);
  if (!existsSync(file)) return null;
  try {
    const state = JSON.parse(readRegularFile(file).toString("utf8")) as InputsState;
    return state.stateVersion === STATE_VERSION ? state : null;
  } catch {
    // Damaged or unreadable: only an optimisation is lost (the full ingest runs and rewrites it).
    return null;
  }
}

/**
 * The last ingest's report when these inputs (paths, sizes, SHA-256) and the current version are exactly what
 * it saw; otherwise null. Called under the writer lock.
 */
export function unchangedSince(indexDir: string, manifest: IndexManifest | null, fingerprint: InputsFingerprint): InputsState["report"] | null {
  if (!manifest) return null;
  const state = readState(indexDir);
  if (!state || state.key !== fingerprint.key || state.version !== versionOf(manifest)) return null;
  if (state.parsedSha256 !== fingerprint.parsedSha256) return null;
  // Path, size and content decide: a file touched (copied, checked out again) but not edited reads the same.
  const content = (files: FileStamp[] | null) => JSON.stringify(files?.map(({ path: file, bytes, sha256 }) => [file, bytes, sha256]) ?? null);
  if (content(state.files) !== content(fingerprint.files)) return null;
  // New mtimes are recorded, so the saved stamps stay what the files are.
  if (JSON.stringify(state.files) !== JSON.stringify(fingerprint.files)) saveInputsState(indexDir, manifest, fingerprint, state.report);
  return state.report;
}

/** Saved under the writer lock after an ingest completed (atomic write; losing it only costs a full ingest next time). */
export function saveInputsState(indexDir: string, manifest: IndexManifest | null, fingerprint: InputsFingerprint, report: InputsState["report"]): void {
  const file = path.join(indexDir, INPUTS_FILE);
  if (!manifest) {
    rmSync(file, { force: true });
    return;
  }
  const state: InputsState = {
    stateVersion: STATE_VERSION,
    key: fingerprint.key,
    version: versionOf(manifest),
    files: fingerprint.files,
    parsedSha256: fingerprint.parsedSha256,
    report,
  };
  try {
    writeFileAtomic(file, `${JSON.stringify(state)}\n`);
  } catch {
    // A full disk or a denied write loses only the shortcut; the version just published stands.
    rmSync(file, { force: true });
  }
}
