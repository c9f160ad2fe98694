import { type ChunkRow, fromChunkRow, isChunkRowOfEitherLayout } from "../../corpus/chunk-row.js";
import { type Chunk, isPaperRow, type Paper } from "../../corpus/paper.js";
import type { RowFile, RowFileTable } from "./row-file.js";

/** lookup.json (format 3): what a query needs of every paper and chunk without parsing them, and where their rows are. */
export interface Lookup {
  papers: RowFileTable & { ids: string[] };
  /** `paper`: the row number in papers.jsonl of each chunk's paper. */
  chunks: RowFileTable & { ids: string[]; paper: number[] };
}

export function parseLookup(bytes: Buffer): Lookup {
  const lookup = JSON.parse(bytes.toString("utf8")) as Lookup;
  const table = (t: RowFileTable & { ids: string[] }) =>
    Array.isArray(t?.ids) && Array.isArray(t.lengths) && Array.isArray(t.blocks) && t.ids.length === t.lengths.length;
  if (!table(lookup.papers) || !table(lookup.chunks) || !Array.isArray(lookup.chunks.paper) || lookup.chunks.paper.length !== lookup.chunks.ids.length)
    throw new Error("not a lookup table");
  if (lookup.chunks.paper.some((n) => !(n >= 0 && n < lookup.papers.ids.length))) throw new Error("a chunk names a paper that is not there");
  return lookup;
}

/** The papers of a version as a map whose rows are parsed (and checked) when first asked for. */
export class LazyPaperMap implements ReadonlyMap<string, Paper> {
  private readonly parsed: Array<Paper | undefined>;
  private positions: Map<string, number> | null = null;

  constructor(
    private readonly file: RowFile,
    readonly ids: string[],
  ) {
    this.parsed = new Array(ids.length);
  }

  get size(): number {
    return this.ids.length;
  }

  positionOf(id: string): number | undefined {
    this.positions ??= new Map(this.ids.map((paperId, i) => [paperId, i]));
    return this.positions.get(id);
  }

  at(i: number): Paper {
    let paper = this.parsed[i];
    if (!paper) {
      const row = this.file.row(i);
      if (!isPaperRow(row) || row.id !== this.ids[i]) throw this.file.badRow(i, "the paper recorded there");
      paper = row;
      this.parsed[i] = paper;
    }
    return paper;
  }

  get(id: string): Paper | undefined {
    const i = this.positionOf(id);
    return i === undefined ? undefined : this.at(i);
  }

  has(id: string): boolean {
    return this.positionOf(id) !== undefined;
  }

  *entries(): MapIterator<[string, Paper]> {
    for (let i = 0; i < this.ids.length; i++) yield [this.ids[i]!, this.at(i)];
  }

  keys(): MapIterator<string> {
    return this.ids[Symbol.iterator]();
  }

  *values(): MapIterator<Paper> {
    for (let i = 0; i < this.ids.length; i++) yield this.at(i);
  }

  forEach(callback: (value: Paper, key: string, map: ReadonlyMap<string, Paper>) => void, thisArg?: unknown): void {
    for (const [id, paper] of this.entries()) callback.call(thisArg, paper, id, this);
  }

  [Symbol.iterator](): MapIterator<[string, Paper]> {
    return this.entries();
  }
}

/** A chunk whose id and paper are known at open; its text and sentences are read from its row when first used. */
export class LazyChunk implements Chunk {
  private resolved: Chunk | null = null;

  constructor(
    readonly id: string,
    readonly paperId: string,
    private readonly position: number,
    private readonly paperRow: number,
    private readonly file: RowFile,
    private readonly papers: LazyPaperMap,
  ) {}

  private chunk(): Chunk {
    if (!this.resolved) {
      const row = this.file.row(this.position);
      if (!isChunkRowOfEitherLayout(row) || row.id !== this.id || row.paperId !== this.paperId)
        throw this.file.badRow(this.position, "the chunk recorded there");
      this.resolved = fromChunkRow(row as ChunkRow, this.papers.at(this.paperRow));
    }
    return this.resolved;
  }

  get index(): number {
    return this.chunk().index;
  }
  get text(): string {
    return this.chunk().text;
  }
  get sentences(): string[] {
    return this.chunk().sentences;
  }
  get contentHash(): string {
    return this.chunk().contentHash;
  }

  /** Written out (--json, a publish) as the plain chunk it stands for. */
  toJSON(): Chunk {
    return this.chunk();
  }
}

export function lazyChunks(lookup: Lookup, file: RowFile, papers: LazyPaperMap): Chunk[] {
  const { ids, paper } = lookup.chunks;
  return ids.map((id, i) => new LazyChunk(id, papers.ids[paper[i]!]!, i, paper[i]!, file, papers));
}
