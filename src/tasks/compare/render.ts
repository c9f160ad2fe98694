import { stringify } from "csv-stringify/sync";
import { TASK_DEFAULTS } from "../../settings.js";
import { wrapDocument } from "../../text/wrap.js";
import { flagUnsupported, renderWithTail, UNSUPPORTED_FLAG } from "../core/render.js";
import { NOT_STATED } from "./facets.js";
import { type Grid, type LayoutChoice, layOut } from "./layout.js";
import type { CompareCell, CompareResult } from "./types.js";

/** --format: text for the terminal, md a GitHub Markdown table, csv and json the table alone. */
export const FORMATS = ["text", "md", "csv", "json"] as const;
export type CompareFormat = (typeof FORMATS)[number];

export interface RenderOptions {
  layout?: LayoutChoice;
  width?: number;
}

/** What an empty cell shows in the terminal (the legend under the table says what it means). */
const EMPTY = "—";

/** A cell as one line: value (named columns), the quote with its citation, and the flag when unsupported. */
function cellText(cell: CompareCell, empty: string): string {
  if (cell.quote === null && !cell.value) return empty;
  const quote = cell.quote === null ? "" : `“${cell.quote}” ${cell.citations.map((n) => `[${n}]`).join("")}`.trim();
  const text = cell.value ? (quote ? `${cell.value} — ${quote}` : cell.value) : quote;
  return cell.supported === false ? `${text} ${UNSUPPORTED_FLAG}` : text;
}

function rowCells(result: CompareResult, paperId: string, empty: string): string[] {
  return result.columns.map((column) => cellText(result.facets[paperId]![column.key]!, empty));
}

/** The prose sections, unsupported sentences flagged. */
function proseBlocks(result: CompareResult): string[] {
  const blocks: string[] = [];
  for (const [title, text, sentences] of [
    ["Common ground", result.commonGround, result.commonGroundSentences],
    ["Differences", result.differences, result.differenceSentences],
  ] as const) {
    blocks.push("", `## ${title}`, "", text ? flagUnsupported(text, sentences) : "_No key phrase found to compare on._");
  }
  return blocks;
}

const heading = (result: CompareResult) => `## Comparison${result.query ? `: ${result.query}` : ""}`;

/** The table and the prose, as Markdown: the checked `text` of the result, and the body of --format md. */
export function comparisonBody(result: CompareResult): string {
  const header = `| Paper | ${result.columns.map((column) => escapeCell(column.label)).join(" | ")} |`;
  const lines = [heading(result), "", header, `|${" --- |".repeat(result.columns.length + 1)}`];
  for (const paper of result.papers) {
    const cells = rowCells(result, paper.paperId, `_${NOT_STATED}_`).map(escapeCell);
    lines.push(`| ${escapeCell(`[${paper.n}] ${paper.label}`)} | ${cells.join(" | ")} |`);
  }
  return [...lines, ...proseBlocks(result)].join("\n");
}

/** The comparison in the chosen format; json is the caller's (it prints the table with the CLI's JSON escaping). */
export function renderComparison(result: CompareResult, format: Exclude<CompareFormat, "json"> = "md", options: RenderOptions = {}): string {
  if (format === "csv") return csvTable(result);
  const body = format === "md" ? comparisonBody(result) : textBody(result, options);
  const document = renderWithTail(body, result, {
    heading: "## References\n",
    indent: "- ",
    flag: false,
    notes: result.notes.map((note) => `Note: ${note}`),
  });
  return format === "md" ? document : `${wrapDocument(document.trimEnd(), options.width ?? TASK_DEFAULTS.compare.width)}\n`;
}

/** The terminal's body: the table or paper blocks within the width, a legend for empty cells, the prose. */
function textBody(result: CompareResult, options: RenderOptions): string {
  const defaults = TASK_DEFAULTS.compare;
  const grid: Grid = {
    headers: ["Paper", ...result.columns.map((column) => column.label)],
    rows: result.papers.map((paper) => ({
      label: `[${paper.n}] ${paper.label}`,
      title: `[${paper.n}] ${paper.title ?? paper.label}`,
      cells: rowCells(result, paper.paperId, EMPTY),
    })),
  };
  const laid = layOut(grid, {
    layout: options.layout ?? defaults.layout,
    width: options.width ?? defaults.width,
    maxPapers: defaults.tableMaxPapers,
    maxRowLines: defaults.tableMaxRowLines,
  });
  const anyEmpty = grid.rows.some((row) => row.cells.includes(EMPTY));
  return [heading(result), "", laid, ...(anyEmpty ? ["", `${EMPTY} ${NOT_STATED}`] : []), ...proseBlocks(result)].join("\n");
}

/** One row per paper: its number, id and title, then each column (named columns: value and quote apart). */
function csvTable(result: CompareResult): string {
  const withValues = result.columns.filter((column) => result.papers.some((paper) => result.facets[paper.paperId]![column.key]!.value));
  const header = ["n", "paper_id", "title"];
  for (const column of result.columns) header.push(...(withValues.includes(column) ? [column.label, `${column.label} quote`] : [column.label]));
  const rows = result.papers.map((paper) => {
    const row = [String(paper.n), paper.paperId, paper.title ?? paper.label];
    for (const column of result.columns) {
      const cell = result.facets[paper.paperId]![column.key]!;
      const flag = cell.supported === false ? ` ${UNSUPPORTED_FLAG}` : "";
      if (withValues.includes(column)) row.push(cell.value ? `${cell.value}${flag}` : "", cell.quote ?? "");
      else row.push(cell.quote === null ? "" : `${cell.quote}${flag}`);
    }
    return row;
  });
  return stringify([header, ...rows]);
}

/** --format json: the table alone (--json is the whole result). */
export function comparisonTable(result: CompareResult) {
  return {
    query: result.query,
    generator: result.generator,
    columns: result.columns,
    rows: result.papers.map((paper) => ({
      n: paper.n,
      paperId: paper.paperId,
      title: paper.title,
      label: paper.label,
      cells: Object.fromEntries(
        result.columns.map((column) => {
          const { value, quote, supported, reason } = result.facets[paper.paperId]![column.key]!;
          return [column.key, { ...(value !== undefined ? { value } : {}), quote, supported, ...(reason ? { reason } : {}) }];
        }),
      ),
    })),
    commonGround: result.commonGround,
    differences: result.differences,
  };
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n+/g, " ");
}
