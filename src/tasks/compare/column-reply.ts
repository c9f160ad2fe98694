/**
 * Named columns filled by a model: the reply the prompt (prompts/compare-columns.*) asks for, how it is
 * read back, and the check that each quote really is in the abstract of its row's paper.
 */
import { stripMarkers } from "../../ground/markers.js";
import type { CompareColumn } from "./columns.js";

/** What the model wrote for one cell, before any check. */
export interface ColumnDraftCell {
  value: string | null;
  quote: string | null;
}

export interface ParsedColumns {
  rows: Map<number, Record<string, ColumnDraftCell>>;
  commonGround: string;
  differences: string;
  warnings: string[];
}

/** The JSON the prompt shows the model, for these columns. */
export function replyShape(columns: CompareColumn[]): string {
  const cell = `{"value": "<short answer>", "quote": "<words copied from that abstract>"}`;
  const cells = columns.map((column) => `"${column.label}": ${cell}`).join(", ");
  return `{"rows": [{"source": 1, "cells": {${cells}}}, …], "common_ground": "<sentences citing [n]>", "differences": "<sentences citing [n]>"}`;
}

/** Reads the model's JSON: cells by source number and column key (names matched without case). */
export function parseColumnReply(text: string, columns: CompareColumn[], sourceCount: number): ParsedColumns {
  const warnings: string[] = [];
  const rows = new Map<number, Record<string, ColumnDraftCell>>();
  const body = jsonObject(text);
  if (!body) {
    warnings.push("the model's reply was not the JSON table asked for; every cell is empty");
    return { rows, commonGround: "", differences: "", warnings };
  }
  const listed = Array.isArray(body.rows) ? body.rows : [];
  listed.forEach((row: unknown, i: number) => {
    if (!isObject(row)) return;
    const n = Number(row.source ?? i + 1);
    if (!Number.isInteger(n) || n < 1 || n > sourceCount) {
      warnings.push(`ignored a table row for source [${String(row.source)}] (only [1]–[${sourceCount}] exist)`);
      return;
    }
    const given = isObject(row.cells) ? row.cells : {};
    const byKey = new Map(Object.entries(given).map(([name, cell]) => [name.trim().toLowerCase(), cell]));
    rows.set(n, Object.fromEntries(columns.map((column) => [column.key, draftCell(byKey.get(column.key))])));
  });
  for (let n = 1; n <= sourceCount; n++) if (!rows.has(n)) warnings.push(`the model's table had no row for [${n}]`);
  return { rows, commonGround: prose(body.common_ground), differences: prose(body.differences), warnings };
}

function draftCell(cell: unknown): ColumnDraftCell {
  if (typeof cell === "string") return { value: cell.trim() || null, quote: null };
  if (!isObject(cell)) return { value: null, quote: null };
  const text = (value: unknown) => (typeof value === "string" && value.trim() && !/^(null|n\/a|none|not stated.*)$/i.test(value.trim()) ? value.trim() : null);
  return { value: text(cell.value), quote: text(cell.quote) };
}

function prose(value: unknown): string {
  if (Array.isArray(value)) return value.filter((item) => typeof item === "string").join(" ");
  return typeof value === "string" ? value.trim() : "";
}

/** The object in a reply that may wrap it in a code fence or a sentence. */
function jsonObject(text: string): Record<string, unknown> | null {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return null;
  try {
    const value = JSON.parse(text.slice(start, end + 1)) as unknown;
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Curly and straight quotes, dashes and case read alike; one UTF-16 unit in, one out, so positions map back. */
function fold(unit: string): string {
  const folded = unit
    .toLowerCase()
    .replace(/[‘’`´]/g, "'")
    .replace(/[“”„]/g, '"')
    .replace(/[‐‑‒–—]/g, "-");
  return folded.length === 1 ? folded : unit;
}

/**
 * The quote as it stands in the abstract (the abstract's own spacing and case), or null when it is not
 * there. Whitespace and case do not matter; "…" or "..." may join pieces that appear in this order.
 */
export function locateQuote(quote: string, abstract: string): string | null {
  const folded: string[] = [];
  const position: number[] = [];
  for (let i = 0; i < abstract.length; i++) {
    if (/\s/.test(abstract[i]!)) continue;
    folded.push(fold(abstract[i]!));
    position.push(i);
  }
  const haystack = folded.join("");
  const bare = stripMarkers(quote)
    .trim()
    .replace(/^["“'‘]|["”'’]$/g, "");
  const pieces = bare
    .split(/…|\.\.\./)
    .map((piece) => piece.replace(/\s+/g, "").split("").map(fold).join(""))
    .filter(Boolean);
  if (!pieces.length) return null;
  const found: string[] = [];
  let from = 0;
  for (const piece of pieces) {
    const at = haystack.indexOf(piece, from);
    if (at < 0) return null;
    found.push(abstract.slice(position[at]!, position[at + piece.length - 1]! + 1));
    from = at + piece.length;
  }
  // Cut marks at the ends stay: the quote is part of a sentence.
  const cut = (at: RegExp) => (at.test(bare) ? "…" : "");
  return `${cut(/^(…|\.\.\.)/)}${found.join(" … ")}${cut(/(…|\.\.\.)$/)}`;
}
