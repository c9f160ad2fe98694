/**
 * int8 vectors with one scale per row: a quarter of float32's bytes, scanned first by dense search
 * (see segment-store.ts), and the redundant copy of vectors.f32 on disk. value ≈ code × scale, |code| ≤ 127.
 */
export interface QuantisedRows {
  scales: Float32Array;
  codes: Int8Array;
}

export function quantiseRows(vectors: Float32Array, count: number, dimension: number): QuantisedRows {
  const scales = new Float32Array(count);
  const codes = new Int8Array(count * dimension);
  for (let row = 0, offset = 0; row < count; row++, offset += dimension) {
    let largest = 0;
    for (let j = 0; j < dimension; j++) largest = Math.max(largest, Math.abs(vectors[offset + j]!));
    const scale = largest / 127;
    scales[row] = scale;
    if (scale === 0) continue;
    for (let j = 0; j < dimension; j++) codes[offset + j] = Math.round(vectors[offset + j]! / scale);
  }
  return { scales, codes };
}

export function dequantise(quantised: QuantisedRows, count: number, dimension: number): Float32Array {
  const vectors = new Float32Array(count * dimension);
  for (let row = 0, offset = 0; row < count; row++, offset += dimension) {
    const scale = quantised.scales[row]!;
    for (let j = 0; j < dimension; j++) vectors[offset + j] = quantised.codes[offset + j]! * scale;
  }
  return vectors;
}

/** The query as integers (|code| ≤ 127) and its scale: int8 × int8 sums stay exact in int32. */
export function quantiseQuery(query: Float32Array): { codes: Int32Array; scale: number } {
  let largest = 0;
  for (const value of query) largest = Math.max(largest, Math.abs(value));
  const scale = largest / 127 || 1;
  return { codes: Int32Array.from(query, (value) => Math.round(value / scale)), scale };
}
