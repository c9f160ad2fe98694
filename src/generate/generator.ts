import type { Paper } from "../corpus/paper.js";

/** A retrieved paper as the answerer sees it: numbered [n] in the prompt and in citations. */
export interface AnswerSource {
  n: number;
  paper: Paper;
  /** The abstract split into sentences (the unit of extraction), without instruction-like ones (see injection.ts). */
  sentences: string[];
  /** Sentences withheld because they read as instructions to the assistant. */
  withheld?: number;
  /** Retrieval score relative to the best source (1 for the top paper). */
  strength: number;
}

export interface AnswerRequest {
  question: string;
  sources: AnswerSource[];
  maxSentences: number;
  /** Weight of a query term (e.g. its IDF in the index); rarer terms matter more. */
  termWeight?: (term: string) => number;
  onToken?: (token: string) => void;
}

/** Writes a cited answer from numbered sources. Offline extractive composer or an LLM. */
export interface Generator {
  readonly name: string;
  /** True when the text comes from a model that may paraphrase (and so may hallucinate). */
  readonly generative: boolean;
  answer(request: AnswerRequest): Promise<string>;
}

export const ABSTAIN_TEXT = "The indexed papers do not address this.";
