import type { Paper } from "../corpus/paper.js";
import type { ChatModel } from "../llm/chat-model.js";
import type { AnswerSource, Generator } from "../generate/generator.js";
import type { Embedder } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import type { PaperFilters } from "../retrieve/filters.js";
import { validateCitations } from "../ground/citations.js";
import { checkGrounding, type GroundingReport } from "../ground/support.js";
import type { PaperResult } from "../retrieve/search.js";
import { answerSentences } from "../generate/injection.js";
import { reference, type Reference } from "./ask.js";
import { endsSentence } from "../ground/markers.js";

/** What every retrieval-based literature task needs. */
export interface LiteratureTaskOptions {
  index: IndexSnapshot;
  embedder: Embedder | null;
  /** Named in the result; the text comes from `chat` when given, else from the offline composer. */
  generator: Generator;
  /** The chat model behind the generator, when the text comes from an LLM. */
  chat: ChatModel | null;
  /** Papers to retrieve. */
  k?: number;
  filters?: PaperFilters;
}

/** Numbers retrieved papers [1..n] the same way for every task, so prompts, citations and references agree. */
export function numberSources(results: PaperResult[]): AnswerSource[] {
  const top = results[0]?.score || 1;
  return results.map((result, i) => ({ n: i + 1, paper: result.paper, ...answerSentences(result.paper), strength: result.score / top }));
}

export function sourcesFromPapers(papers: Paper[]): AnswerSource[] {
  return papers.map((paper, i) => ({ n: i + 1, paper, ...answerSentences(paper), strength: 1 }));
}

export interface CheckedText {
  text: string;
  grounding: GroundingReport;
  /** Only the sources cited somewhere in the text. */
  references: Reference[];
  removedCitations: string[];
}

/**
 * The checks every task's output goes through: citations to unknown sources are removed and reported,
 * each sentence is scored against what it cites, and the reference list keeps cited sources only.
 * Markdown structure (headings, table rows) is checked sentence by sentence like prose.
 */
export function checkCitedText(text: string, sources: AnswerSource[]): CheckedText {
  const checked = validateCitations(text.trim(), sources.length);
  const grounding = checkGrounding(stripMarkdown(checked.text), (n) => sources[n - 1]?.sentences.join(" "));
  return {
    text: checked.text,
    grounding,
    references: [...checked.cited].sort((a, b) => a - b).map((n) => reference(n, sources[n - 1]!.paper)),
    removedCitations: checked.removed,
  };
}

/** Headings, table rules and italic notes ("_Papers in this theme: …_") are layout, not claims. */
function stripMarkdown(text: string): string {
  return (
    text
      .split("\n")
      .filter((line) => !/^\s*#/.test(line) && !/^\s*\|?\s*:?-{3,}/.test(line) && !/^\s*_[^_].*_\s*$/.test(line))
      .map((line) =>
        line
          .replace(/^\s*[-*]\s+/, "")
          .replace(/\|/g, " ")
          .trim(),
      )
      .filter(Boolean)
      // A bullet or line without a full stop is still one claim: close it so lines are not merged.
      .map((line) => (endsSentence(line) ? line : `${line}.`))
      .join("\n")
  );
}

/** Said above the footer when a text has claims and none of them is supported. */
export function ungroundedWarning(grounding: GroundingReport): string | null {
  return grounding.total > 0 && grounding.supported === 0 ? "Warning: no sentence is supported by the sources it cites; treat this text as ungrounded" : null;
}

export function groundedFooter(grounding: GroundingReport): string {
  return `Grounded: ${grounding.supported}/${grounding.total} sentences supported`;
}

/**
 * Appends the flag after a sentence. The checker closes a line without a full stop ("PWNED" is checked
 * as "PWNED."), so the text is also looked up without that stop.
 */
export function flagSentence(text: string, sentence: string, flag: string): string {
  if (text.includes(sentence)) return text.replace(sentence, `${sentence} ${flag}`);
  const bare = sentence.replace(/\.$/, "");
  return bare && text.includes(bare) ? text.replace(bare, `${bare} ${flag}`) : text;
}
