/**
 * USE-Lite's sentencepiece tokenizer (unigram model, Viterbi segmentation), the same segmentation as
 * @energetic-ai/embeddings (which does not export it, and pulls in TensorFlow): "▁" marks a word start,
 * unknown characters become id 0 (consecutive unknowns merged into one). Linear-time trie walk.
 */
export type Vocabulary = Array<[string, number]>;

const SEPARATOR = "\u2581";
const RESERVED = 6;

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Vocabulary index of the piece ending here, or -1. */
  index: number;
}

export class SentencePieceTokenizer {
  private readonly root: TrieNode = { children: new Map(), index: -1 };
  private readonly scores: Float64Array;

  constructor(readonly vocabulary: Vocabulary) {
    this.scores = new Float64Array(vocabulary.length);
    for (let i = RESERVED; i < vocabulary.length; i++) {
      const [piece, score] = vocabulary[i]!;
      this.scores[i] = score;
      let node = this.root;
      for (const symbol of piece) {
        let next = node.children.get(symbol);
        if (!next) {
          next = { children: new Map(), index: -1 };
          node.children.set(symbol, next);
        }
        node = next;
      }
      node.index = i;
    }
  }

  get size(): number {
    return this.vocabulary.length;
  }

  encode(input: string): number[] {
    const normalized = input.normalize("NFKC");
    if (normalized.length === 0) return [];
    const symbols = Array.from(SEPARATOR + normalized.replace(/ /g, SEPARATOR));
    const n = symbols.length;
    // best[end]: the best score of a segmentation of symbols[0, end); word[end], length[end]: its last piece.
    const best = new Float64Array(n + 1);
    const word = new Int32Array(n + 1);
    const length = new Int32Array(n + 1);
    // Forward Viterbi: starts in increasing order, so each end sees its candidates in increasing start order
    // (the reference's tie-breaking), and best[start] is final before it is extended.
    const relax = (start: number, end: number, index: number) => {
      const score = (index === 0 ? 0 : this.scores[index]!) + best[start]!;
      if (best[end] === 0 || score >= best[end]!) {
        best[end] = score;
        word[end] = index;
        length[end] = end - start;
      }
    };
    for (let start = 0; start < n; start++) {
      let node = this.root.children.get(symbols[start]!);
      let matched = false;
      for (let i = start; i < n && node; i++) {
        if (node.index >= 0) {
          relax(start, i + 1, node.index);
          matched = true;
        }
        node = i + 1 < n ? node.children.get(symbols[i + 1]!) : undefined;
      }
      if (!matched) relax(start, start + 1, 0);
    }
    const pieces: number[] = [];
    for (let at = n; at > 0; at -= length[at]!) pieces.push(word[at]!);
    pieces.reverse();
    const merged: number[] = [];
    for (let i = 0; i < pieces.length; i++) if (!(pieces[i] === 0 && i > 0 && pieces[i - 1] === 0)) merged.push(pieces[i]!);
    return merged;
  }
}
