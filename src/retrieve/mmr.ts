/**
 * Maximal marginal relevance: greedily picks items that are relevant but unlike those already picked,
 * so near-duplicate papers do not crowd out the rest of the list.
 * `relevance` must be scaled to [0, 1]; `similarity` is cosine between item vectors.
 * Each item's redundancy (its highest similarity to a picked item) is kept up to date as items are picked,
 * so similarity is computed once per pair, not once per pair per round: O(n²) instead of O(n³).
 */
export function mmrOrder<T>(items: T[], relevance: (item: T) => number, similarity: (a: T, b: T) => number, lambda: number, limit: number): T[] {
  const relevances = items.map(relevance);
  const redundancy = new Float64Array(items.length);
  const taken = new Uint8Array(items.length);
  const picked: T[] = [];
  while (picked.length < limit && picked.length < items.length) {
    let bestIndex = -1;
    let bestScore = -Infinity;
    // In item order with a strict comparison: a tie (or no comparable score) goes to the earliest item left.
    for (let i = 0; i < items.length; i++) {
      if (taken[i]) continue;
      if (bestIndex < 0) bestIndex = i;
      const score = lambda * relevances[i]! - (1 - lambda) * (picked.length ? redundancy[i]! : 0);
      if (score > bestScore) {
        bestScore = score;
        bestIndex = i;
      }
    }
    const chosen = items[bestIndex]!;
    taken[bestIndex] = 1;
    for (let i = 0; i < items.length; i++) {
      if (taken[i]) continue;
      const value = similarity(items[i]!, chosen);
      redundancy[i] = picked.length ? Math.max(redundancy[i]!, value) : value;
    }
    picked.push(chosen);
  }
  return picked;
}
