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

/** Reads JSON Lines, naming file:line on a bad row. Missing file = no rows. */
export function readJsonLinesFile<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const rows: T[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        rows.push(JSON.parse(line) as T);
      } catch (error) {
        throw new Error(`${file}:${i + 1}: ${(error as Error).message}`);
      }
    });
  return rows;
}
