import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";

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

/** Reads a JSON file; a parse failure names the file (the index is then corrupt, not the user's input). */
export function readJsonFile<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/**
 * Reads JSON Lines, naming file:line on a bad row. Missing file = no rows. Lines are decoded one at a
 * time from the bytes: one string of the whole file would hit V8's ~512 MB string limit near 400k chunks.
 */
export function readJsonLinesFile<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const bytes = readFileSync(file);
  const rows: T[] = [];
  let start = 0;
  for (let lineNumber = 1; start < bytes.length; lineNumber++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const line = bytes.toString("utf8", start, end);
    start = end + 1;
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch (error) {
      throw new Error(`${file}:${lineNumber}: ${(error as Error).message}`);
    }
  }
  return rows;
}
