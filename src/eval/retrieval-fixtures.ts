import { readFileSync } from "node:fs";
import { readableText } from "../corpus/normalize.js";
import type { Paper } from "../corpus/paper.js";
import { CitewiseError } from "../errors.js";
import { readJsonLines } from "../corpus/json-lines.js";

export interface RetrievalFixture {
  id: string;
  query: string;
  /**
   * Exact paper titles, or "abstract: <first words>" for untitled papers: a list (each counts 1), or graded
   * ({"<reference>": 2, "<reference>": 1}: 2 = what the user wants, 1 = relevant but partial).
   */
  relevant: string[] | Record<string, number>;
  kind?: string;
  /** "dev" or "test" (evals/hard-queries.jsonl): choose on dev, report test. */
  split?: string;
}

export interface ResolvedFixture extends RetrievalFixture {
  relevantIds: string[];
  /** Paper id → relevance grade (1 for list fixtures). */
  grades: Map<string, number>;
}

export class FixtureError extends CitewiseError {}

export function loadRetrievalFixtures(file: string): RetrievalFixture[] {
  const rows = readJsonLines<RetrievalFixture>(readFileSync(file, "utf8"), file, (line, message) => {
    throw new FixtureError(`${file}:${line}: invalid JSON: ${message}`);
  });
  return rows.map(({ value, line }) => {
    const relevant = value.relevant as unknown;
    const graded =
      typeof relevant === "object" &&
      relevant !== null &&
      !Array.isArray(relevant) &&
      Object.values(relevant).every((grade) => typeof grade === "number" && grade > 0);
    if (typeof value.query !== "string" || !(Array.isArray(relevant) || graded)) {
      throw new FixtureError(`${file}:${line}: a fixture needs "query" (string) and "relevant" (a list, or an object of positive grades)`);
    }
    return value;
  });
}

/** Maps each fixture's titles / abstract prefixes to paper ids; an unresolvable reference is an error. */
export function resolveFixtures(fixtures: RetrievalFixture[], papers: Iterable<Paper>): ResolvedFixture[] {
  const byTitle = new Map<string, string>();
  const list = [...papers];
  for (const paper of list) if (paper.title) byTitle.set(fold(paper.title), paper.id);
  return fixtures.map((fixture) => {
    const entries: Array<[string, number]> = Array.isArray(fixture.relevant)
      ? fixture.relevant.map((reference) => [reference, 1])
      : Object.entries(fixture.relevant);
    const grades = new Map<string, number>();
    for (const [reference, grade] of entries) {
      const prefix = /^abstract:\s*(.+)$/i.exec(reference)?.[1];
      const id = prefix ? list.find((paper) => fold(paper.abstract).startsWith(fold(prefix)))?.id : byTitle.get(fold(reference));
      if (!id) throw new FixtureError(`fixture ${fixture.id}: no indexed paper matches "${reference}"`);
      grades.set(id, Math.max(grade, grades.get(id) ?? 0));
    }
    return { ...fixture, relevantIds: [...grades.keys()], grades };
  });
}

function fold(text: string): string {
  return readableText(text).toLowerCase();
}
