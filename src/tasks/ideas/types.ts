import type { Reference, TaskResult } from "../core/result.js";

export type NoveltyVerdict = "likely new" | "partly explored" | "already explored" | "not enough indexed papers to judge";

/** The indexed paper closest to an idea, other than the idea's own sources. */
export interface NearestPaper extends Omit<Reference, "n"> {
  /** Its number among this run's sources when retrieval brought it, else null (it is not in the reference list). */
  n: number | null;
  /** IDF-weighted share of the idea's problem and method terms the paper contains, the two sides averaged (0..1). */
  similarity: number;
  /** The share of each side's terms it contains; null for a side the idea does not have. */
  sides: { problem: number | null; method: number | null };
  /** The idea's key phrases (or their words) that the paper's title and abstract contain. */
  sharedPhrases: string[];
}

export interface NoveltyCheck {
  verdict: NoveltyVerdict;
  /** The nearest paper's similarity (0 when there is none). */
  overlap: number;
  nearest: NearestPaper | null;
  /** Candidate papers: found by the search for the idea's phrases and sharing any of its words, its own sources left out. */
  candidates: number;
}

/** One side of an idea: a noun phrase, the sentence it comes from, and the sources that sentence cites. */
export interface IdeaPart {
  phrase: string;
  sentence: string;
  sources: number[];
}

export interface Idea {
  /** One readable sentence: the method, where it comes from, and the problem it is brought to. */
  title: string;
  /** transfer: a method of one paper for a problem stated in another; limitation: a stated problem no retrieved method meets. */
  kind: "transfer" | "limitation" | "model";
  problem: IdeaPart | null;
  method: IdeaPart | null;
  /** Why it might work: the evidence sentence that links the method to the problem, as written under the idea. */
  why: string | null;
  /** Source numbers the idea is built from: its novelty check never names them. */
  sources: number[];
  /** What the novelty check searched for: the problem's and the method's phrases. */
  keyPhrases: string[];
  novelty: NoveltyCheck;
}

export type IdeasResult = TaskResult & { task: "ideas"; ideas: Idea[] };
