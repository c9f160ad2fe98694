import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { readRegularFile } from "./files.js";
import path from "node:path";
import type { Vector } from "./store.js";
import { readJsonLines } from "../corpus/json-lines.js";

/**
 * Embedding is the slow part of ingest (minutes for thousands of chunks), so every embedded batch is
 * appended here and fsynced before the next one starts. If the ingest is killed, the next run reads
 * the journal and embeds only what is missing; after a successful publish the journal is deleted.
 * Lines name their embedder, so a journal from another embedder is never used; a torn last line
 * (killed mid-write) is ignored.
 */
export class VectorJournal {
  constructor(
    readonly file: string,
    private readonly embedder: { name: string; dimension: number },
  ) {}

  private get tag(): string {
    return `${this.embedder.name}/${this.embedder.dimension}`;
  }

  read(): Map<string, Vector> {
    const vectors = new Map<string, Vector>();
    if (!existsSync(this.file)) return vectors;
    // A line cut by a crash is skipped: its batch is simply embedded again.
    for (const { value: entry } of readJsonLines<{ e?: unknown; h?: unknown; v?: unknown }>(readRegularFile(this.file), this.file, () => {})) {
      if (entry.e !== this.tag || typeof entry.h !== "string" || typeof entry.v !== "string") continue;
      const bytes = Buffer.from(entry.v, "base64");
      if (bytes.byteLength !== this.embedder.dimension * 4) continue;
      vectors.set(entry.h, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
    }
    return vectors;
  }

  append(entries: { contentHash: string; vector: Vector }[]): void {
    if (entries.length === 0) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const lines = entries
      .map((entry) => JSON.stringify({ e: this.tag, h: entry.contentHash, v: Buffer.from(Float32Array.from(entry.vector).buffer).toString("base64") }))
      .join("\n");
    const fd = openSync(this.file, "a");
    try {
      writeSync(fd, `${lines}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  discard(): void {
    rmSync(this.file, { force: true });
  }
}
