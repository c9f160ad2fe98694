/** The best `capacity` (item, score) pairs seen, in a typed-array min-heap: no allocation per pushed row. */
export class Candidates {
  private readonly scores: Float64Array;
  private readonly items: Int32Array;
  length = 0;

  constructor(private readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.items = new Int32Array(capacity);
  }

  /** A score must beat this to enter (-Infinity until full). */
  get threshold(): number {
    return this.length < this.capacity ? Number.NEGATIVE_INFINITY : this.scores[0]!;
  }

  itemAt(i: number): number {
    return this.items[i]!;
  }

  push(item: number, score: number): void {
    if (this.capacity === 0) return;
    if (this.length < this.capacity) {
      this.siftUp(this.length++, item, score);
    } else if (score > this.scores[0]!) {
      this.siftDown(item, score);
    }
  }

  /** Best first. */
  sorted(): { item: number; score: number }[] {
    return Array.from({ length: this.length }, (_, i) => ({ item: this.items[i]!, score: this.scores[i]! })).sort((a, b) => b.score - a.score);
  }

  private siftUp(i: number, item: number, score: number): void {
    const { scores, items } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (scores[parent]! <= score) break;
      scores[i] = scores[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    scores[i] = score;
    items[i] = item;
  }

  /** Replaces the root (the worst kept) and restores the heap. */
  private siftDown(item: number, score: number): void {
    const { scores, items, length } = this;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && scores[right]! < scores[left]! ? right : left;
      if (scores[child]! >= score) break;
      scores[i] = scores[child]!;
      items[i] = items[child]!;
      i = child;
    }
    scores[i] = score;
    items[i] = item;
  }
}
