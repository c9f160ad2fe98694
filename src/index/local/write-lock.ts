import { randomBytes } from "node:crypto";
import { linkSync, lstatSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { readRegularFile } from "../files.js";
import os from "node:os";
import path from "node:path";
import { IndexLockedError } from "../storage.js";
import { LOCK_FILE } from "./layout.js";

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  /** Random per acquisition: release() removes a LOCK only if it still carries this token. */
  token: string;
  /** The owner's process start time (Linux), so a reused pid does not pass for a live owner. */
  processStart?: string | null;
}

export { LOCK_FILE };

/** A LOCK whose content cannot be read yet is taken for stale only after this long (its writer may be mid-way). */
const UNREADABLE_GRACE_MS = 10_000;

export interface WriteLock {
  tookOverFrom: LockOwner | null;
  /** True while LOCK is still this acquisition's (same file, same token). */
  stillHeld(): boolean;
  /** Removes LOCK if it is still ours; never someone else's. */
  release(): void;
}

/**
 * One writer per index folder. LOCK is created atomically *with* its content (written to a private
 * temporary file, then hard-linked into place, which fails if LOCK exists), so no other process ever sees
 * an empty lock and takes it for stale. A lock left by a process that is gone (same host, pid not running,
 * or running with another start time) is taken over: it is renamed aside and checked to be the very file
 * that was judged stale before it is deleted. release() deletes LOCK only if it still carries our token.
 */
export function acquireWriteLock(indexDir: string): WriteLock {
  const file = path.join(indexDir, LOCK_FILE);
  assertLockIsFile(file);
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(12).toString("hex"),
    processStart: processStartTime(process.pid),
  };
  let tookOverFrom: LockOwner | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(file, owner)) {
      const inode = statSync(file).ino;
      const stillHeld = () => {
        try {
          return statSync(file).ino === inode && readOwner(file)?.token === owner.token;
        } catch {
          return false;
        }
      };
      let released = false;
      return {
        tookOverFrom,
        stillHeld,
        release() {
          if (released) return;
          released = true;
          if (stillHeld()) rmSync(file, { force: true });
        },
      };
    }
    const seen = inspect(file);
    if (!seen) continue; // released between our attempt and the look: try again
    if (!seen.stale) {
      const holder = seen.owner;
      throw new IndexLockedError(
        holder
          ? `another citewise ingest (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}) is writing ${indexDir}; wait for it to finish, or delete ${file} if that process is gone`
          : `another citewise process is taking the lock of ${indexDir} right now; try again in a moment`,
      );
    }
    if (takeOver(file, seen.inode)) tookOverFrom = seen.owner;
  }
  throw new IndexLockedError(`could not lock ${indexDir}: other processes keep taking ${file}; try again`);
}

function assertLockIsFile(file: string): void {
  try {
    const stats = lstatSync(file);
    if (!stats.isFile())
      throw new IndexLockedError(
        `${file} is ${stats.isDirectory() ? "a folder" : "not a regular file"}, not citewise's lock; remove it and run the command again`,
      );
  } catch (error) {
    if (error instanceof IndexLockedError) throw error;
    // ENOENT: no lock yet. Anything else surfaces when the lock is created.
  }
}

/** Creates LOCK with its content in one step; false when it already exists. */
function create(file: string, owner: LockOwner): boolean {
  const temporary = `${file}.${process.pid}.${owner.token.slice(0, 8)}.tmp`;
  writeFileSync(temporary, JSON.stringify(owner), { flag: "wx" });
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    // File systems without hard links (some network and FUSE mounts): exclusive create, content right after.
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") return createExclusive(file, owner);
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function createExclusive(file: string, owner: LockOwner): boolean {
  try {
    writeFileSync(file, JSON.stringify(owner), { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function inspect(file: string): { owner: LockOwner | null; stale: boolean; inode: number } | null {
  let stats: import("node:fs").Stats;
  try {
    stats = statSync(file);
  } catch {
    return null;
  }
  const owner = readOwner(file);
  // Unreadable content: a writer without hard links is between create and write; old and unreadable: a crash.
  if (!owner) return { owner: null, stale: Date.now() - stats.mtimeMs > UNREADABLE_GRACE_MS, inode: stats.ino };
  return { owner, stale: isStale(owner), inode: stats.ino };
}

/** Moves the stale LOCK aside; if what was moved is not the file judged stale, it is put back untouched. */
function takeOver(file: string, staleInode: number): boolean {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    renameSync(file, aside);
  } catch {
    return false; // someone else moved or released it: just try to create again
  }
  if (statSync(aside).ino === staleInode) {
    unlinkSync(aside);
    return true;
  }
  // A live owner's fresh lock was caught in the window: restore it (link fails only if a third lock appeared).
  try {
    linkSync(aside, file);
  } catch {
    // Nothing better to do than leave it aside with a recognisable name; the owner's stillHeld() turns false.
  }
  rmSync(aside, { force: true });
  return false;
}

function readOwner(file: string): LockOwner | null {
  try {
    const owner = JSON.parse(readRegularFile(file).toString("utf8")) as LockOwner;
    return typeof owner.pid === "number" && typeof owner.host === "string" ? owner : null;
  } catch {
    return null;
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return false; // can't check another machine's processes: respect it
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  // The pid runs, but a process started after the lock was taken is a different process with a reused pid.
  const start = processStartTime(owner.pid);
  return Boolean(owner.processStart && start && start !== owner.processStart);
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); null where /proc is not available. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}
