import { type ChunkRow, fromChunkRow, isChunkRowOfEitherLayout } from "../../corpus/chunk-row.js";
import { type Chunk, isPaperRow, type Paper } from "../../corpus/paper.js";
import type { RowFile, RowFileTable } from "./row-file.js";

/** lookup.json (format 3): what a query needs of every paper and chunk without parsing them, and where their rows are. */
export interface Lookup {
  papers: RowFileTable & { ids: string[] };
  /**
   * `paper`: the row number in papers.jsonl of each chunk's paper; `index`: its position in the paper. A chunk's
   * id is "<paper id>#<index>" (as chunkPaper names it) unless `ids` (by chunk position) says otherwise.
   */
  chunks: RowFileTable & { paper: number[]; index: number[]; ids: Record<string, string> };
}

/** The lookup table of a version's rows, written at publish. */
export function lookupOf(papers: Paper[], chunks: Chunk[], tables: { papers: RowFileTable; chunks: RowFileTable }): Lookup {
  const rowOf = new Map(papers.map((paper, i) => [paper.id, i]));
  const ids: Record<string, string> = {};
  chunks.forEach((chunk, i) => {
    if (chunk.id !== `${chunk.paperId}#${chunk.index}`) ids[i] = chunk.id;
  });
  return {
    papers: { ids: papers.map((paper) => paper.id), ...tables.papers },
    chunks: { paper: chunks.map((chunk) => rowOf.get(chunk.paperId)!), index: chunks.map((chunk) => chunk.index), ids, ...tables.chunks },
  };
}

export function chunkIdsOf(lookup: Lookup): string[] {
  const { paper, index, ids } = lookup.chunks;
  const paperIds = lookup.papers.ids;
  return paper.map((row, i) => ids[i] ?? `${paperIds[row]}#${index[i]}`);
}

export function parseLookup(bytes: Buffer): Lookup {
  const lookup = JSON.parse(bytes.toString("utf8")) as Lookup;
  const table = (t: RowFileTable | undefined, count: number | undefined) => Array.isArray(t?.lengths) && Array.isArray(t.blocks) && t.lengths.length === count;
  const { papers, chunks } = lookup;
  const valid =
    Array.isArray(papers?.ids) &&
    table(papers, papers.ids.length) &&
    Array.isArray(chunks?.paper) &&
    Array.isArray(chunks.index) &&
    typeof chunks.ids === "object" &&
    chunks.index.length === chunks.paper.length &&
    table(chunks, chunks.paper.length);
  if (!valid) throw new Error("not a lookup table");
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
  // Private fields (not properties): a lazy chunk compares and spreads as its id and paper id only.
  #resolved: Chunk | null = null;
  readonly #position: number;
  readonly #paperRow: number;
  readonly #file: RowFile;
  readonly #papers: LazyPaperMap;

  constructor(
    readonly id: string,
    readonly paperId: string,
    position: number,
    paperRow: number,
    file: RowFile,
    papers: LazyPaperMap,
  ) {
    this.#position = position;
    this.#paperRow = paperRow;
    this.#file = file;
    this.#papers = papers;
  }

  private chunk(): Chunk {
    if (!this.#resolved) {
      const row = this.#file.row(this.#position);
      if (!isChunkRowOfEitherLayout(row) || row.id !== this.id || row.paperId !== this.paperId)
        throw this.#file.badRow(this.#position, "the chunk recorded there");
      this.#resolved = fromChunkRow(row as ChunkRow, this.#papers.at(this.#paperRow));
    }
    return this.#resolved;
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

  /** Written out (--json, a publish) and shown (console.log) as the plain chunk it stands for. */
  toJSON(): Chunk {
    return this.chunk();
  }
  [Symbol.for("nodejs.util.inspect.custom")](): Chunk {
    return this.chunk();
  }
}

export function lazyChunks(lookup: Lookup, file: RowFile, papers: LazyPaperMap): Chunk[] {
  const { paper } = lookup.chunks;
  return chunkIdsOf(lookup).map((id, i) => new LazyChunk(id, papers.ids[paper[i]!]!, i, paper[i]!, file, papers));
}
