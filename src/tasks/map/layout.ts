import type { Paper } from "../../corpus/paper.js";
import { TASK_DEFAULTS } from "../../settings.js";
import { type Box, labelBox, type MapLabel, placePaperLabel, placeThemeLabel } from "./labels.js";
import { shortTitle, textWidth } from "./text-width.js";

export type { Box, MapLabel };

/** One paper to draw: which theme it belongs to and where the projection put it (any units). */
export interface MapPoint {
  paper: Paper;
  theme: number;
  position: [number, number];
}

export interface PlacedPaper {
  paper: Paper;
  theme: number;
  /** Marker centre, in SVG units. */
  x: number;
  y: number;
  /** The short title beside the marker; null when no free spot was found (the tooltip still has it). */
  label: MapLabel | null;
}

export interface PlacedTheme {
  name: string;
  count: number;
  /** Where the theme's name sits: on its cluster, near the centroid of its papers. */
  label: MapLabel;
  /** The legend entry's swatch (top left) and text baseline. */
  legend: { x: number; y: number; text: string };
}

export interface MapLayout {
  topic: string;
  width: number;
  height: number;
  plot: Box;
  papers: PlacedPaper[];
  themes: PlacedTheme[];
  /** What the picture shows, as lines under the legend (baseline y each). */
  note: Array<{ text: string; y: number }>;
}

/** Sizes of the drawing, in SVG units. */
export const LAYOUT = {
  margin: 24,
  /** Title and subtitle above the plot. */
  header: 64,
  markerRadius: 6,
  /** Free space kept between two markers, so no paper hides another. */
  markerGap: 4,
  /** Plot edge to the outermost marker centres (labels may reach further out). */
  inset: 18,
  labelSize: 11,
  themeSize: 15,
  legendSize: 12,
  /**
   * The plot's height follows the papers' spread, within these bounds; a map of many papers may grow taller
   * (12 units per paper past 20) so their labels find room.
   */
  minPlotHeight: 380,
  maxPlotHeight: 640,
  tallestPlot: 900,
  legendRow: 22,
  /** The explanatory note under the legend: font size and line height. */
  noteSize: 12,
  noteLine: 16,
  /** Most the horizontal scale may exceed the vertical one (1 = both axes to one scale). */
  maxStretch: 1.4,
  /** Distances from the middle are drawn as r^radialPower (see compressRadially). */
  radialPower: 0.6,
  /** A label that does not fit is tried again this short before it is left to the tooltip. */
  shortLabelChars: 22,
} as const;

/**
 * Places markers, labels, theme names and legend: the projection scaled into the plot (nearly one scale for
 * both axes, so distances stay comparable), markers nudged apart until none overlaps, theme names put on their
 * clusters where they cover no marker, then paper labels in retrieval order at the first free spot around
 * their marker.
 */
export function layoutMap(topic: string, themeNames: string[], points: MapPoint[], width: number = TASK_DEFAULTS.map.width): MapLayout {
  const { plot, centres } = scaleIntoPlot(points, width);
  spreadMarkers(centres, plot);
  const markerBoxes = centres.map(([x, y]) => circleBox(x, y, LAYOUT.markerRadius + 1));
  const taken: Box[] = [...markerBoxes];
  // Labels stay within the plot's height and may reach a little into the side margins.
  const labelArea = { ...plot, x0: plot.x0 - LAYOUT.margin / 2, x1: plot.x1 + LAYOUT.margin / 2 };

  const themes = themeNames.map((name, t) => {
    const members = centres.filter((_, i) => points[i]!.theme === t);
    const label = placeThemeLabel(shortTitle(name, TASK_DEFAULTS.map.labelChars), members, LAYOUT.themeSize, labelArea, taken);
    taken.push(labelBox(label, LAYOUT.themeSize, true));
    return { name, count: members.length, label };
  });

  const papers = points.map((point, i) => {
    const [x, y] = centres[i]!;
    const title = point.paper.displayTitle;
    const variants = [shortTitle(title, TASK_DEFAULTS.map.labelChars), shortTitle(title, LAYOUT.shortLabelChars)];
    const label = placePaperLabel(x, y, variants, LAYOUT.labelSize, labelArea, taken);
    if (label) taken.push(labelBox(label, LAYOUT.labelSize));
    return { paper: point.paper, theme: point.theme, x, y, label };
  });

  const { entries, bottom } = legendEntries(themes, width, plot.y1 + 28);
  const note = wrapText(NOTE, LAYOUT.noteSize, width - 2 * LAYOUT.margin);
  const noteTop = bottom + 10;
  return {
    topic,
    width,
    height: Math.ceil(noteTop + note.length * LAYOUT.noteLine + LAYOUT.margin),
    plot,
    papers,
    themes: themes.map((theme, t) => ({ ...theme, legend: entries[t]! })),
    note: note.map((text, line) => ({ text, y: noteTop + (line + 1) * LAYOUT.noteLine - 4 })),
  };
}

const NOTE =
  "Each dot is a paper, placed by a 2-D projection (classical MDS) of its embedding: nearby papers have similar abstracts " +
  "(distances from the middle are compressed). Colour = theme. Hover a dot for its title, year and id.";

/** Words packed into lines no wider than `width`. */
function wrapText(text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.at(-1);
    if (last !== undefined && textWidth(`${last} ${word}`, size) <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * Distance from the middle of the map, compressed (r ↦ r^power, directions kept): in 512 dimensions a few
 * papers far from the rest would otherwise squeeze everything else into the centre of the plot.
 */
export function compressRadially(positions: Array<[number, number]>, power = LAYOUT.radialPower): Array<[number, number]> {
  const n = positions.length || 1;
  const mx = positions.reduce((sum, p) => sum + p[0], 0) / n;
  const my = positions.reduce((sum, p) => sum + p[1], 0) / n;
  const radius = Math.max(0, ...positions.map(([x, y]) => Math.hypot(x - mx, y - my)));
  if (radius < 1e-12) return positions.map((p) => [p[0], p[1]]);
  return positions.map(([x, y]) => {
    const r = Math.hypot(x - mx, y - my);
    const factor = r < 1e-12 ? 0 : (r / radius) ** power * (radius / r);
    return [mx + (x - mx) * factor, my + (y - my) * factor];
  });
}

function scaleIntoPlot(points: MapPoint[], width: number): { plot: Box; centres: Array<[number, number]> } {
  const compressed = compressRadially(points.map((p) => p.position));
  const xs = compressed.map((p) => p[0]);
  const ys = compressed.map((p) => p[1]);
  const span = (values: number[]) => (values.length ? Math.max(...values) - Math.min(...values) : 0);
  const [spanX, spanY] = [span(xs), span(ys)];
  const innerWidth = width - 2 * LAYOUT.margin - 2 * LAYOUT.inset;
  const wanted = spanX > 1e-9 ? (innerWidth * spanY) / spanX : LAYOUT.minPlotHeight;
  const tallest = Math.min(LAYOUT.tallestPlot, Math.max(LAYOUT.maxPlotHeight, 400 + 12 * points.length));
  const innerHeight = Math.min(tallest, Math.max(LAYOUT.minPlotHeight, wanted)) - 2 * LAYOUT.inset;
  const plot = { x0: LAYOUT.margin, y0: LAYOUT.margin + LAYOUT.header, x1: width - LAYOUT.margin, y1: 0 };
  plot.y1 = plot.y0 + innerHeight + 2 * LAYOUT.inset;
  const scale = Math.min(spanX > 1e-9 ? innerWidth / spanX : Infinity, spanY > 1e-9 ? innerHeight / spanY : Infinity);
  const finite = Number.isFinite(scale) ? scale : 0;
  // A tall spread would leave the sides empty: the horizontal scale may grow a little to use the width.
  const scaleX = spanX > 1e-9 ? Math.min(innerWidth / spanX, finite * LAYOUT.maxStretch) : finite;
  const midX = (Math.max(...xs) + Math.min(...xs)) / 2;
  const midY = (Math.max(...ys) + Math.min(...ys)) / 2;
  const cx = (plot.x0 + plot.x1) / 2;
  const cy = (plot.y0 + plot.y1) / 2;
  // SVG's y grows downwards: flip, so the picture reads like a plot.
  return { plot, centres: compressed.map(([x, y]) => [cx + (x - midX) * scaleX, cy - (y - midY) * finite]) };
}

/** Pushes overlapping markers apart (pairwise, a few rounds), keeping them inside the plot. */
function spreadMarkers(centres: Array<[number, number]>, plot: Box): void {
  const least = 2 * LAYOUT.markerRadius + LAYOUT.markerGap;
  const clamp = (p: [number, number]) => {
    p[0] = Math.min(plot.x1 - LAYOUT.inset, Math.max(plot.x0 + LAYOUT.inset, p[0]));
    p[1] = Math.min(plot.y1 - LAYOUT.inset, Math.max(plot.y0 + LAYOUT.inset, p[1]));
  };
  for (let round = 0; round < 200; round++) {
    let moved = false;
    for (let i = 0; i < centres.length; i++) {
      for (let j = i + 1; j < centres.length; j++) {
        const a = centres[i]!;
        const b = centres[j]!;
        let dx = b[0] - a[0];
        let dy = b[1] - a[1];
        let distance = Math.hypot(dx, dy);
        if (distance >= least - 1e-6) continue;
        if (distance < 1e-6) {
          // Same spot: part them along a fixed direction that differs per pair.
          const angle = (i * 7 + j * 13) * 2.399963;
          [dx, dy, distance] = [Math.cos(angle), Math.sin(angle), 1];
        }
        const push = (least - distance) / 2 + 0.01;
        a[0] -= (dx / distance) * push;
        a[1] -= (dy / distance) * push;
        b[0] += (dx / distance) * push;
        b[1] += (dy / distance) * push;
        clamp(a);
        clamp(b);
        moved = true;
      }
    }
    if (!moved) break;
  }
}

function legendEntries(themes: Array<{ name: string; count: number }>, width: number, top: number) {
  let x = LAYOUT.margin;
  let y = top;
  const entries = themes.map((theme) => {
    const text = `${shortTitle(theme.name, 60)} (${theme.count})`;
    const room = 18 + textWidth(text, LAYOUT.legendSize) + 22;
    if (x > LAYOUT.margin && x + room > width - LAYOUT.margin) {
      x = LAYOUT.margin;
      y += LAYOUT.legendRow;
    }
    const entry = { x, y, text };
    x += room;
    return entry;
  });
  return { entries, bottom: y + LAYOUT.legendRow };
}

function circleBox(x: number, y: number, r: number): Box {
  return { x0: x - r, y0: y - r, x1: x + r, y1: y + r };
}
