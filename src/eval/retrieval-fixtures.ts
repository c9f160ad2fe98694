import { readFileSync } from "node:fs";
import { normalizeText } from "../corpus/normalize.js";
import type { Paper } from "../corpus/paper.js";
import { CitewiseError } from "../errors.js";
import { readJsonLines } from "../corpus/json-lines.js";

export interface RetrievalFixture {
  id: string;
  query: string;
  /** Exact paper titles, or "abstract: <first words>" for untitled papers. */
  relevant: string[];
  kind?: string;
}

export interface ResolvedFixture extends RetrievalFixture {
  relevantIds: string[];
}

export class FixtureError extends CitewiseError {}

export function loadRetrievalFixtures(file: string): RetrievalFixture[] {
  const rows = readJsonLines<RetrievalFixture>(readFileSync(file, "utf8"), file, (line, message) => {
    throw new FixtureError(`${file}:${line}: invalid JSON: ${message}`);
  });
  return rows.map(({ value, line }) => {
    if (typeof value.query !== "string" || !Array.isArray(value.relevant)) {
      throw new FixtureError(`${file}:${line}: a fixture needs "query" (string) and "relevant" (array)`);
    }
    return value;
  });
}

/** Maps each fixture's titles / abstract prefixes to paper ids; an unresolvable reference is an error. */
export function resolveFixtures(fixtures: RetrievalFixture[], papers: Iterable<Paper>): ResolvedFixture[] {
  const byTitle = new Map<string, string>();
  const list = [...papers];
  for (const paper of list) if (paper.title) byTitle.set(fold(paper.title), paper.id);
  return fixtures.map((fixture) => ({
    ...fixture,
    relevantIds: fixture.relevant.map((reference) => {
      const prefix = /^abstract:\s*(.+)$/i.exec(reference)?.[1];
      const id = prefix ? list.find((paper) => fold(paper.abstract).startsWith(fold(prefix)))?.id : byTitle.get(fold(reference));
      if (!id) throw new FixtureError(`fixture ${fixture.id}: no indexed paper matches "${reference}"`);
      return id;
    }),
  }));
}

function fold(text: string): string {
  return normalizeText(text).toLowerCase();
}
