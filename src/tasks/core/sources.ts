import type { Paper } from "../../corpus/paper.js";
import type { AnswerSource } from "../../generate/generator.js";
import { answerSentences } from "../../generate/injection.js";
import type { PaperResult } from "../../retrieve/search.js";

/**
 * Retrieved papers as numbered sources [1..n], the same way for every task, so prompts, citations and
 * references agree. Instruction-like sentences are withheld here (generate/injection.ts), once.
 */
export function numberSources(results: PaperResult[]): AnswerSource[] {
  const top = results[0]?.score || 1;
  return results.map((result, i) => ({ n: i + 1, paper: result.paper, ...answerSentences(result.paper), strength: result.score / top }));
}

/** Papers the user named (compare by id): numbered in their order, all equally strong. */
export function sourcesFromPapers(papers: Paper[]): AnswerSource[] {
  return papers.map((paper, i) => ({ n: i + 1, paper, ...answerSentences(paper), strength: 1 }));
}
