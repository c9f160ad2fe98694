import type { Paper } from "../../corpus/paper.js";
import type { IndexSnapshot } from "../../index/snapshot.js";
import { TASK_DEFAULTS } from "../../settings.js";
import type { TaskContext } from "../core/context.js";
import { reference, type Reference, type Relevance } from "../core/result.js";
import { retrieve } from "../core/retrieve.js";
import type { SummaryResult } from "../summarize.js";
import { buildThemes, paperVectors } from "../themes.js";
import { layoutMap, type MapLayout, type MapPoint } from "./layout.js";
import { projectTo2d } from "./projection.js";

export interface MapResult {
  topic: string;
  /** False when the corpus does not address the topic (nothing is drawn; `nearest` says what came closest). */
  answered: boolean;
  map: MapLayout | null;
  nearest: Reference[];
  relevance: Relevance;
}

/** `citewise map`: retrieve as summarize does, group into themes, and lay the papers out by their embeddings. */
export async function literatureMap(
  topic: string,
  context: Pick<TaskContext, "index" | "embedder" | "filters">,
  options: { k?: number; maxThemes?: number } = {},
): Promise<MapResult> {
  const retrieval = await retrieve(context, topic, options.k ?? TASK_DEFAULTS.map.papers);
  const { relevance } = retrieval;
  if (retrieval.abstain)
    return { topic, answered: false, map: null, nearest: retrieval.results.slice(0, 3).map((r, i) => reference(i + 1, r.paper)), relevance };
  const papers = retrieval.results.map((result) => result.paper);
  const themes = await buildThemes(context.index, papers, { maxThemes: options.maxThemes ?? TASK_DEFAULTS.map.themes });
  return { topic, answered: true, map: await mapOfThemes(context.index, topic, papers, themes), nearest: [], relevance };
}

/** `summarize --map`: the summary's own papers and top-level themes, so the picture matches the outline. */
export function mapOfSummary(index: IndexSnapshot, result: SummaryResult): Promise<MapLayout> {
  const paperOf = (n: number) => index.papers.get(result.sources[n - 1]!.paperId)!;
  const themes = result.outline.map((node) => ({ name: node.name, papers: node.sourceNumbers.map(paperOf) }));
  return mapOfThemes(
    index,
    result.input,
    result.sources.map((source) => paperOf(source.n)),
    themes,
  );
}

/**
 * Positions from the papers' dense vectors (mean of their chunk vectors), projected to 2-D. A paper without
 * stored vectors sits at the middle of its theme's other papers (or of the map).
 */
async function mapOfThemes(index: IndexSnapshot, topic: string, papers: Paper[], themes: Array<{ name: string; papers: Paper[] }>): Promise<MapLayout> {
  const themeOf = new Map(themes.flatMap((theme, t) => theme.papers.map((paper) => [paper.id, t] as const)));
  const drawn = papers.filter((paper) => themeOf.has(paper.id));
  const vectors = await paperVectors(index, drawn);
  const withVector = drawn.flatMap((_, i) => (vectors[i] ? [i] : []));
  const projected = projectTo2d(withVector.map((i) => vectors[i]!));
  const positions: Array<[number, number] | null> = drawn.map(() => null);
  withVector.forEach((i, row) => {
    positions[i] = projected[row]!;
  });
  const middle = (t: number | null): [number, number] => {
    const own = drawn.flatMap((paper, i) => (positions[i] && (t === null || themeOf.get(paper.id) === t) ? [positions[i]!] : []));
    if (own.length === 0) return t === null ? [0, 0] : middle(null);
    return [own.reduce((s, p) => s + p[0], 0) / own.length, own.reduce((s, p) => s + p[1], 0) / own.length];
  };
  const points: MapPoint[] = drawn.map((paper, i) => ({ paper, theme: themeOf.get(paper.id)!, position: positions[i] ?? middle(themeOf.get(paper.id)!) }));
  return layoutMap(
    topic,
    themes.map((theme) => theme.name),
    points,
  );
}

const round = (value: number) => Math.round(value * 10) / 10;

/** What --json prints about a map: the file, and each paper and theme where it is drawn (SVG units). */
export function mapJson(map: MapLayout, file: string | null) {
  return {
    file,
    width: map.width,
    height: map.height,
    papers: map.papers.map((placed) => ({
      id: placed.paper.id,
      title: placed.paper.title,
      displayTitle: placed.paper.displayTitle,
      year: placed.paper.year,
      theme: map.themes[placed.theme]!.name,
      x: round(placed.x),
      y: round(placed.y),
      label: placed.label?.text ?? null,
    })),
    themes: map.themes.map((theme) => ({ name: theme.name, x: round(theme.label.x), y: round(theme.label.y), count: theme.count })),
  };
}
