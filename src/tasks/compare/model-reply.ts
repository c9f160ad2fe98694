/** The comparison a model writes: the table the prompt asks for, and how its reply is read back. */
import { citationsIn } from "../../ground/markers.js";
import { FACET_LABELS, FACETS, type Facet } from "./facets.js";

/** The table header the prompt asks for and the parser expects. */
export const TABLE_HEADER = `| Paper | ${FACETS.map((facet) => FACET_LABELS[facet]).join(" | ")} |`;

const FACET_COLUMN: Array<[Facet, RegExp]> = [
  ["problem", /problem|motivation/i],
  ["approach", /approach|method/i],
  ["data", /data|setting/i],
  ["results", /result|finding/i],
  ["limitations", /limitation/i],
];

export interface ParsedComparison {
  /** Cell text as the model wrote it, by source number and facet. */
  rows: Map<number, Partial<Record<Facet, string>>>;
  commonGround: string;
  differences: string;
  /** Row labels citing a source that was not provided, e.g. "[9]": the row is dropped. */
  removed: string[];
  warnings: string[];
}

/** Reads the model's Markdown: one table row per paper, then "Common ground" and "Differences" paragraphs. */
export function parseComparison(text: string, sourceCount: number): ParsedComparison {
  const lines = text.split(/\r?\n/);
  const rows = new Map<number, Partial<Record<Facet, string>>>();
  const warnings: string[] = [];
  const removed: string[] = [];
  const prose: Record<"common ground" | "differences", string[]> = { "common ground": [], differences: [] };
  let columns: Array<Facet | null> | null = null;
  let section: keyof typeof prose | null = null;
  let rowIndex = 0;

  for (const line of lines) {
    if (/^\s*\|/.test(line)) {
      section = null;
      if (/^\s*\|?[\s:|-]*-{3,}[\s:|-]*$/.test(line)) continue;
      const cells = tableCells(line);
      if (!columns) {
        columns = cells.map((cell) => FACET_COLUMN.find(([, pattern]) => pattern.test(cell))?.[0] ?? null);
        continue;
      }
      rowIndex++;
      const labelAt = columns.indexOf(null);
      const n = citationsIn(cells[labelAt] ?? "")[0] ?? rowIndex;
      if (n < 1 || n > sourceCount) {
        warnings.push(`ignored a table row for source [${n}] (only [1]–[${sourceCount}] exist)`);
        removed.push(`[${n}]`);
        continue;
      }
      const row = rows.get(n) ?? {};
      columns.forEach((facet, i) => {
        if (facet && cells[i] !== undefined) row[facet] = cells[i];
      });
      rows.set(n, row);
      continue;
    }
    const heading = sectionHeading(line);
    if (heading) {
      section = heading.section;
      if (heading.rest) prose[section].push(heading.rest);
    } else if (/^\s*#/.test(line)) {
      section = null;
    } else if (section && line.trim()) {
      prose[section].push(line.trim().replace(/^[-*]\s+/, ""));
    }
  }
  if (!columns) warnings.push("the model's reply had no comparison table");
  for (let n = 1; n <= sourceCount; n++) if (columns && !rows.has(n)) warnings.push(`the model's table had no row for [${n}]`);
  return { rows, commonGround: prose["common ground"].join(" "), differences: prose.differences.join(" "), removed, warnings };
}

function tableCells(line: string): string[] {
  const cells = line
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "")
    .split(/(?<!\\)\|/);
  return cells.map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

/** "## Common ground", "**Differences**: …" or "Common ground: …"; what follows a colon is content. */
function sectionHeading(line: string): { section: "common ground" | "differences"; rest: string } | null {
  const match = /^\s*(#{1,6}\s*)?(\*\*|__)?\s*(common ground|differences)\b(.*)$/i.exec(line);
  if (!match) return null;
  const tail = match[4]!.replace(/^\s*(\*\*|__)?\s*/, "");
  const isHeading = Boolean(match[1] || match[2]) || tail === "" || tail.startsWith(":");
  if (!isHeading) return null;
  const rest = match[1] ? "" : tail.replace(/^:\s*(\*\*|__)?\s*/, "").trim();
  return { section: match[3]!.toLowerCase() as "common ground" | "differences", rest };
}
