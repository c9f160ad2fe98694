import { InvalidArgumentError, type Command } from "commander";
import type { SourceFormat } from "../corpus/paper.js";
import { SOURCE_FORMATS } from "../corpus/paper.js";
import type { PaperFilters } from "../retrieve/filters.js";

/**
 * Longest question, query or topic: a pasted draft abstract fits (≈1,500 words); past this, embedding and
 * scoring grow superlinearly (40 KB took 6.7 s, 100 KB 37 s on 2 cores), so the limit is said, not suffered.
 */
export const MAX_QUERY_CHARS = 10_000;

/** The one-line message for an empty or overlong question/query/topic, or null when it is fine. */
export function queryProblem(text: string, what: string): string | null {
  if (!text.trim()) return `the ${what} is empty`;
  if (text.length > MAX_QUERY_CHARS)
    return `the ${what} is too long (${text.length} characters, limit ${MAX_QUERY_CHARS}); shorten it to the part that matters`;
  return null;
}

/** A whole-number option from `min` (1 unless said) to `max`. */
export function parsePositiveInt(name: string, max = 1000, min = 1) {
  return (value: string): number => {
    // Digits only: "0x10", "1e3" and " 3" are not what "a whole number" means to a user.
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(number) || number < min || number > max)
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
    return number;
  };
}

export function parseFormat(value: string): SourceFormat {
  if (!SOURCE_FORMATS.includes(value as SourceFormat))
    throw new InvalidArgumentError(`unknown format "${value}"; expected one of ${SOURCE_FORMATS.join(", ")}`);
  return value as SourceFormat;
}

function parseYear(value: string): number {
  const year = Number(value);
  if (!Number.isInteger(year) || year < 1900 || year > 2100) throw new InvalidArgumentError(`a year must look like 2023 (got "${value}")`);
  return year;
}

/** "2023" or "2021-2023" or "2021-" or "-2023". */
export function parseYearRange(value: string): { from?: number; to?: number } {
  const match = /^(\d{4})?(-)?(\d{4})?$/.exec(value.trim());
  if (!match || (!match[1] && !match[3])) throw new InvalidArgumentError(`--year takes 2023, 2021-2023, 2021- or -2023 (got "${value}")`);
  const from = match[1] ? parseYear(match[1]) : undefined;
  const to = match[3] ? parseYear(match[3]) : match[2] ? undefined : from;
  if (from !== undefined && to !== undefined && from > to) throw new InvalidArgumentError(`--year range is reversed: ${value}`);
  return { from, to };
}

export interface FilterFlags {
  year?: { from?: number; to?: number };
  source?: string;
  lang?: string;
  author?: string;
  venue?: string;
}

export function filtersFrom(flags: FilterFlags): PaperFilters {
  return { yearFrom: flags.year?.from, yearTo: flags.year?.to, source: flags.source, language: flags.lang, author: flags.author, venue: flags.venue };
}

/** A value from a fixed list, or a one-line error naming the option and the choices. */
export function choice<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!allowed.includes(value as T)) throw new InvalidArgumentError(`${name} must be one of ${allowed.join(", ")} (got "${value}")`);
    return value as T;
  };
}

export const JUDGE_KINDS = ["offline", "model"] as const;

/** --model, --offline, --judge, --timeout: how a command reaches (or avoids) a model server. */
export function addModelOptions(command: Command, timeoutSeconds = 60): Command {
  return command
    .option("--model <name>", "model on the OpenAI-compatible server (default: $CITEWISE_MODEL or $OPENAI_MODEL)")
    .option("--offline", "use the offline composer even when a model server is configured")
    .option("--judge <kind>", "who checks each sentence against its sources: offline (default) or model", choice("--judge", JUDGE_KINDS), "offline")
    .option("--timeout <seconds>", "per-request timeout for the model server", parsePositiveInt("--timeout", 3600), timeoutSeconds);
}

/** --year, --source, --lang, --author, --venue: the paper filters every search-based command and `papers list` accept. */
export function addFilterOptions(command: Command, prefix = ""): Command {
  return command
    .option("--year <range>", `${prefix}only papers from these years: 2023, 2021-2023, 2021-, -2023`, parseYearRange)
    .option("--source <text>", `${prefix}only papers from source files whose path contains this text`)
    .option("--lang <code>", `${prefix}only papers in this language (en, zh, …)`)
    .option("--author <name>", `${prefix}only papers with an author whose name contains this text`, nonEmpty("--author"))
    .option("--venue <text>", `${prefix}only papers whose venue contains this text`, nonEmpty("--venue"));
}

function nonEmpty(name: string) {
  return (value: string): string => {
    if (!value.trim()) throw new InvalidArgumentError(`${name} needs a non-empty text`);
    return value.trim();
  };
}
