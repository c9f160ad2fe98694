import { CitewiseError } from "../errors.js";

/** A line of a JSON Lines file that is not JSON, named by file:line. */
export class JsonLinesError extends CitewiseError {}

export interface JsonLine<T> {
  value: T;
  /** 1-based. */
  line: number;
}

/**
 * The one JSON Lines reader: index files, eval suites and fixtures, BEIR datasets, bench caches and the
 * ingest parser all use it. Bytes are decoded one line at a time (one string of a whole index file would
 * hit V8's ~512 MB string limit near 400k chunks); text is split on \n, \r\n or \r (a raw CR cannot occur
 * inside a JSON string). Blank lines are skipped. A bad line throws JsonLinesError, unless `onBadLine`
 * takes it (the ingest parser skips and reports it).
 */
export function readJsonLines<T>(input: string | Uint8Array, file: string, onBadLine?: (line: number, message: string) => void): Array<JsonLine<T>> {
  const rows: Array<JsonLine<T>> = [];
  const take = (text: string, line: number) => {
    const trimmed = text.trim();
    if (!trimmed) return;
    try {
      rows.push({ value: JSON.parse(trimmed) as T, line });
    } catch (error) {
      const message = (error as Error).message;
      if (onBadLine) onBadLine(line, message);
      else throw new JsonLinesError(`${file}:${line}: ${message}`);
    }
  };
  if (typeof input === "string") {
    input.split(/\r\n|\r|\n/).forEach((text, i) => {
      take(text, i + 1);
    });
    return rows;
  }
  const buffer = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let start = 0;
  for (let line = 1; start < buffer.length; line++) {
    let end = buffer.indexOf(0x0a, start);
    if (end === -1) end = buffer.length;
    take(buffer.toString("utf8", start, end), line);
    start = end + 1;
  }
  return rows;
}

/** Just the values (for files whose line numbers nobody needs once they parse). */
export function readJsonLineValues<T>(input: string | Uint8Array, file: string): T[] {
  return readJsonLines<T>(input, file).map((row) => row.value);
}
