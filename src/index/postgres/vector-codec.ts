import type { Vector } from "../store.js";

/**
 * pgvector's text input: '[x,y,…]'. Values are rounded to float32 first (pgvector stores float4), so the
 * stored vector is exactly the Float32Array the local backend would store.
 */
export function toVectorLiteral(vector: Vector): string {
  let out = "[";
  for (let i = 0; i < vector.length; i++) out += (i ? "," : "") + Math.fround(vector[i]!);
  return `${out}]`;
}

/**
 * Decodes vector_send() output (int16 dimension, int16 unused, then big-endian float4s). Binary instead of
 * pgvector's text output: about half the bytes and no float parsing when loading every vector for re-ingest.
 */
export function fromVectorBinary(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dimension = view.getUint16(0);
  if (bytes.byteLength !== 4 + 4 * dimension) throw new Error(`vector of ${dimension} dimensions has ${bytes.byteLength} bytes`);
  const vector = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) vector[i] = view.getFloat32(4 + 4 * i);
  return vector;
}
