import type { AnswerSource } from "../../generate/generator.js";
import { type BudgetedText, budgetedPrompt } from "../../generate/prompt-budget.js";
import { completeWithSources } from "../../generate/writer.js";
import { mapMarkers, markersBeforeStop } from "../../ground/markers.js";
import { type BudgetReport, mergeBudgets } from "../../llm/budget.js";
import type { ChatModel } from "../../llm/chat-model.js";
import { isAbstention } from "../core/retrieve.js";
import type { ComposedParagraph, ThemeSources } from "./compose.js";

/** A draft written by a model: the paragraphs' themes and sources as its outline set them, and their text. */
export interface ModelDraft {
  groups: ThemeSources[];
  /** Numbered paragraph by paragraph as the outline ordered them; sources it left out come last. */
  sources: AnswerSource[];
  /** Null when the model says the sources do not cover the topic. */
  paragraphs: ComposedParagraph[] | null;
  notes: string[];
  budget: BudgetReport | null;
}

/** The outline's bounds: paragraphs of a draft, and the papers a paragraph needs. */
const OUTLINE = { minParagraphs: 2, maxParagraphs: 5, minSources: 2 };

/**
 * Outline first, then paragraph by paragraph. The model is shown citewise's themes (buildThemes) with every
 * source and replies with its outline: a theme per paragraph and the sources assigned to it, off-topic ones
 * left out. Each paragraph is then written from its own sources only, so a citation can only point at the
 * evidence that paragraph was given; its opening sentence cites all of them (judged jointly, see check.ts).
 */
export async function draftWithModel(chat: ChatModel, query: string, groups: ThemeSources[]): Promise<ModelDraft> {
  const all = groups.flatMap((group) => group.sources);
  const outline = await askOutline(chat, query, groups, all);
  if (outline.plan === "abstain") return { groups, sources: all, paragraphs: null, notes: [], budget: outline.budget };
  const notes = outline.plan ? [] : [`the model's outline could not be read (${outline.problem}); citewise's own themes were used`];
  const planned = outline.plan ? renumber(outline.plan, all) : { groups, sources: all };
  const replies: BudgetedText[] = [];
  const written: Array<{ group: ThemeSources; paragraph: ComposedParagraph }> = [];
  for (const [g, group] of planned.groups.entries()) {
    const reply = await writeParagraph(chat, query, planned, g);
    replies.push(reply);
    notes.push(...reply.notes);
    const text = joinedParagraph(reply.text);
    // A paragraph the model declines to write is left out; its sources stay numbered, uncited.
    if (isAbstention(text)) continue;
    const own = withinOwnSources(text, group, planned.sources.length);
    if (own.foreign.length) notes.push(`paragraph ${g + 1} cited ${own.foreign.map((n) => `[${n}]`).join("")}, not among the sources it was given; removed`);
    written.push({ group, paragraph: { phrase: null, text: own.text } });
  }
  const budget = mergeBudgets([outline.budget, ...replies.map((reply) => reply.budget)]);
  if (written.length === 0) return { ...planned, paragraphs: null, notes, budget };
  return { groups: written.map((entry) => entry.group), sources: planned.sources, paragraphs: written.map((entry) => entry.paragraph), notes, budget };
}

type Plan = Array<{ theme: string; sources: number[] }>;

async function askOutline(
  chat: ChatModel,
  query: string,
  groups: ThemeSources[],
  all: AnswerSource[],
): Promise<{ plan: Plan | "abstain" | null; problem: string; budget: BudgetReport }> {
  const themes = groups.map((group, g) => `${g + 1}. ${group.theme.name} [${group.sources.map((source) => source.n).join(", ")}]`).join("\n");
  const { messages, maxTokens, budget } = await budgetedPrompt(
    { prompt: "related-work-outline", budget: "relatedWorkOutline", request: query, replyUnits: all.length },
    { topic: query, themes, min_paragraphs: Math.min(OUTLINE.minParagraphs, groups.length), max_paragraphs: OUTLINE.maxParagraphs },
    all,
  );
  // JSON, not prose: read here, not by readModelText (which would take "[1, 2]" for citations).
  const raw = await chat.complete(messages, { maxTokens, temperature: 0 });
  if (isAbstention(raw.trim())) return { plan: "abstain", problem: "", budget };
  const read = readOutline(raw, all.length);
  return { plan: read.plan, problem: read.problem, budget };
}

/**
 * The outline as the model wrote it: {"paragraphs": [{"theme", "sources"}]}, in a code fence or not. A source
 * listed twice stays where it came first; unknown numbers are dropped; at most 5 paragraphs, each with 2
 * sources or more (a lone source joins no paragraph). Null with the reason when nothing usable is left.
 */
export function readOutline(raw: string, sourceCount: number): { plan: Plan | null; problem: string } {
  const json = raw.slice(raw.indexOf("{"), raw.lastIndexOf("}") + 1);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { plan: null, problem: "not JSON" };
  }
  const listed = (value as { paragraphs?: unknown })?.paragraphs;
  if (!Array.isArray(listed)) return { plan: null, problem: 'no "paragraphs" list' };
  const seen = new Set<number>();
  const plan: Plan = [];
  for (const entry of listed as Array<{ theme?: unknown; sources?: unknown }>) {
    const theme = typeof entry?.theme === "string" ? entry.theme.replace(/\s+/g, " ").trim().slice(0, 120) : "";
    const numbers = Array.isArray(entry?.sources) ? entry.sources.map(Number) : [];
    const sources = numbers.filter((n) => Number.isInteger(n) && n >= 1 && n <= sourceCount && !seen.has(n) && seen.add(n));
    if (theme && sources.length >= Math.min(OUTLINE.minSources, sourceCount)) plan.push({ theme, sources });
  }
  if (plan.length === 0) return { plan: null, problem: "no paragraph with a theme and known sources" };
  return { plan: plan.slice(0, OUTLINE.maxParagraphs), problem: "" };
}

/** The outline's paragraphs as themes, sources renumbered in its order so citations read [1], [2] … down the draft. */
function renumber(plan: Plan, all: AnswerSource[]): { groups: ThemeSources[]; sources: AnswerSource[] } {
  const placed = new Set(plan.flatMap((paragraph) => paragraph.sources));
  const order = [...plan.flatMap((paragraph) => paragraph.sources), ...all.map((source) => source.n).filter((n) => !placed.has(n))];
  const renumbered = new Map(order.map((n, i) => [n, { ...all[n - 1]!, n: i + 1 }]));
  const groups = plan.map((paragraph) => {
    const sources = paragraph.sources.map((n) => renumbered.get(n)!);
    return { theme: { name: paragraph.theme, phrases: [], papers: sources.map((source) => source.paper), subthemes: [] }, sources };
  });
  return { groups, sources: order.map((n) => renumbered.get(n)!) };
}

function writeParagraph(chat: ChatModel, query: string, planned: { groups: ThemeSources[]; sources: AnswerSource[] }, g: number): Promise<BudgetedText> {
  const group = planned.groups[g]!;
  const others = planned.groups.filter((_, i) => i !== g).map((other) => other.theme.name);
  return completeWithSources(
    chat,
    { prompt: "related-work", budget: "relatedWorkParagraph", request: `${group.theme.name}. ${query}`, replyUnits: group.sources.length },
    {
      topic: query,
      theme: group.theme.name,
      paragraph: g + 1,
      paragraph_count: planned.groups.length,
      other_themes: others.length ? others.join("; ") : "(none)",
      source_list: group.sources.map((source) => `[${source.n}]`).join(", "),
    },
    group.sources,
    { sourceCount: planned.sources.length },
  );
}

/** One paragraph per theme: headings and blank lines a model adds anyway are dropped, "claim. [2]" becomes "claim [2]." */
function joinedParagraph(text: string): string {
  return markersBeforeStop(
    text
      .replace(/\r/g, "")
      .split("\n")
      .filter((line) => !/^\s*#/.test(line))
      .join(" ")
      .replace(/\s+/g, " "),
  ).trim();
}

/**
 * Markers of the draft's other sources dropped: the model was not shown those papers for this paragraph.
 * Numbers no source has are left to validateCitations, which removes and reports them for the whole draft.
 */
function withinOwnSources(text: string, group: ThemeSources, total: number): { text: string; foreign: number[] } {
  const own = new Set(group.sources.map((source) => source.n));
  const isForeign = (n: number) => !own.has(n) && n >= 1 && n <= total;
  const foreign: number[] = [];
  const kept = mapMarkers(text, (numbers) => {
    for (const n of numbers) if (isForeign(n) && !foreign.includes(n)) foreign.push(n);
    return [...new Set(numbers.filter((n) => !isForeign(n)))].map((n) => `[${n}]`).join("");
  });
  return { text: foreign.length ? kept.replace(/[ \t]+([.,;:!?])/g, "$1").replace(/[ \t]{2,}/g, " ") : text, foreign };
}
