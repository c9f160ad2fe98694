/**
 * int8 dot products in WebAssembly SIMD: 16 codes per instruction (i16x8 widening, i32x4.dot_i16x8_s), ~10x
 * the scalar JavaScript loop. The module is a few hand-assembled bytes (no build step, no dependency):
 *   dots(query, codes, rows, dimension, out): for each row, out[row] = Σ query[j] × codes[row × dimension + j]
 * with query as int16, codes as int8 and out as int32, all addresses in the shared memory; dimension % 16 = 0.
 */
const SIMD = 0xfd;
const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Sub: 0x6b,
} as const;
const simd = {
  load: [SIMD, 0x00],
  const: [SIMD, 0x0c],
  extractLane: [SIMD, 0x1b],
  extendLowI8: [SIMD, 0x87, 0x01],
  extendHighI8: [SIMD, 0x88, 0x01],
  add: [SIMD, 0xae, 0x01],
  dot: [SIMD, 0xba, 0x01],
} as const;
// Locals: the five parameters, then j, queryAt (i32), sum, codesAt (v128).
const [QUERY, CODES, ROWS, DIMENSION, OUT, J, QUERY_AT, SUM, CHUNK] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

function body(): number[] {
  const get = (local: number) => [op.get, local];
  const set = (local: number) => [op.set, local];
  const load = (offset: number) => [...simd.load, 0, offset];
  const addTo = (local: number, n: number) => [...get(local), op.i32Const, n, op.i32Add, ...set(local)];
  return [
    op.block,
    0x40,
    ...get(ROWS),
    op.i32Eqz,
    op.brIf,
    0,
    op.loop,
    0x40,
    ...simd.const,
    ...new Array(16).fill(0),
    ...set(SUM),
    ...get(QUERY),
    ...set(QUERY_AT),
    op.i32Const,
    0,
    ...set(J),
    op.loop,
    0x40,
    ...get(CODES),
    ...load(0),
    ...set(CHUNK),
    ...get(SUM),
    ...get(CHUNK),
    ...simd.extendLowI8,
    ...get(QUERY_AT),
    ...load(0),
    ...simd.dot,
    ...simd.add,
    ...get(CHUNK),
    ...simd.extendHighI8,
    ...get(QUERY_AT),
    ...load(16),
    ...simd.dot,
    ...simd.add,
    ...set(SUM),
    ...addTo(CODES, 16),
    ...get(QUERY_AT),
    op.i32Const,
    32,
    op.i32Add,
    ...set(QUERY_AT),
    ...get(J),
    op.i32Const,
    16,
    op.i32Add,
    op.tee,
    J,
    ...get(DIMENSION),
    op.i32LtU,
    op.brIf,
    0,
    op.end,
    ...get(OUT),
    ...get(SUM),
    ...simd.extractLane,
    0,
    ...get(SUM),
    ...simd.extractLane,
    1,
    op.i32Add,
    ...get(SUM),
    ...simd.extractLane,
    2,
    op.i32Add,
    ...get(SUM),
    ...simd.extractLane,
    3,
    op.i32Add,
    op.i32Store,
    2,
    0,
    ...addTo(OUT, 4),
    ...get(ROWS),
    op.i32Const,
    1,
    op.i32Sub,
    op.tee,
    ROWS,
    op.brIf,
    0,
    op.end,
    op.end,
    op.end,
  ];
}

const unsigned = (n: number): number[] => {
  const bytes: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    bytes.push(byte);
  } while (n);
  return bytes;
};
const section = (id: number, content: number[]) => [id, ...unsigned(content.length), ...content];
const name = (text: string) => [text.length, ...Array.from(text, (c) => c.charCodeAt(0))];

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const I32 = 0x7f;
  const V128 = 0x7b;
  const code = [2, 2, I32, 2, V128, ...body()];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name("dots"), 0x00, 0]),
    ...section(10, [1, ...unsigned(code.length), ...code]),
  ]);
}

type Dots = (query: number, codes: number, rows: number, dimension: number, out: number) => void;

/**
 * Every segment's int8 codes copied once into one WebAssembly memory (then the only copy: the segments'
 * `codes` become views of it), with room for the int16 query and one segment's scores.
 */
export class Int8Kernel {
  private readonly dots: Dots;
  private readonly memory: WebAssembly.Memory;
  private readonly offsets: number[] = [];
  private readonly queryAt: number;
  private readonly outAt: number;
  readonly views: Int8Array[] = [];

  private constructor(module: WebAssembly.Module, segments: Int8Array[], dimension: number) {
    const codeBytes = segments.reduce((sum, codes) => sum + codes.byteLength, 0);
    const largest = segments.reduce((most, codes) => Math.max(most, codes.length / dimension), 0);
    this.queryAt = align(codeBytes);
    this.outAt = align(this.queryAt + dimension * 2);
    const bytes = this.outAt + largest * 4;
    this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65_536)) });
    this.dots = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports.dots as Dots;
    let at = 0;
    for (const codes of segments) {
      const view = new Int8Array(this.memory.buffer, at, codes.length);
      view.set(codes);
      this.offsets.push(at);
      this.views.push(view);
      at += codes.byteLength;
    }
  }

  /** null when this runtime has no WebAssembly SIMD or the dimension is not a multiple of 16 (the JavaScript scan is used). */
  static create(segments: Int8Array[], dimension: number): Int8Kernel | null {
    if (dimension % 16 !== 0 || segments.length === 0) return null;
    try {
      return new Int8Kernel(new WebAssembly.Module(moduleBytes()), segments, dimension);
    } catch {
      return null;
    }
  }

  setQuery(codes: Int32Array): void {
    new Int16Array(this.memory.buffer, this.queryAt, codes.length).set(codes);
  }

  /** Dot products of the query set last with every row of segment `index` (a view, valid until the next call). */
  scan(index: number, rows: number, dimension: number): Int32Array {
    this.dots(this.queryAt, this.offsets[index]!, rows, dimension, this.outAt);
    return new Int32Array(this.memory.buffer, this.outAt, rows);
  }
}

const align = (n: number) => Math.ceil(n / 16) * 16;
