/**
 * 2-D positions for a handful of unit vectors: classical multidimensional scaling, i.e. PCA of the centred
 * vectors, computed on the n × n Gram matrix (n papers ≪ 512 dimensions). The two leading eigenvectors are
 * found by power iteration from a fixed start and given a fixed sign, so the same papers always get the same
 * map; no random seed is involved.
 */
export function projectTo2d(vectors: ArrayLike<number>[]): Array<[number, number]> {
  const n = vectors.length;
  if (n === 0) return [];
  const gram = centredGram(vectors);
  const axes: number[][] = [];
  const coordinates: number[][] = [];
  for (let axis = 0; axis < 2; axis++) {
    const { vector, value } = leadingEigenvector(gram, axes, axis);
    axes.push(vector);
    // Classical MDS: coordinate = eigenvector × √eigenvalue (a flat direction gives 0, not noise).
    const scale = Math.sqrt(Math.max(value, 0));
    coordinates.push(vector.map((v) => v * scale));
  }
  return coordinates[0]!.map((x, i) => [x, coordinates[1]![i]!]);
}

/** G = Xc Xcᵀ for the vectors centred on their mean: its eigenvectors are the principal axes. */
function centredGram(vectors: ArrayLike<number>[]): number[][] {
  const n = vectors.length;
  const dimension = vectors[0]!.length;
  const mean = new Float64Array(dimension);
  for (const vector of vectors) for (let k = 0; k < dimension; k++) mean[k]! += vector[k]! / n;
  const centred = vectors.map((vector) => Float64Array.from({ length: dimension }, (_, k) => vector[k]! - mean[k]!));
  const gram = vectors.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < dimension; k++) sum += centred[i]![k]! * centred[j]![k]!;
      gram[i]![j] = sum;
      gram[j]![i] = sum;
    }
  }
  return gram;
}

const ITERATIONS = 2000;
/** Squared change of the unit eigenvector at which iteration stops (coordinates then agree to ~1e-9). */
const TOLERANCE = 1e-20;

/** The leading eigenvector of a symmetric PSD matrix orthogonal to `found`, with its eigenvalue. */
function leadingEigenvector(matrix: number[][], found: number[][], axis: number): { vector: number[]; value: number } {
  const n = matrix.length;
  // A fixed, irregular start (golden-angle cosines): never orthogonal to an axis in practice, never random.
  let vector = normalise(
    orthogonalise(
      Array.from({ length: n }, (_, i) => Math.cos((i + 1) * 2.399963 + axis)),
      found,
    ),
  );
  for (let round = 0; round < ITERATIONS; round++) {
    const next = normalise(orthogonalise(multiply(matrix, vector), found));
    const change = next.reduce((sum, v, i) => sum + (v - vector[i]!) ** 2, 0);
    vector = next;
    if (change < TOLERANCE) break;
  }
  // An eigenvector's sign is arbitrary: make its largest entry positive so reruns agree.
  const largest = vector.reduce((best, v, i) => (Math.abs(v) > Math.abs(vector[best]!) + 1e-12 ? i : best), 0);
  if (vector[largest]! < 0) vector = vector.map((v) => -v);
  const value = multiply(matrix, vector).reduce((sum, v, i) => sum + v * vector[i]!, 0);
  return { vector, value };
}

function multiply(matrix: number[][], vector: number[]): number[] {
  return matrix.map((row) => row.reduce((sum, m, j) => sum + m * vector[j]!, 0));
}

function orthogonalise(vector: number[], against: number[][]): number[] {
  let result = vector;
  for (const axis of against) {
    const projection = result.reduce((sum, v, i) => sum + v * axis[i]!, 0);
    result = result.map((v, i) => v - projection * axis[i]!);
  }
  return result;
}

/** Unit length; the zero vector (all papers alike) stays zero. */
function normalise(vector: number[]): number[] {
  const norm = Math.hypot(...vector);
  return norm > 1e-15 ? vector.map((v) => v / norm) : vector.map(() => 0);
}
