/**
 * Columns the user names (`--columns "dataset,metric,compute"`): each paper's cell is the abstract's own
 * words for it. Offline, the sentence most related to the column name (its words, a few synonyms, and the
 * embedding when there is one) is quoted, or nothing when no sentence is related at all.
 */
import type { AnswerSource } from "../../generate/generator.js";
import { hasMarker } from "../../ground/markers.js";
import { dot, type Embedder } from "../../index/embedder.js";
import { stemWord } from "../../text/tokenize.js";
import { MEASURED, shortenQuote, verbatimSentences } from "./facets.js";

export interface CompareColumn {
  /** Lower-cased name: the key of the cells in JSON and in the model's reply. */
  key: string;
  /** As the user wrote it: the column header. */
  label: string;
}

export const MAX_COLUMNS = 8;
const MAX_COLUMN_CHARS = 40;

/** A user error in one line naming --columns, or the columns. */
export function parseColumns(text: string): CompareColumn[] | string {
  const labels = text
    .split(",")
    .map((name) => name.trim().replace(/\s+/g, " "))
    .filter(Boolean);
  if (!labels.length) return `--columns needs at least one column name, e.g. --columns "dataset,metric,compute" (got "${text}")`;
  if (labels.length > MAX_COLUMNS) return `--columns takes at most ${MAX_COLUMNS} columns (got ${labels.length})`;
  const long = labels.find((label) => label.length > MAX_COLUMN_CHARS);
  if (long) return `--columns: a column name is at most ${MAX_COLUMN_CHARS} characters ("${long.slice(0, 20)}…" has ${long.length})`;
  const odd = labels.find((label) => /[|"\p{Cc}]/u.test(label));
  if (odd) return `--columns: column names cannot contain "|", quotes or control characters (got "${odd}")`;
  const keys = labels.map((label) => label.toLowerCase());
  const twice = keys.find((key, i) => keys.indexOf(key) !== i);
  if (twice) return `--columns names "${twice}" twice`;
  return labels.map((label, i) => ({ key: keys[i]!, label }));
}

/**
 * Words an abstract uses for what a column asks about; keyed by the stem of a column word. Small on
 * purpose: the embedding covers the rest, these catch the cases it misses (compute → FLOPs, GPU hours).
 */
const SYNONYMS: Record<string, { words: string[]; patterns?: RegExp[] }> = {
  // Not "memory": "long-term memory of past gradients" is no compute budget.
  comput: { words: ["FLOPs", "GPU", "GPUs", "TPU", "hours", "parameters", "runtime", "cost", "speedup", "throughput", "latency", "compute"] },
  cost: { words: ["FLOPs", "GPU", "hours", "runtime", "cheap", "expensive", "overhead", "storage"] },
  dataset: {
    words: ["dataset", "datasets", "benchmark", "benchmarks", "corpus", "data"],
    patterns: [/\b(ImageNet|GLUE|CIFAR-?\d*|COCO|MMLU|SQuAD|WMT|MNIST)\b/i],
  },
  data: { words: ["dataset", "benchmark", "corpus", "samples", "data"] },
  benchmark: { words: ["benchmark", "dataset", "evaluated", "tasks"] },
  metric: {
    words: ["accuracy", "F1", "BLEU", "perplexity", "score", "error", "precision", "recall", "AUC", "improvement", "performance"],
    patterns: [MEASURED],
  },
  result: { words: ["outperforms", "improvement", "achieves", "accuracy", "better", "state-of-the-art"], patterns: [MEASURED] },
  model: { words: ["model", "network", "architecture", "transformer", "LLM", "LLMs", "backbone"] },
  architectur: { words: ["architecture", "network", "layers", "transformer", "attention"] },
  task: { words: ["task", "tasks", "classification", "detection", "translation", "generation", "reasoning", "modeling"] },
  baselin: { words: ["baseline", "compared", "than", "outperforms", "LoRA", "Adam", "SGD"] },
  method: { words: ["propose", "introduce", "method", "approach", "framework", "algorithm"] },
  problem: { words: ["problem", "challenge", "limitation", "fail", "difficult", "issue"] },
  limit: { words: ["limitation", "fail", "cannot", "only", "however", "drawback", "assuming"] },
  code: { words: ["code", "available", "github", "open-source", "released", "implementation"] },
  hardwar: { words: ["GPU", "TPU", "CPU", "hardware", "device", "devices", "edge"] },
  paramet: { words: ["parameters", "trainable", "size", "rank", "weights"] },
  speed: { words: ["faster", "speedup", "runtime", "latency", "throughput", "time"] },
  memori: { words: ["memory", "storage", "footprint", "bytes", "GB"] },
  languag: { words: ["language", "English", "multilingual", "text"] },
};

/** One column's reading of an abstract: the quote and how strongly it relates (0 = unrelated). */
export interface ColumnPick {
  quote: string | null;
  score: number;
}

/**
 * The offline embedder rates most sentences 0.2–0.5 similar to any one word ("dataset" to a sentence on
 * memory: 0.53), so it only breaks ties between sentences with cue words, and fills a cell alone only
 * when it is sure.
 */
const EMBEDDING = { weight: 0.5, alone: 0.6 };
/** A synonym hit counts this much; a word of the column name itself counts 1. */
const SYNONYM_HIT = 0.6;
/** A pattern names the thing itself (a measured figure for "metric", "ImageNet" for "dataset"): more than a word of the name. */
const PATTERN_HIT = 1.5;
/** Column cells are read across a table row: a short window around the cue, shorter than facet quotes. */
const COLUMN_QUOTE_WORDS = 20;

interface ColumnCues {
  stems: Set<string>;
  synonyms: Set<string>;
  patterns: RegExp[];
  /** What the embedding compares each sentence with: the name alone (synonyms would make everything similar). */
  description: string;
}

function cuesFor(column: CompareColumn): ColumnCues {
  const nameStems = wordsOf(column.label).map(stem);
  const entries = nameStems.flatMap((word) => Object.entries(SYNONYMS).filter(([key]) => word.startsWith(key) || key.startsWith(word)));
  const synonymWords = entries.flatMap(([, entry]) => entry.words);
  return {
    stems: new Set(nameStems),
    synonyms: new Set(synonymWords.map(stem)),
    patterns: entries.flatMap(([, entry]) => entry.patterns ?? []),
    description: column.label,
  };
}

/**
 * For each source, each column's quote: the sentence scoring highest on keyword cues plus embedding
 * similarity, when its cues (or a high similarity) say it is about the column at all.
 */
export async function fillColumns(sources: AnswerSource[], columns: CompareColumn[], embedder: Embedder | null): Promise<Map<number, ColumnPick[]>> {
  const cues = columns.map(cuesFor);
  const sentencesOf = sources.map((source) => verbatimSentences(source.paper.abstract, source.sentences).filter((sentence) => !hasMarker(sentence)));
  const vectors = embedder ? await embedAll(embedder, sentencesOf, cues) : null;
  const picks = new Map<number, ColumnPick[]>();
  sources.forEach((source, s) => {
    const sentences = sentencesOf[s]!;
    picks.set(
      source.n,
      cues.map((cue, c) => {
        let best: ColumnPick & { at: number } = { quote: null, score: 0, at: -1 };
        sentences.forEach((sentence, i) => {
          const keyword = keywordScore(sentence, cue);
          const cosine = vectors ? dot(vectors.columns[c]!, vectors.sentences[s]![i]!) : 0;
          if (keyword === 0 && cosine < EMBEDDING.alone) return;
          const score = keyword + EMBEDDING.weight * cosine;
          if (score > best.score) best = { quote: sentence, score, at: i };
        });
        if (best.quote === null) return { quote: null, score: 0 };
        return { quote: shortenQuote(best.quote, [...cue.patterns, wordPattern(cue)], COLUMN_QUOTE_WORDS), score: best.score };
      }),
    );
  });
  return picks;
}

async function embedAll(embedder: Embedder, sentencesOf: string[][], cues: ColumnCues[]) {
  const flat = sentencesOf.flat();
  const embedded = flat.length ? await embedder.embedDocuments(flat) : [];
  const sentences: number[][][] = [];
  let at = 0;
  for (const list of sentencesOf) {
    sentences.push(embedded.slice(at, at + list.length));
    at += list.length;
  }
  const columns = await Promise.all(cues.map((cue) => embedder.embedQuery(cue.description)));
  return { sentences, columns };
}

function keywordScore(sentence: string, cue: ColumnCues): number {
  const stems = new Set(wordsOf(sentence).map(stem));
  let score = 0;
  for (const word of cue.stems) if (stems.has(word)) score += 1;
  for (const word of cue.synonyms) if (!cue.stems.has(word) && stems.has(word)) score += SYNONYM_HIT;
  for (const pattern of cue.patterns) if (pattern.test(sentence)) score += PATTERN_HIT;
  return score;
}

/** Where the quote is centred when a long sentence is cut: the first cue word. */
function wordPattern(cue: ColumnCues): RegExp {
  const words = [...cue.stems, ...cue.synonyms].map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`\\b(${words.join("|")})`, "i");
}

const wordsOf = (text: string) => text.match(/[\p{L}\p{N}]+/gu) ?? [];
const stem = (word: string) => stemWord(word.toLowerCase());
