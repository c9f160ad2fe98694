import type { RawRecord } from "../corpus/paper.js";
import { DEFAULT_CHUNK_OPTIONS } from "../ingest/chunk.js";
import { parseInputs } from "../ingest/parse-files.js";
import { recordsToPapers } from "../ingest/papers.js";
import { splitSentences } from "../text/sentences.js";

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** The real material synthetic corpora are made of: English abstracts as sentence lists, and real titles. */
export interface SourceText {
  abstracts: Array<{ title: string | null; sentences: string[] }>;
  titles: string[];
}

/** Reads the abstracts in `dataDir` as citewise would (parse, normalise, merge) and splits them into sentences. */
export function loadSourceText(dataDir: string): SourceText {
  const { papers } = recordsToPapers(parseInputs([dataDir]).records);
  const abstracts = papers
    .filter((paper) => paper.language === "en")
    .map((paper) => ({ title: paper.titleIsDerived ? null : paper.title, sentences: splitSentences(paper.abstract, "en").filter(isRecombinable) }))
    .filter((abstract) => abstract.sentences.length > 0);
  const titles = [...new Set(abstracts.flatMap((abstract) => (abstract.title ? [abstract.title] : [])))];
  return { abstracts, titles };
}

/**
 * Sentences that stay whole next to any other: capitalised, ending in . ! or ?, three words or more, and split
 * back into themselves when doubled. This keeps chunk sentences identical to the sentences they were made of.
 */
function isRecombinable(sentence: string): boolean {
  if (!/^[A-Z][\s\S]*[.!?]$/.test(sentence) || words(sentence) < 3) return false;
  const again = splitSentences(`${sentence} ${sentence}`, "en");
  return again.length === 2 && again[0] === sentence && again[1] === sentence;
}

/** Every distinct text whose vector the synthetic corpora need: sentences and titles. */
export function sourceTexts(source: SourceText): string[] {
  return [...new Set([...source.abstracts.flatMap((abstract) => abstract.sentences), ...source.titles])];
}

/** Small, fast, seeded PRNG (mulberry32): the same seed gives the same corpus on every machine. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Chunks chunkPaper would make from these sentences (same greedy grouping and tail folding), without running it. */
export function estimateChunks(sentences: string[], maxWords = DEFAULT_CHUNK_OPTIONS.maxWords): number {
  const groups: number[] = [];
  let current = 0;
  for (const sentence of sentences) {
    const length = words(sentence);
    if (current > 0 && current + length > maxWords) {
      groups.push(current);
      current = 0;
    }
    current += length;
  }
  if (current > 0) groups.push(current);
  if (groups.length > 1 && groups[groups.length - 1]! < maxWords / 4) groups.pop();
  return groups.length;
}

export interface SyntheticOptions {
  /** Chunks the corpus should produce once ingested (reached within a few percent). */
  targetChunks: number;
  seed: number;
  /** Shown as the source file of every record. */
  file?: string;
}

/**
 * New abstracts made by recombining real sentences: each takes a donor paper's title and sentence count,
 * and that many sentences drawn from the donor and a second random paper, shuffled. Records are added until
 * the estimated chunk count reaches the target. Deterministic for a given source and seed.
 */
export function generateSyntheticRecords(source: SourceText, options: SyntheticOptions): RawRecord[] {
  const random = mulberry32(options.seed);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  const file = options.file ?? `synthetic-${options.targetChunks}.jsonl`;
  const records: RawRecord[] = [];
  const seen = new Set<string>();
  let chunks = 0;
  while (chunks < options.targetChunks) {
    const donor = pick(source.abstracts);
    const pool = [...donor.sentences, ...pick(source.abstracts).sentences];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const sentences = pool.slice(0, donor.sentences.length);
    const abstract = sentences.join(" ");
    if (seen.has(abstract)) continue;
    seen.add(abstract);
    const title = donor.title ?? pick(source.titles);
    records.push({ title, abstract, source: { file, line: records.length + 1, format: "jsonl" } });
    chunks += estimateChunks(sentences);
  }
  return records;
}

/** "1k" -> 1000, "10k" -> 10000, "2500" -> 2500. */
export function parseSize(label: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(label.trim());
  if (!match) throw new Error(`bad size "${label}" (use e.g. 1k, 10k, 100k)`);
  const scale = { "": 1, k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase() as "" | "k" | "m"];
  return Math.round(Number(match[1]) * scale);
}
