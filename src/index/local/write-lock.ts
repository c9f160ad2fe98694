import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { IndexLockedError } from "../storage.js";


interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export const LOCK_FILE = "LOCK";

/**
 * One writer per index folder: the LOCK file is created exclusively (O_EXCL) and removed when the
 * ingest ends. A lock left by a killed process (same host, pid gone) is taken over, so a crash never
 * blocks the next run; a live owner makes the second ingest fail at once instead of corrupting the index.
 */
export function acquireWriteLock(indexDir: string): { release(): void; tookOverFrom: LockOwner | null } {
  const file = path.join(indexDir, LOCK_FILE);
  let tookOverFrom: LockOwner | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      const owner: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      let released = false;
      return {
        tookOverFrom,
        release() {
          if (released) return;
          released = true;
          rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readOwner(file);
      if (owner && !isStale(owner)) {
        throw new IndexLockedError(
          `another citewise ingest (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}) is writing ${indexDir}; ` +
            `wait for it to finish, or delete ${file} if that process is gone`,
        );
      }
      tookOverFrom = owner;
      rmSync(file, { force: true });
    }
  }
  throw new IndexLockedError(`could not lock ${indexDir}: another process keeps creating ${file}`);
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockOwner;
  } catch {
    // Unreadable or half-written (the writer died between create and write): treat as stale.
    return null;
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return false; // can't check another machine's processes: respect it
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
