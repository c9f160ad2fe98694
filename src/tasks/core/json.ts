import type { GroundingReport, SentenceSupport } from "../../ground/grounding.js";
import type { TaskName, TaskResult } from "./result.js";

/** Every result has these (related-work widens `references` with BibTeX keys). */
type AnyResult = Pick<TaskResult, "task" | "input" | "text" | "grounding">;

/** The name the input had in each command's JSON before the results were unified (kept for scripts). */
const INPUT_FIELD: Record<TaskName, string> = { ask: "question", summarize: "topic", ideas: "background", compare: "query", "related-work": "query" };

/** What --json prints for a result: its fields plus the aliases earlier versions printed. */
export type ResultJson<T extends AnyResult> = T & {
  grounding: GroundingReport;
  grounded: { supported: number; total: number };
  sentences: SentenceSupport[];
  /** ask only: the answer (= text). */
  answer?: string;
  /** related-work only: the checked prose (= text). */
  body?: string;
  /** The input under its earlier name: question, topic, background or query. */
  [alias: string]: unknown;
};

/**
 * --json of every command: the fields of TaskResult, the task's own structure, and the aliases earlier
 * versions printed (`question`/`topic`/…, `answer` for ask, `body` for related-work, `grounded` and `sentences`
 * from the grounding).
 */
export function resultJson<T extends AnyResult>(result: T): ResultJson<T> {
  const { grounding } = result;
  return {
    ...result,
    [INPUT_FIELD[result.task]]: result.input,
    ...(result.task === "ask" ? { answer: result.text } : {}),
    // related-work printed its checked prose as `body` (and the whole file, now `document`, as `text`).
    ...(result.task === "related-work" ? { body: result.text } : {}),
    grounded: { supported: grounding.supported, total: grounding.total },
    sentences: grounding.sentences,
  } as ResultJson<T>;
}
