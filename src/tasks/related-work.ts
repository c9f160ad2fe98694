import path from "node:path";
import type { Paper } from "../corpus/paper.js";
import type { ChatModel } from "../llm/chat-model.js";
import { ABSTAIN_TEXT, type AnswerSource } from "../generate/generator.js";
import { formatSource } from "../generate/llm-answerer.js";
import { citationsIn } from "../ground/citations.js";
import { renderPrompt } from "../llm/prompts.js";
import type { GroundingReport } from "../ground/support.js";
import { searchPapers, type PaperResult } from "../retrieve/search.js";
import { isAbstention, reference, relevanceOf, type Reference } from "./ask.js";
import { assignCitationKeys, bibtexFor, formatReferences, type CitationStyle, type UserBibEntry } from "./bibliography.js";
import { checkCitedText, numberSources, type LiteratureTaskOptions } from "./cited-document.js";
import { composeParagraphs, type ComposedParagraph, type ThemeSources } from "./related-work-compose.js";
import { renderDocument, renderParagraph, type OutputFormat } from "./related-work-render.js";
import { buildThemes, type Theme } from "./themes.js";
import { markersBeforeStop } from "../ground/markers.js";

export interface RelatedWorkOptions extends LiteratureTaskOptions {
  /** Entries of the user's .bib: their keys are reused for the papers they describe. */
  userBib?: UserBibEntry[];
  format?: OutputFormat;
  style?: CitationStyle;
  /** Named by the LaTeX \bibliography line. */
  bibFile?: string;
}

export interface RelatedWorkTheme {
  name: string;
  /** Phrase the offline lead sentence names the theme by (null for model-written text). */
  phrase: string | null;
  /** The theme's paragraph in the output format. */
  paragraph: string;
  paperIds: string[];
}

export interface RelatedWorkReference extends Reference {
  key: string;
  formatted: string;
}

export interface RelatedWorkResult {
  query: string;
  answered: boolean;
  generator: string;
  format: OutputFormat;
  style: CitationStyle;
  themes: RelatedWorkTheme[];
  /** The checked paragraphs with [n] markers: what the grounding check scored. */
  body: string;
  /** The document as printed, in `format`: heading, paragraphs, references, notes, footer. */
  text: string;
  /** Cited papers only. */
  references: RelatedWorkReference[];
  /** BibTeX of the cited papers, under the keys used in the text. */
  bibtex: string;
  removedCitations: string[];
  grounding: GroundingReport;
  grounded: { supported: number; total: number };
  /** Every numbered source, cited or not. */
  sources: Reference[];
  /** Papers closest to the topic (filled when abstaining). */
  nearest: Reference[];
  relevance: { score: number; threshold: number };
}

/** What every result starts with, answered or not. */
type Header = Pick<RelatedWorkResult, "query" | "generator" | "format" | "style" | "relevance">;

/** Most paragraphs a draft gets (buildThemes decides how many, from 2 up). */
const PARAGRAPHS = { max: 5 };

/** Retrieve → group into themes → write one paragraph per theme → check citations and grounding → references and BibTeX. */
export async function relatedWork(query: string, options: RelatedWorkOptions): Promise<RelatedWorkResult> {
  const { index, chat } = options;
  const results = await searchPapers(index, options.embedder, query, { k: options.k ?? 12, filters: options.filters });
  const relevance = relevanceOf(index, query, results);
  const base: Header = { query, generator: options.generator.name, format: options.format ?? "md", style: options.style ?? "apa", relevance };
  if (results.length === 0 || relevance.score < relevance.threshold) return abstention(base, results);

  const themes = paragraphThemes(
    await buildThemes(
      index,
      results.map((result) => result.paper),
      { maxThemes: PARAGRAPHS.max },
    ),
    results,
  );
  // Sources are numbered theme by theme, so citations read in order and the prompt groups them.
  const order = themes.flatMap((theme) => theme.papers.map((paper) => results.find((result) => result.paper.id === paper.id)!));
  const sources = numberSources(order);
  const groups: ThemeSources[] = [];
  for (const theme of themes) {
    const start = groups.reduce((sum, group) => sum + group.sources.length, 0);
    groups.push({ theme, sources: sources.slice(start, start + theme.papers.length) });
  }

  const written = chat ? await writeWithModel(chat, query, groups) : composeParagraphs(groups, query, (term) => index.keyword.idf(term));
  if (!written) return abstention(base, results);
  return citedDocument(base, groups, sources, written, options);
}

/** The checks and the apparatus: citations validated, sentences scored, keys chosen, references, BibTeX, rendering. */
function citedDocument(
  base: Header,
  groups: ThemeSources[],
  sources: AnswerSource[],
  written: ComposedParagraph[],
  options: RelatedWorkOptions,
): RelatedWorkResult {
  const { format, style } = base;
  const checked = checkCitedText(written.map((paragraph) => paragraph.text).join("\n\n"), sources);
  const paragraphs = checked.text.split(/\n{2,}/);
  const cited = checked.references.map((ref) => sources[ref.n - 1]!.paper);
  const keys = assignCitationKeys(cited, options.userBib);
  const citedPapers = cited.map((paper) => ({ paper, key: keys.get(paper.id)! }));
  const formatted = formatReferences(citedPapers, style);
  const references = checked.references.map((ref) => ({ ...ref, key: keys.get(ref.paperId)!, formatted: formatted.get(ref.paperId) ?? ref.displayTitle }));
  const keyOf = (n: number) => keys.get(sources[n - 1]!.paper.id)!;
  const unsupported = checked.grounding.sentences.filter((sentence) => !sentence.supported);
  const byTheme = assignToThemes(paragraphs, groups);
  const document = {
    paragraphs,
    grounding: checked.grounding,
    references,
    removedCitations: checked.removedCitations,
    sourceCount: sources.length,
    format,
    style,
    bibFile: path.basename(options.bibFile ?? "related-work.bib"),
  };
  return {
    ...base,
    answered: true,
    themes: groups.map((group, g) => ({
      name: group.theme.name,
      // Model-written paragraphs do not follow the themes one to one, so only composed ones name a phrase.
      phrase: written.length === groups.length ? written[g]!.phrase : null,
      paragraph: byTheme[g]!.map((paragraph) => renderParagraph(paragraph, unsupported, format, keyOf)).join("\n\n"),
      paperIds: group.theme.papers.map((paper) => paper.id),
    })),
    body: checked.text,
    text: renderDocument(document, keyOf),
    references,
    bibtex: bibtexFor(citedPapers),
    removedCitations: checked.removedCitations,
    grounding: checked.grounding,
    grounded: { supported: checked.grounding.supported, total: checked.grounding.total },
    sources: sources.map((source) => reference(source.n, source.paper)),
    nearest: [],
  };
}

/**
 * First-level themes, most relevant first. A large theme is replaced by its sub-themes while that
 * keeps to 5 paragraphs, so paragraphs stay readable; a single theme is split the same way.
 */
function paragraphThemes(themes: Theme[], results: PaperResult[]): Theme[] {
  const rankOf = (paper: Paper) => results.findIndex((result) => result.paper.id === paper.id);
  const bestRank = (theme: Theme) => Math.min(...theme.papers.map(rankOf));
  let chosen = [...themes];
  for (const theme of [...themes].sort((a, b) => b.papers.length - a.papers.length)) {
    if (theme.subthemes.length > 1 && chosen.length - 1 + theme.subthemes.length <= PARAGRAPHS.max) {
      chosen = chosen.flatMap((other) => (other === theme ? theme.subthemes : [other]));
    }
  }
  return chosen.map((theme) => ({ ...theme, papers: [...theme.papers].sort((a, b) => rankOf(a) - rankOf(b)) })).sort((a, b) => bestRank(a) - bestRank(b));
}

/** The model's paragraphs, or null when it says the sources do not cover the topic. */
async function writeWithModel(chat: ChatModel, query: string, groups: ThemeSources[]): Promise<ComposedParagraph[] | null> {
  const numbers = (group: ThemeSources) => group.sources.map((source) => `[${source.n}]`).join(", ");
  const messages = await renderPrompt("related-work", {
    topic: query,
    paragraph_count: groups.length,
    source_count: groups.reduce((sum, group) => sum + group.sources.length, 0),
    themes: groups.map((group, g) => `${g + 1}. ${group.theme.name} (sources ${numbers(group)})`).join("\n"),
    sources: groups.map((group, g) => [`Theme ${g + 1}: ${group.theme.name}`, ...group.sources.map(formatSource)].join("\n\n")).join("\n\n"),
  });
  const text = await chat.complete(messages);
  return isAbstention(text) ? null : splitParagraphs(text).map((paragraph) => ({ phrase: null, text: paragraph }));
}

/**
 * Model output as paragraphs of one line each: headings and any reference list it added are dropped,
 * and "claim. [2]" becomes "claim [2]." (as the grounding check reads it), so flags land on the text.
 */
function splitParagraphs(text: string): string[] {
  const kept: string[] = [];
  for (const line of text.replace(/\r/g, "").split("\n")) {
    if (/^\s*(#+\s*)?(references|bibliography)\s*:?\s*$/i.test(line)) break;
    if (!/^\s*#/.test(line)) kept.push(line);
  }
  return kept
    .join("\n")
    .split(/\n\s*\n/)
    .map((paragraph) => markersBeforeStop(paragraph.replace(/\s*\n\s*/g, " ")).trim())
    .filter(Boolean);
}

/** Paragraph i goes to theme i when the counts agree; otherwise each goes to the theme it cites most. */
function assignToThemes(paragraphs: string[], groups: ThemeSources[]): string[][] {
  const assigned: string[][] = groups.map(() => []);
  if (paragraphs.length === groups.length) {
    for (const [i, paragraph] of paragraphs.entries()) assigned[i]!.push(paragraph);
    return assigned;
  }
  let last = 0;
  for (const paragraph of paragraphs) {
    const cited = new Set(citationsIn(paragraph));
    const counts = groups.map((group) => group.sources.filter((source) => cited.has(source.n)).length);
    const best = counts.reduce((top, count, g) => (count > counts[top]! ? g : top), last);
    assigned[best]!.push(paragraph);
    last = best;
  }
  return assigned;
}

function abstention(base: Header, results: PaperResult[]): RelatedWorkResult {
  return {
    ...base,
    answered: false,
    themes: [],
    body: "",
    text: `${ABSTAIN_TEXT}\n`,
    references: [],
    bibtex: "",
    removedCitations: [],
    grounding: { sentences: [], supported: 0, total: 0 },
    grounded: { supported: 0, total: 0 },
    sources: [],
    nearest: results.slice(0, 3).map((result, i) => reference(i + 1, result.paper)),
  };
}
