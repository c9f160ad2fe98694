import { textWidth } from "./text-width.js";

/**
 * Where labels go: a paper's short title at the first free spot around its marker, a theme's name on its
 * cluster where it covers no marker. "Free" is judged on estimated text boxes (text-width.ts); the browser
 * test checks the drawn boxes do not overlap either.
 */

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface MapLabel {
  text: string;
  x: number;
  y: number;
  anchor: "start" | "middle" | "end";
}

/** Offsets from the centroid tried for a theme name, nearest first. */
const THEME_OFFSETS = [0, -1, 1, -2, 2, -3, 3, -4, 4].flatMap((row) => [0, -1, 1, -2, 2].map((column) => [column * 40, row * 16] as const));

/** A theme's name near the centroid of its members, on a spot free of `taken` inside `area` when there is one. */
export function placeThemeLabel(text: string, members: Array<[number, number]>, size: number, area: Box, taken: Box[]): MapLabel {
  const cx = members.reduce((sum, p) => sum + p[0], 0) / (members.length || 1);
  const cy = members.reduce((sum, p) => sum + p[1], 0) / (members.length || 1);
  const half = textWidth(text, size, true) / 2;
  // Keep the name inside the plot even when its cluster sits at an edge.
  const x = Math.min(area.x1 - half, Math.max(area.x0 + half, cx));
  const candidates = THEME_OFFSETS.map(([dx, dy]) => ({ text, x: x + dx, y: cy + 5 + dy, anchor: "middle" as const }));
  const free = candidates.find((label) => fits(labelBox(label, size, true), area, taken));
  if (free) return free;
  // Nowhere free: the spot covering the least, so the name still marks its cluster.
  return candidates.reduce((best, label) => (overlapArea(labelBox(label, size, true), taken) < overlapArea(labelBox(best, size, true), taken) ? label : best));
}

/** Spots around a marker (radius 6) for its label: beside it first, then above and below. */
const LABEL_SPOTS: Array<{ dx: number; dy: number; anchor: MapLabel["anchor"] }> = [
  { dx: 9, dy: 4, anchor: "start" },
  { dx: -9, dy: 4, anchor: "end" },
  { dx: 4, dy: -9, anchor: "start" },
  { dx: 4, dy: 17, anchor: "start" },
  { dx: -4, dy: -9, anchor: "end" },
  { dx: -4, dy: 17, anchor: "end" },
  { dx: 0, dy: -10, anchor: "middle" },
  { dx: 0, dy: 18, anchor: "middle" },
];

/** The first text variant (longest first) at the first free spot, or null: the tooltip still has the title. */
export function placePaperLabel(x: number, y: number, variants: string[], size: number, area: Box, taken: Box[]): MapLabel | null {
  for (const text of variants) {
    for (const spot of LABEL_SPOTS) {
      const label = { text, x: x + spot.dx, y: y + spot.dy, anchor: spot.anchor };
      if (fits(labelBox(label, size), area, taken)) return label;
    }
  }
  return null;
}

/** The box a line of text occupies around its baseline (ascenders and descenders included). */
export function labelBox(label: MapLabel, size: number, bold = false): Box {
  const width = textWidth(label.text, size, bold);
  const x0 = label.anchor === "start" ? label.x : label.anchor === "end" ? label.x - width : label.x - width / 2;
  return { x0: x0 - 1, y0: label.y - 0.82 * size, x1: x0 + width + 1, y1: label.y + 0.26 * size };
}

function fits(box: Box, area: Box, taken: Box[]): boolean {
  const inside = box.x0 >= area.x0 && box.x1 <= area.x1 && box.y0 >= area.y0 && box.y1 <= area.y1;
  return inside && taken.every((other) => !intersects(box, other));
}

function intersects(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

function overlapArea(box: Box, taken: Box[]): number {
  return taken.reduce(
    (sum, other) =>
      sum + Math.max(0, Math.min(box.x1, other.x1) - Math.max(box.x0, other.x0)) * Math.max(0, Math.min(box.y1, other.y1) - Math.max(box.y0, other.y0)),
    0,
  );
}
