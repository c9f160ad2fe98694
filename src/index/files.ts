import { closeSync, fsyncSync, openSync, renameSync, writeFileSync, writeSync } from "node:fs";

/** Writes a file so that readers see either the old or the new content, never a torn write. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  const fd = openSync(temporary, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** JSON Lines writer that streams rows to disk instead of building one giant string. */
export function writeJsonLines(file: string, rows: Iterable<unknown>): void {
  const fd = openSync(file, "w");
  try {
    let buffer = "";
    for (const row of rows) {
      buffer += `${JSON.stringify(row)}\n`;
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = "";
      }
    }
    if (buffer) writeSync(fd, buffer);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
