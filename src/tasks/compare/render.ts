import { flagUnsupported, renderWithTail, UNSUPPORTED_FLAG } from "../core/render.js";
import { TABLE_HEADER } from "./model-reply.js";
import { FACETS, NOT_STATED } from "./offline.js";
import type { CompareResult } from "./types.js";

/** The table and the prose, as Markdown; the same text goes to the terminal and to --out files. */
export function comparisonBody(result: CompareResult): string {
  const lines = [`## Comparison${result.query ? `: ${result.query}` : ""}`, "", TABLE_HEADER, `|${" --- |".repeat(FACETS.length + 1)}`];
  for (const paper of result.papers) {
    const cells = FACETS.map((facet) => {
      const cell = result.facets[paper.paperId]![facet];
      if (cell.quote === null) return `_${NOT_STATED}_`;
      const citation = cell.citations.map((n) => `[${n}]`).join("");
      return escapeCell([`“${cell.quote}”`, citation, cell.supported ? "" : UNSUPPORTED_FLAG].filter(Boolean).join(" "));
    });
    lines.push(`| ${escapeCell(`[${paper.n}] ${paper.label}`)} | ${cells.join(" | ")} |`);
  }
  for (const [title, text, sentences] of [
    ["Common ground", result.commonGround, result.commonGroundSentences],
    ["Differences", result.differences, result.differenceSentences],
  ] as const) {
    lines.push("", `## ${title}`, "");
    lines.push(text ? flagUnsupported(text, sentences) : "_No key phrase found to compare on._");
  }
  return lines.join("\n");
}

/** Plain Markdown (no colours): table, prose, references, notes and the groundedness footer. */
export function renderComparison(result: CompareResult): string {
  return renderWithTail(comparisonBody(result), result, {
    heading: "## References\n",
    indent: "- ",
    flag: false,
    notes: result.notes.map((note) => `Note: ${note}`),
  });
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n+/g, " ");
}
