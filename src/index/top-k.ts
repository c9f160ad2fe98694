/** Keeps the k best (highest-score) entries seen so far in a small min-heap: O(n log k) instead of sorting n. */
export class TopK<T> {
  private readonly heap: { item: T; score: number }[] = [];

  constructor(private readonly k: number) {}

  push(item: T, score: number): void {
    const heap = this.heap;
    if (heap.length < this.k) {
      heap.push({ item, score });
      this.siftUp(heap.length - 1);
    } else if (this.k > 0 && score > heap[0]!.score) {
      heap[0] = { item, score };
      this.siftDown(0);
    }
  }

  /** Best first. */
  sorted(): { item: T; score: number }[] {
    return [...this.heap].sort((a, b) => b.score - a.score);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.score <= heap[i]!.score) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && heap[left]!.score < heap[smallest]!.score) smallest = left;
      if (right < heap.length && heap[right]!.score < heap[smallest]!.score) smallest = right;
      if (smallest === i) return;
      [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
      i = smallest;
    }
  }
}
