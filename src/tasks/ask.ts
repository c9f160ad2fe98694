import type { Paper } from "../corpus/paper.js";
import { ABSTAIN_TEXT, type AnswerSource, type Generator } from "../generate/generator.js";
import { stripReferenceList, validateCitations } from "../ground/citations.js";
import { checkGrounding, type SentenceSupport } from "../ground/support.js";
import type { Embedder } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import type { PaperFilters } from "../retrieve/filters.js";
import { bestChunkCoverage } from "../retrieve/coverage.js";
import { searchPapers, type PaperResult } from "../retrieve/search.js";
import { answerSentences } from "../generate/injection.js";

/**
 * Relevance = mean of (a) the IDF-weighted share of the question's terms found in the best retrieved
 * chunk and (b) the best chunk's cosine similarity to the question (when there is a dense retriever).
 * Below the threshold the corpus is taken not to address the question. Set on evals/: the 54 retrieval
 * questions all score >= 0.511, the 24 unanswerable ones <= 0.319 (USE-Lite); without vectors the
 * lexical share alone is used (answerable >= 0.416, unanswerable <= 0.407: a thin margin).
 */
export const ABSTAIN_BELOW = { combined: 0.44, lexicalOnly: 0.41 };

export interface AskOptions {
  index: IndexSnapshot;
  embedder: Embedder | null;
  generator: Generator;
  /** Papers given to the answerer as numbered sources. */
  sources?: number;
  maxSentences?: number;
  filters?: PaperFilters;
  onToken?: (token: string) => void;
}

export interface Reference {
  n: number;
  paperId: string;
  title: string | null;
  displayTitle: string;
  authors: string[];
  date: string | null;
  year: number | null;
}

export interface AskResult {
  question: string;
  answered: boolean;
  answer: string;
  generator: string;
  sentences: SentenceSupport[];
  grounded: { supported: number; total: number };
  references: Reference[];
  /** Citations the answer made to sources that were not provided; removed from `answer`. */
  removedCitations: string[];
  /** What the checks caught besides citations: a model-written reference list, an ungrounded answer, withheld source sentences. */
  warnings: string[];
  /** Every source given to the answerer, cited or not. */
  sources: Reference[];
  /** Papers closest to the question (filled when the answer abstains). */
  nearest: Reference[];
  /** How well the corpus matches the question (see relevanceOf) and the abstention threshold. */
  relevance: { score: number; threshold: number };
}

export async function ask(question: string, options: AskOptions): Promise<AskResult> {
  const { index, generator } = options;
  const results = await searchPapers(index, options.embedder, question, { k: options.sources ?? 5, filters: options.filters });
  const relevance = relevanceOf(index, question, results);
  const top = results[0]?.score || 1;
  // Instruction-like sentences are withheld from both composers (generate/injection.ts).
  const sources: AnswerSource[] = results.map((result, i) => ({
    n: i + 1,
    paper: result.paper,
    ...answerSentences(result.paper),
    strength: result.score / top,
  }));
  const references = sources.map((source) => reference(source.n, source.paper));

  if (results.length === 0 || relevance.score < relevance.threshold) {
    return abstention(question, generator.name, references, relevance);
  }
  const raw = await generator.answer({
    question,
    sources,
    maxSentences: options.maxSentences ?? 5,
    termWeight: (term) => index.keyword.idf(term),
    onToken: options.onToken,
  });
  if (isAbstention(raw)) return abstention(question, generator.name, references, relevance);

  const cleaned = generator.generative ? stripReferenceList(raw.trim()) : { text: raw.trim(), dropped: false };
  const checked = validateCitations(cleaned.text, sources.length);
  // Checked against the usable sentences: copying a withheld instruction does not count as support.
  const grounding = checkGrounding(checked.text, (n) => sources[n - 1]?.sentences.join(" "));
  // Most serious last, right above the groundedness footer.
  const warnings = [
    ...sources
      .filter((source) => source.withheld)
      .map((source) => `source [${source.n}] has ${source.withheld} sentence(s) that read as instructions to the assistant; they were not used`),
    ...(cleaned.dropped ? ["the model wrote its own reference list; it was dropped (the references below are the retrieved papers it cited)"] : []),
    ...(grounding.supported === 0 ? ["no sentence of this answer is supported by the sources it cites: treat it as ungrounded"] : []),
  ];
  return {
    question,
    answered: true,
    answer: checked.text,
    generator: generator.name,
    sentences: grounding.sentences,
    grounded: { supported: grounding.supported, total: grounding.total },
    references: checked.cited.sort((a, b) => a - b).map((n) => references[n - 1]!),
    removedCitations: checked.removed,
    warnings,
    sources: references,
    nearest: [],
    relevance,
  };
}

export function relevanceOf(index: IndexSnapshot, question: string, results: PaperResult[]): { score: number; threshold: number } {
  const { coverage } = bestChunkCoverage(index, question, results);
  const cosines = results.flatMap((result) => result.chunks.map((match) => match.denseScore).filter((score): score is number => score !== null));
  const cosine = cosines.length ? Math.max(...cosines) : null;
  return cosine === null ? { score: coverage, threshold: ABSTAIN_BELOW.lexicalOnly } : { score: (coverage + cosine) / 2, threshold: ABSTAIN_BELOW.combined };
}

/** A model that follows the prompt answers with exactly the abstention sentence (maybe with a short aside). */
export function isAbstention(text: string): boolean {
  return /the indexed papers do not address this/i.test(text) && text.trim().length < ABSTAIN_TEXT.length + 40;
}

function abstention(question: string, generator: string, nearest: Reference[], relevance: AskResult["relevance"]): AskResult {
  return {
    question,
    answered: false,
    answer: ABSTAIN_TEXT,
    generator,
    sentences: [],
    grounded: { supported: 0, total: 0 },
    references: [],
    removedCitations: [],
    warnings: [],
    sources: [],
    nearest: nearest.slice(0, 3),
    relevance,
  };
}

export function reference(n: number, paper: Paper): Reference {
  return { n, paperId: paper.id, title: paper.title, displayTitle: paper.displayTitle, authors: paper.authors, date: paper.date, year: paper.year };
}

/** "[n] Title — date; authors (paper-id)": one reference line, plain text. */
export function referenceLine(reference: Reference): string {
  const facts = [
    reference.date ?? (reference.year ? String(reference.year) : null),
    reference.authors.length > 3 ? `${reference.authors[0]} et al.` : reference.authors.join(", ") || null,
  ];
  const known = facts.filter(Boolean);
  return `[${reference.n}] ${reference.title ?? `${reference.displayTitle} (untitled)`}${known.length ? ` — ${known.join("; ")}` : ""} (${reference.paperId})`;
}
