import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  closeSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  type Stats,
} from "node:fs";
import path from "node:path";
import { describeFsError, writeAll } from "../index/files.js";
import { isInside } from "../ingest/read-source.js";
import { redactKnownSecrets } from "../llm/redact.js";
import { stripTerminalControls } from "../corpus/controls.js";
import { UserError } from "./errors.js";

/** What a command may do with the file it writes (--out, --bib-out, summarize --map, eval --out, chat /export). */
export interface OutputPolicy {
  /** An existing file may be replaced: the user named it (--out FILE) or said --force. */
  overwrite: boolean;
  /** Said when an existing file is not replaced, e.g. "pass --force to replace it". */
  overwriteHint?: string;
  /** Files the command reads (--bib, eval suites): never written to. */
  inputs?: string[];
  /** The local index folder: nothing is written inside it. */
  indexDir?: string | null;
  /** The files the index was built from (the user's library): never replaced. Read only when the target exists. */
  indexSources?: () => string[];
}

type Target =
  | { kind: "new"; path: string }
  | { kind: "file"; path: string; stats: Stats }
  /** A terminal, pipe or device such as /dev/null: written to as it is, never replaced. */
  | { kind: "stream"; path: string }
  /** /dev/stdout, /dev/fd/3, /proc/self/fd/1 (or a link to one): this process's own open descriptor. */
  | { kind: "descriptor"; path: string; fd: number };

/** Paths that stand for one of this process's open descriptors: written through the descriptor, never opened or replaced. */
const DESCRIPTOR_PATH = /^\/(?:dev\/(?:fd\/(\d+)|(stdout)|(stderr))|proc\/(?:self|(\d+))\/fd\/(\d+))$/;

function descriptorOf(file: string): number | null {
  const match = DESCRIPTOR_PATH.exec(file);
  if (!match) return null;
  const [, devFd, stdout, stderr, pid, procFd] = match;
  if (pid !== undefined && Number(pid) !== process.pid) return null; // another process's descriptor: an ordinary path
  if (stdout) return 1;
  if (stderr) return 2;
  return Number(devFd ?? procFd);
}

/**
 * Checks where `file` would be written, without writing: a one-line UserError for a folder, a block device,
 * a socket, an input file of the command, a path inside the index folder, or an existing file that may not
 * be replaced. Commands call it before doing the work, so a mistake costs nothing.
 */
export function checkOutputTarget(file: string, policy: OutputPolicy): Target {
  if (!file.trim()) throw new UserError("the output file name is empty");
  // "-" is standard output, as for every Unix tool: never a file named "-".
  if (file === "-") return { kind: "descriptor", path: "standard output", fd: 1 };
  const resolved = path.resolve(file);
  const fd = descriptorOf(resolved);
  if (fd !== null) return { kind: "descriptor", path: resolved, fd };
  const target = resolveTarget(file, resolved);
  if (target.kind === "descriptor") return target;
  // A pipe or device inside the index is refused too: nothing the CLI writes lands there.
  const real = target.kind === "file" ? target.path : target.kind === "stream" ? realOrSelf(target.path) : realNewPath(target.path);
  if (policy.indexDir && isInside(real, realOrSelf(policy.indexDir))) {
    throw new UserError(`${file} is inside the index folder ${policy.indexDir}; write it somewhere else (the index holds only citewise's own files)`);
  }
  for (const input of policy.inputs ?? []) {
    if (sameFile(input, real))
      throw new UserError(`${file} is also an input of this command (${input}); choose another output file so the input is not overwritten`);
  }
  if (target.kind === "stream") return target;
  if (target.kind === "file") {
    const source = (policy.indexSources?.() ?? []).find((input) => sameFile(input, real));
    if (source)
      throw new UserError(`${file} is one of the files your index was built from (${source}); choose another output file so your library is not overwritten`);
  }
  if (target.kind === "file" && !policy.overwrite) {
    throw new UserError(`${file} already exists and was not replaced; ${policy.overwriteHint ?? "pass --force to replace it"}`);
  }
  return target;
}

/**
 * True when two checked targets are one file however they are spelled (a link, a hard link, "./x"), so a
 * command writing both would lose the first. Devices, pipes and descriptors may take both: nothing is replaced there.
 */
export function sameDestination(a: Target, b: Target): boolean {
  if (a.kind === "stream" || b.kind === "stream" || a.kind === "descriptor" || b.kind === "descriptor") return false;
  if (a.kind === "file" && b.kind === "file") return a.stats.dev === b.stats.dev && a.stats.ino === b.stats.ino;
  return realNewPath(a.path) === realNewPath(b.path);
}

function realNewPath(file: string): string {
  return path.join(realOrSelf(path.dirname(file)), path.basename(file));
}

/**
 * Writes a document the user asked for, after checkOutputTarget. A regular file is replaced in one step (a
 * temporary file beside it, then a rename) keeping its mode and owner, so a failure leaves the previous file;
 * a file with other hard links is rewritten in place so the links keep seeing it; a symlink is followed;
 * terminals, pipes and devices such as /dev/null are written to directly and never replaced.
 * Text is cleaned of terminal controls and secrets, as everything printed is.
 */
export function writeOutputFile(file: string, text: string, policy: OutputPolicy): string {
  const target = checkOutputTarget(file, policy);
  const content = redactKnownSecrets(stripTerminalControls(text));
  try {
    if (target.kind === "descriptor") writeDescriptor(target.fd, content);
    else if (target.kind === "stream") writeDirect(target.path, content);
    else if (target.kind === "file" && target.stats.nlink > 1) rewriteInPlace(target.path, content);
    else replaceAtomically(target.path, content, target.kind === "file" ? target.stats : null);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot write ${file}: ${describeFsError(error)}`);
  }
  return target.path;
}

function resolveTarget(file: string, resolved: string): Target {
  let link: Stats;
  try {
    link = lstatSync(resolved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      assertParentFolder(file, resolved);
      return { kind: "new", path: resolved };
    }
    throw new UserError(`cannot write ${file}: ${describeFsError(error)}`);
  }
  let stats = link;
  if (link.isSymbolicLink()) {
    // A link to /dev/stdout or /proc/self/fd/1 stands for an open descriptor (maybe a redirected file, a socket).
    for (const hop of linkHops(resolved)) {
      const fd = descriptorOf(hop);
      if (fd !== null) return { kind: "descriptor", path: resolved, fd };
    }
    try {
      stats = statSync(resolved);
    } catch {
      // A dangling link: the file it names is created, as a shell's ">" would.
      const pointed = danglingTarget(resolved);
      assertParentFolder(file, pointed);
      return { kind: "new", path: pointed };
    }
    if (stats.isFile()) return { kind: "file", path: realpathSync(resolved), stats };
  }
  if (stats.isFile()) return { kind: "file", path: resolved, stats };
  if (stats.isCharacterDevice() || stats.isFIFO()) return { kind: "stream", path: resolved };
  if (stats.isDirectory()) throw new UserError(`${file} is a folder; give a file name`);
  if (stats.isBlockDevice()) throw new UserError(`${file} is a block device; citewise writes documents only to files, terminals and pipes`);
  throw new UserError(`${file} is a socket or other special file; give a file name`);
}

/** The paths a chain of symbolic links passes through (at most 40 hops). */
function linkHops(link: string): string[] {
  const hops: string[] = [];
  let current = link;
  for (let hop = 0; hop < 40; hop++) {
    try {
      if (!lstatSync(current).isSymbolicLink()) break;
      current = path.resolve(path.dirname(current), readlinkSync(current, "utf8"));
    } catch {
      break;
    }
    hops.push(current);
  }
  return hops;
}

function danglingTarget(link: string): string {
  let current = link;
  for (let hops = 0; hops < 40; hops++) {
    let stats: Stats;
    try {
      stats = lstatSync(current);
    } catch {
      return current;
    }
    if (!stats.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), readlinkSync(current, "utf8"));
  }
  throw new UserError(`${link}: too many levels of symbolic links`);
}

function assertParentFolder(file: string, resolved: string): void {
  const parent = path.dirname(resolved);
  let stats: Stats;
  try {
    stats = statSync(parent);
  } catch {
    throw new UserError(`cannot write ${file}: the folder ${parent} does not exist`);
  }
  if (!stats.isDirectory()) throw new UserError(`cannot write ${file}: ${parent} is not a folder`);
}

function realpathSafe(file: string): string | null {
  try {
    return realpathSync(file);
  } catch {
    return null;
  }
}

function realOrSelf(file: string): string {
  return realpathSafe(path.resolve(file)) ?? path.resolve(file);
}

function sameFile(input: string, output: string): boolean {
  try {
    const a = statSync(input);
    const b = statSync(output);
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return realOrSelf(input) === output;
  }
}

/** stdout and stderr go through their streams (so the text keeps its place among what is printed). */
function writeDescriptor(fd: number, content: string): void {
  if (fd === 1) process.stdout.write(content);
  else if (fd === 2) process.stderr.write(content);
  else writeAll(fd, content);
}

function writeDirect(file: string, content: string): void {
  const fd = openSync(file, "w");
  try {
    writeAll(fd, content);
  } finally {
    closeSync(fd);
  }
}

/** Hard-linked files: truncate and write the same inode; if that fails part-way, the old bytes are put back. */
function rewriteInPlace(file: string, content: string): void {
  const previous = readFileSync(file);
  const fd = openSync(file, "r+");
  try {
    try {
      ftruncateSync(fd, 0);
      writeAll(fd, content, 0);
    } catch (error) {
      ftruncateSync(fd, 0);
      writeAll(fd, previous, 0);
      throw error;
    }
  } finally {
    closeSync(fd);
  }
}

function replaceAtomically(file: string, content: string, previous: Stats | null): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let fd: number;
  try {
    fd = openSync(temporary, "wx", previous ? previous.mode & 0o7777 : 0o666);
  } catch (error) {
    // A folder the user may not create files in, but a file they may write: write that file in place.
    const code = (error as NodeJS.ErrnoException).code;
    if (previous && (code === "EACCES" || code === "EPERM" || code === "EROFS")) {
      rewriteInPlace(file, content);
      return;
    }
    throw error;
  }
  try {
    try {
      writeAll(fd, content);
      if (previous) {
        // The mode given to open() is filtered by the umask; the file keeps exactly the mode it had.
        chmodSync(temporary, previous.mode & 0o7777);
        if (fstatSync(fd).uid !== previous.uid || fstatSync(fd).gid !== previous.gid) {
          try {
            chownSync(temporary, previous.uid, previous.gid);
          } catch {
            // Only root may give a file away; the owner then becomes the writer, as with any editor.
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
