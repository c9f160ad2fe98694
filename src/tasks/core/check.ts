import type { AnswerSource } from "../../generate/generator.js";
import { validateCitations } from "../../ground/citations.js";
import { endsSentence } from "../../ground/markers.js";
import { checkGrounding, type GroundingReport } from "../../ground/grounding.js";
import type { ClaimJudge, EvidencePaper } from "../../ground/verdict.js";
import { type BudgetReport, budgetReport, mergeBudgets } from "../../llm/budget.js";
import { tokenCounter } from "../../llm/tokens.js";
import { type Relevance, reference, type Reference, type TaskName, type TaskResult } from "./result.js";

export interface CheckedText {
  text: string;
  grounding: GroundingReport;
  /** Only the sources cited somewhere in the text. */
  references: Reference[];
  removedCitations: string[];
}

/**
 * The checks every task's text goes through: citations to unknown sources are removed and reported,
 * each sentence is scored against what it cites, and the reference list keeps cited sources only.
 * With `markdown`, structure (headings, table rows, italic notes) is layout and each list item a claim.
 */
export async function checkCitedText(
  text: string,
  sources: AnswerSource[],
  judge: ClaimJudge,
  options: { markdown?: boolean; question?: string; termWeight?: (term: string) => number; jointGroups?: number[][] } = {},
): Promise<CheckedText> {
  const checked = validateCitations(text.trim(), sources.length);
  const claims = options.markdown === false ? checked.text : stripMarkdown(checked.text);
  const grounding = await checkGrounding(claims, sources.map(asEvidence), judge, {
    question: options.question,
    termWeight: options.termWeight,
    joint: options.jointGroups ? citesWholeGroup(options.jointGroups) : undefined,
  });
  return {
    text: checked.text,
    grounding,
    references: [...checked.cited].sort((a, b) => a - b).map((n) => reference(n, sources[n - 1]!.paper)),
    removedCitations: checked.removed,
  };
}

/**
 * A task's budget report: its writing requests' (`written`) and those a model judge made since the task began
 * (ClaimJudge.takeSpending), so --json accounts for every model request. Null when no model was asked.
 */
export async function taskBudget(written: BudgetReport | null | undefined, judge: ClaimJudge): Promise<BudgetReport | null> {
  const spent = judge.takeSpending?.() ?? [];
  return mergeBudgets([written, spent.length ? budgetReport((await tokenCounter()).name, spent) : null]);
}

/**
 * Whether a sentence cites every source of one group, two or more (related-work: all papers of a paragraph):
 * a theme sentence, judged against those papers together (JudgeOptions.joint).
 */
function citesWholeGroup(groups: number[][]): (citations: number[]) => boolean {
  const keys = new Set(groups.filter((group) => group.length >= 2).map((group) => [...group].sort((a, b) => a - b).join(",")));
  return (citations) => keys.has([...new Set(citations)].sort((a, b) => a - b).join(","));
}

/** A numbered source as the judge reads it: the sentences the writer was given (withheld ones left out). */
export function asEvidence(source: AnswerSource): EvidencePaper {
  return { id: source.paper.id, title: source.paper.title, sentences: source.sentences };
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

/**
 * The warnings every task gives the same way; the most serious last, right above the groundedness footer.
 * Sources whose instruction-like sentences were withheld are named: one line each with `withheld` (ask, with a
 * handful of sources), else one line for all of them (the literature tasks cite 12–20).
 */
export function checkWarnings(
  sources: AnswerSource[],
  grounding: GroundingReport,
  options: { droppedReferenceList?: boolean; noun?: "answer" | "text"; withheld?: boolean; notes?: string[] } = {},
): string[] {
  return [
    // What reading the model's reply changed or could not read (citation styles, the sentence limit).
    ...(options.notes ?? []),
    ...withheldWarnings(sources, options.withheld ?? false),
    ...(options.droppedReferenceList
      ? ["the model wrote its own reference list; it was dropped (the references below are the retrieved papers it cited)"]
      : []),
    ...(grounding.total > 0 && grounding.supported === 0 ? [ungrounded(options.noun ?? "text")] : []),
  ];
}

function withheldWarnings(sources: AnswerSource[], each: boolean): string[] {
  const affected = sources.filter((source) => source.withheld);
  if (each)
    return affected.map((source) => `source [${source.n}] has ${source.withheld} sentence(s) that read as instructions to the assistant; they were not used`);
  if (affected.length === 0) return [];
  const count = affected.reduce((sum, source) => sum + (source.withheld ?? 0), 0);
  return [`${count} sentence(s) of source(s) ${affected.map((source) => `[${source.n}]`).join(" ")} read as instructions to the assistant; they were not used`];
}

function ungrounded(noun: "answer" | "text"): string {
  return noun === "answer"
    ? "no sentence of this answer is supported by the sources it cites: treat it as ungrounded"
    : "no sentence is supported by the sources it cites; treat this text as ungrounded";
}

/**
 * A literature task's result from its checked text: the fields every answered task shares (summarize and
 * ideas add their own structure to it). `written` says what reading the model's reply dropped or noted.
 */
export function checkedResult<T extends TaskName>(
  task: T,
  input: string,
  meta: { generator: string; relevance: Relevance | null },
  checked: CheckedText,
  sources: AnswerSource[],
  written: { droppedReferenceList: boolean; notes: string[]; budget?: BudgetReport | null },
): TaskResult & { task: T } {
  return {
    task,
    input,
    answered: true,
    generator: meta.generator,
    ...checked,
    warnings: checkWarnings(sources, checked.grounding, { droppedReferenceList: written.droppedReferenceList, notes: written.notes }),
    sources: sources.map((source) => reference(source.n, source.paper)),
    nearest: [],
    relevance: meta.relevance,
    budget: written.budget ?? null,
  };
}
