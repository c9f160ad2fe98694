import { readFileSync } from "node:fs";
import { readJsonLines } from "../corpus/json-lines.js";
import { searchLiterature } from "../retrieve/literature-search.js";
import type { TaskContext } from "../tasks/core/context.js";
import type { ThemeQuality } from "../tasks/theme-quality.js";
import { buildOutline } from "../tasks/themes.js";
import { mean } from "./metrics.js";
import { FixtureError } from "./retrieval-fixtures.js";

/** One topic whose outline is checked (evals/themes.jsonl): the summarize/ideas/related-work fixtures and 11 more. */
export interface ThemeTopic {
  id: string;
  topic: string;
  k: number;
}

export function loadThemeTopics(file: string): ThemeTopic[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new FixtureError(`cannot read theme topics ${file}`);
  }
  return readJsonLines<Record<string, unknown>>(text, file, (line, message) => {
    throw new FixtureError(`${file}:${line}: ${message}`);
  }).map(({ value, line }) => {
    if (typeof value.id !== "string" || typeof value.topic !== "string") throw new FixtureError(`${file}:${line}: a topic needs "id" and "topic"`);
    const k = value.k ?? 20;
    if (typeof k !== "number" || !Number.isInteger(k) || k < 1) throw new FixtureError(`${file}:${line}: "k" must be a positive integer`);
    return { id: value.id, topic: value.topic, k };
  });
}

export interface ThemeItem {
  id: string;
  topic: string;
  papers: number;
  outline: Array<{ name: string; papers: number; subthemes: Array<{ name: string; papers: number }> }>;
  quality: ThemeQuality;
}

export interface ThemeReport {
  topics: number;
  meanCoherence: number;
  /** Outlines whose largest theme holds more than 60 % of the papers (fine only when they share one topic). */
  overSixtyPercent: number;
  singleTheme: number;
  genericNames: number;
  names: number;
  items: ThemeItem[];
}

/** The outlines the literature tasks would build for each topic (same retrieval, same clustering), and their quality. */
export async function evaluateThemes(context: Pick<TaskContext, "index" | "embedder">, topics: ThemeTopic[]): Promise<ThemeReport> {
  const items: ThemeItem[] = [];
  for (const topic of topics) {
    const found = await searchLiterature(context.index, context.embedder, topic.topic, { k: topic.k });
    const { themes, quality } = await buildOutline(
      context.index,
      found.map((result) => result.paper),
    );
    items.push({
      id: topic.id,
      topic: topic.topic,
      papers: found.length,
      outline: themes.map((theme) => ({
        name: theme.name,
        papers: theme.papers.length,
        subthemes: theme.subthemes.map((sub) => ({ name: sub.name, papers: sub.papers.length })),
      })),
      quality,
    });
  }
  return {
    topics: items.length,
    meanCoherence: mean(items.map((item) => item.quality.coherence)),
    overSixtyPercent: items.filter((item) => item.quality.largestShare > 0.6).length,
    singleTheme: items.filter((item) => item.quality.themes === 1).length,
    genericNames: items.reduce((sum, item) => sum + item.quality.genericNames.length, 0),
    names: items.reduce((sum, item) => sum + item.outline.reduce((n, theme) => n + 1 + theme.subthemes.length, 0), 0),
    items,
  };
}
