/**
 * The comparison for a terminal: a table whose cells wrap within the width, or, when that would be too
 * cramped (many papers, long quotes), one block per paper with its cells one under the other.
 */
import { displayWidth, padEnd, wrapText } from "../../text/wrap.js";

export const LAYOUTS = ["auto", "table", "papers"] as const;
export type LayoutChoice = (typeof LAYOUTS)[number];

/** The table as the text layouts read it: a label per row and one text per column. */
export interface Grid {
  headers: string[];
  rows: Array<{ label: string; title: string; cells: string[] }>;
}

export interface LayoutOptions {
  layout: LayoutChoice;
  width: number;
  /** auto: more papers than this get blocks. */
  maxPapers: number;
  /** auto: a row taller than this many lines gets blocks. */
  maxRowLines: number;
}

const SEPARATOR = " │ ";
const MIN_CELL = 6;
const MAX_LABEL = 18;

/** The grid laid out as a table or as blocks; `auto` takes the table only when it is readable. */
export function layOut(grid: Grid, options: LayoutOptions): string {
  const table = options.layout === "papers" ? null : tableLines(grid, options.width);
  const fits = table && grid.rows.length <= options.maxPapers && table.tallestRow <= options.maxRowLines;
  if (table && (options.layout === "table" || fits)) return table.lines.join("\n");
  return paperBlocks(grid, options.width).join("\n");
}

/** A wrapped table, or null when the columns cannot get even MIN_CELL columns each. */
function tableLines(grid: Grid, width: number): { lines: string[]; tallestRow: number } | null {
  const count = grid.headers.length;
  const room = width - SEPARATOR.length * (count - 1);
  const label = Math.min(MAX_LABEL, Math.max(displayWidth(grid.headers[0]!), ...grid.rows.map((row) => displayWidth(row.label))));
  const widths = [label, ...shares(room - label, grid, count - 1)];
  if (widths.reduce((sum, w) => sum + w, 0) > room) return null;
  const render = (cells: string[]) => {
    const wrapped = cells.map((cell, i) => wrapText(cell, widths[i]!));
    const height = Math.max(...wrapped.map((lines) => lines.length));
    const lines = Array.from({ length: height }, (_, line) =>
      wrapped
        .map((cellLines, i) => padEnd(cellLines[line] ?? "", widths[i]!))
        .join(SEPARATOR)
        .trimEnd(),
    );
    return { lines, height };
  };
  const rule = widths.map((w) => "─".repeat(w)).join("─┼─");
  const lines = [...render(grid.headers).lines, rule];
  let tallestRow = 0;
  grid.rows.forEach((row, i) => {
    const rendered = render([row.label, ...row.cells]);
    tallestRow = Math.max(tallestRow, rendered.height);
    if (i > 0) lines.push(rule);
    lines.push(...rendered.lines);
  });
  return { lines, tallestRow };
}

/** Widths of the cell columns, adding up to at most `room`: shared out by how much each holds (square roots:
 * a column of long quotes gets more, not all), none below MIN_CELL. */
function shares(room: number, grid: Grid, count: number): number[] {
  const need = Array.from({ length: count }, (_, c) =>
    Math.max(displayWidth(grid.headers[c + 1]!), ...grid.rows.map((row) => displayWidth(row.cells[c] ?? ""))),
  );
  if (need.reduce((sum, n) => sum + n, 0) <= room) return need;
  // No column narrower than its header's longest word ("Limitations" is not cut), nor than MIN_CELL.
  const least = need.map((n, c) => Math.min(n, Math.max(MIN_CELL, ...grid.headers[c + 1]!.split(/\s+/).map(displayWidth))));
  const weights = need.map((n) => Math.sqrt(Math.max(n, 1)));
  const total = weights.reduce((sum, w) => sum + w, 0);
  const widths = weights.map((w, c) => Math.min(need[c]!, Math.max(least[c]!, Math.floor((room * w) / total))));
  const sum = () => widths.reduce((all, w) => all + w, 0);
  // The floors may have taken more than the room: the widest give it back.
  while (sum() > room) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (w > least[i]! && (widest < 0 || w > widths[widest]!)) widest = i;
    });
    if (widest < 0) break;
    widths[widest]!--;
  }
  // Rounding down and capping leave some room over: given to the columns that still wrap.
  for (let c = 0; sum() < room && widths.some((w, i) => w < need[i]!); c = (c + 1) % count) if (widths[c]! < need[c]!) widths[c]!++;
  return widths;
}

/** One block per paper: its title line, then each column's label and text, wrapped under the text. */
function paperBlocks(grid: Grid, width: number): string[] {
  const indent = "  ";
  const labelWidth = Math.min(18, Math.max(...grid.headers.slice(1).map(displayWidth))) + 2;
  const textWidth = width - indent.length - labelWidth;
  const lines: string[] = [];
  grid.rows.forEach((row, i) => {
    if (i > 0) lines.push("");
    // The title's continuation lines start under its text, past the "[n] ".
    const hang = " ".repeat(displayWidth(/^\[\d+\] /.exec(row.title)?.[0] ?? ""));
    lines.push(...wrapText(row.title, width - hang.length).map((line, l) => (l ? hang + line : line)));
    row.cells.forEach((cell, c) => {
      const header = grid.headers[c + 1]!;
      const wrapped = wrapText(cell, textWidth);
      // A header longer than its column gets a line of its own.
      if (displayWidth(header) > labelWidth - 2) lines.push(`${indent}${header}`);
      const first = displayWidth(header) > labelWidth - 2 ? " ".repeat(labelWidth) : padEnd(header, labelWidth);
      lines.push(...wrapped.map((text, line) => `${indent}${line === 0 ? first : " ".repeat(labelWidth)}${text}`.trimEnd()));
    });
  });
  return lines;
}
