/**
 * Maximal marginal relevance: greedily picks items that are relevant but unlike those already picked,
 * so near-duplicate papers do not crowd out the rest of the list.
 * `relevance` must be scaled to [0, 1]; `similarity` is cosine between item vectors.
 */
export function mmrOrder<T>(items: T[], relevance: (item: T) => number, similarity: (a: T, b: T) => number, lambda: number, limit: number): T[] {
  const remaining = [...items];
  const picked: T[] = [];
  while (picked.length < limit && remaining.length > 0) {
    let bestIndex = 0;
    let bestScore = -Infinity;
    remaining.forEach((item, index) => {
      const redundancy = picked.length ? Math.max(...picked.map((other) => similarity(item, other))) : 0;
      const score = lambda * relevance(item) - (1 - lambda) * redundancy;
      if (score > bestScore) {
        bestScore = score;
        bestIndex = index;
      }
    });
    picked.push(remaining.splice(bestIndex, 1)[0]!);
  }
  return picked;
}
