import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, type Stats, statSync } from "node:fs";
import { chargeWrite, describeFsError, type FileSum, rethrowIfDenied, writeAll } from "../files.js";
import { DamagedFileError, IndexChangedError } from "../storage.js";

/**
 * A JSON Lines file of the index read one row at a time: lookup.json records each row's length and a sum of
 * every fixed-size block, so a query parses only the rows it uses and checks only the blocks they lie in.
 * Damage is still found before a row is used (never served), just not in rows nobody reads.
 */
export const ROW_BLOCK_BYTES = 1 << 16;

/** What the writer records about a row file (stored in lookup.json). */
export interface RowFileTable {
  /** Byte length of each line, its newline included. */
  lengths: number[];
  /** Truncated SHA-256 (hex) of each ROW_BLOCK_BYTES block of the file. */
  blocks: string[];
}

const blockSum = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex").slice(0, 32);

/** Writes rows as JSON Lines (streamed), returning the file's sum and its row table. */
export function writeRowFile(file: string, rows: Iterable<unknown>): { sum: FileSum; table: RowFileTable } {
  const fd = openSync(file, "w");
  const whole = createHash("sha256");
  const lengths: number[] = [];
  const blocks: string[] = [];
  let block = createHash("sha256");
  let inBlock = 0;
  let total = 0;
  const hashBlocks = (bytes: Buffer) => {
    for (let at = 0; at < bytes.length; ) {
      const take = Math.min(ROW_BLOCK_BYTES - inBlock, bytes.length - at);
      block.update(bytes.subarray(at, at + take));
      inBlock += take;
      at += take;
      if (inBlock === ROW_BLOCK_BYTES) {
        blocks.push(block.digest("hex").slice(0, 32));
        block = createHash("sha256");
        inBlock = 0;
      }
    }
  };
  const flush = (text: string) => {
    const bytes = Buffer.from(text, "utf8");
    chargeWrite(bytes.byteLength, file);
    writeAll(fd, bytes);
    whole.update(bytes);
    hashBlocks(bytes);
    total += bytes.byteLength;
  };
  try {
    let buffer = "";
    for (const row of rows) {
      const line = `${JSON.stringify(row)}\n`;
      lengths.push(Buffer.byteLength(line, "utf8"));
      buffer += line;
      if (buffer.length > 1 << 20) {
        flush(buffer);
        buffer = "";
      }
    }
    if (buffer) flush(buffer);
    if (inBlock > 0) blocks.push(block.digest("hex").slice(0, 32));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { sum: { bytes: total, sha256: whole.digest("hex") }, table: { lengths, blocks } };
}

/** Descriptors of row files never closed (a snapshot dropped without close()) are released when it is collected. */
const unclosed = new FinalizationRegistry<{ fd: number | null }>((handle) => {
  if (handle.fd !== null) closeSync(handle.fd);
});

/**
 * One row file read on demand. Opening only checks what lookup.json says of it (size, a regular file); the
 * descriptor is taken at the first row read and held, so a version retired meanwhile stays readable.
 */
export class RowFile {
  private readonly offsets: Float64Array;
  private readonly verified: Uint8Array;
  private readonly handle: { fd: number | null } = { fd: null };

  /** Throws DamagedFileError when the file is not what lookup.json describes (size, a pipe in its place…). */
  constructor(
    private readonly full: string,
    private readonly label: string,
    private readonly table: RowFileTable,
    private readonly expectedBytes: number | undefined,
    private readonly hint: string,
  ) {
    this.offsets = new Float64Array(table.lengths.length + 1);
    for (let i = 0; i < table.lengths.length; i++) this.offsets[i + 1] = this.offsets[i]! + table.lengths[i]!;
    this.verified = new Uint8Array(table.blocks.length);
    let stats: Stats;
    try {
      stats = statSync(full);
    } catch (error) {
      rethrowIfDenied(error, full);
      throw new DamagedFileError(label, `cannot read ${full} (${describeFsError(error)}); ${hint}`);
    }
    this.check(stats);
    unclosed.register(this, this.handle, this.handle);
  }

  private check(stats: Stats): void {
    if (!stats.isFile()) throw new DamagedFileError(this.label, `cannot read ${this.full} (${describeFsError({ code: "ENOTREGULAR" })}); ${this.hint}`);
    const size = this.offsets[this.count]!;
    if (
      stats.size !== size ||
      (this.expectedBytes !== undefined && size !== this.expectedBytes) ||
      this.table.blocks.length !== Math.ceil(size / ROW_BLOCK_BYTES)
    )
      throw this.damaged();
  }

  private open(): number {
    let fd: number;
    try {
      fd = openSync(this.full, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      rethrowIfDenied(error, this.full);
      // It was there when the index was opened: newer ingests retired this version meanwhile (not damage).
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        throw new IndexChangedError(`${this.full} was removed while this command ran (newer versions of the index were published); run the command again`);
      throw new DamagedFileError(this.label, `cannot read ${this.full} (${describeFsError(error)}); ${this.hint}`);
    }
    try {
      this.check(fstatSync(fd));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return fd;
  }

  get count(): number {
    return this.table.lengths.length;
  }

  private damaged(detail = "its checksum does not match the one recorded when it was written"): DamagedFileError {
    return new DamagedFileError(this.label, `${this.full} is damaged (${detail}); ${this.hint}`);
  }

  /** Row i parsed, after the blocks it lies in were checked. */
  row(i: number): unknown {
    // Also after close(): opened again (the blocks' sums still vouch for what is read).
    this.handle.fd ??= this.open();
    const fd = this.handle.fd;
    const start = this.offsets[i]!;
    const end = this.offsets[i + 1]!;
    const first = Math.floor(start / ROW_BLOCK_BYTES);
    const last = Math.floor((end - 1) / ROW_BLOCK_BYTES);
    const from = first * ROW_BLOCK_BYTES;
    const bytes = Buffer.alloc(Math.min((last + 1) * ROW_BLOCK_BYTES, this.offsets[this.count]!) - from);
    for (let read = 0; read < bytes.length; ) {
      const n = readSync(fd, bytes, read, bytes.length - read, from + read);
      if (n === 0) throw this.damaged("it is shorter than recorded");
      read += n;
    }
    for (let b = first; b <= last; b++) {
      if (this.verified[b]) continue;
      const at = (b - first) * ROW_BLOCK_BYTES;
      if (blockSum(bytes.subarray(at, at + ROW_BLOCK_BYTES)) !== this.table.blocks[b]) throw this.damaged();
      this.verified[b] = 1;
    }
    try {
      return JSON.parse(bytes.toString("utf8", start - from, end - from));
    } catch (error) {
      throw this.damaged(`line ${i + 1}: ${(error as Error).message}`);
    }
  }

  /** A row that parsed but is not what the file holds (e.g. a {} written under matching sums). */
  badRow(i: number, what: string): DamagedFileError {
    return this.damaged(`line ${i + 1} is not ${what}`);
  }

  close(): void {
    if (this.handle.fd !== null) closeSync(this.handle.fd);
    this.handle.fd = null;
  }
}
