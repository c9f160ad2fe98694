import path from "node:path";
import type { Paper } from "../../corpus/paper.js";
import { ABSTAIN_TEXT, type AnswerSource } from "../../generate/generator.js";
import { write } from "../../generate/writer.js";
import { citationsIn } from "../../ground/markers.js";
import type { BudgetReport } from "../../llm/budget.js";
import type { PaperResult } from "../../retrieve/search.js";
import { TASK_DEFAULTS } from "../../settings.js";
import { checkCitedText, checkWarnings, taskBudget } from "../core/check.js";
import type { ClaimJudge } from "../../ground/verdict.js";
import type { TaskContext } from "../core/context.js";
import { reference } from "../core/result.js";
import { abstention, type Retrieval, retrieve } from "../core/retrieve.js";
import { numberSources } from "../core/sources.js";
import { buildThemes, type Theme } from "../themes.js";
import { assignCitationKeys, bibtexFor, type CitationStyle, formatReferences, type UserBibEntry } from "./bibliography.js";
import { type ComposedParagraph, composeParagraphs, type ThemeSources } from "./compose.js";
import { draftWithModel, type ModelDraft } from "./model-draft.js";
import { type OutputFormat, renderDocument, renderParagraph } from "./render.js";
import type { RelatedWorkResult } from "./types.js";

export type { RelatedWorkResult } from "./types.js";

export interface RelatedWorkOptions {
  /** Papers retrieved and grouped into themes. */
  k?: number;
  /** Entries of the user's .bib: their keys are reused for the papers they describe. */
  userBib?: UserBibEntry[];
  format?: OutputFormat;
  style?: CitationStyle;
  /** Named by the LaTeX \bibliography line. */
  bibFile?: string;
}

/** Most paragraphs a draft gets (buildThemes decides how many, from 2 up). */
const PARAGRAPHS = { max: 5 };

/** Retrieve → group into themes → write one paragraph per theme → check citations and grounding → references and BibTeX. */
export async function relatedWork(query: string, context: TaskContext, options: RelatedWorkOptions = {}): Promise<RelatedWorkResult> {
  const { index } = context;
  const format = options.format ?? TASK_DEFAULTS.relatedWork.format;
  const style = options.style ?? TASK_DEFAULTS.relatedWork.style;
  const retrieval = await retrieve(context, query, options.k ?? TASK_DEFAULTS.relatedWork.papers, { literature: true });
  if (retrieval.abstain) return abstained(query, context, retrieval, format, style);

  const themes = paragraphThemes(
    await buildThemes(
      index,
      retrieval.results.map((result) => result.paper),
      { maxThemes: PARAGRAPHS.max },
    ),
    retrieval.results,
  );
  // Sources are numbered theme by theme, so citations read in order and the prompt groups them.
  const order = themes.flatMap((theme) => theme.papers.map((paper) => retrieval.results.find((result) => result.paper.id === paper.id)!));
  const sources = numberSources(order);
  const groups: ThemeSources[] = [];
  for (const theme of themes) {
    const start = groups.reduce((sum, group) => sum + group.sources.length, 0);
    groups.push({ theme, sources: sources.slice(start, start + theme.papers.length) });
  }

  // A model plans its own outline (model-draft.ts): the groups and the numbering are then its.
  const written: ModelDraft = await write(context.writer, {
    offline: () => ({ groups, sources, paragraphs: composeParagraphs(groups, query, (term) => index.keyword.idf(term)), notes: [], budget: null }),
    model: (chat) => draftWithModel(chat, query, groups),
  });
  if (!written.paragraphs) return { ...abstained(query, context, retrieval, format, style), budget: written.budget };
  return citedDocument(
    { query, generator: context.writer.name, format, style, relevance: retrieval.relevance },
    written.groups,
    written.sources,
    { paragraphs: written.paragraphs, notes: written.notes, budget: written.budget },
    options,
    context.judge,
  );
}

function abstained(query: string, context: TaskContext, retrieval: Retrieval, format: OutputFormat, style: CitationStyle): RelatedWorkResult {
  return {
    ...abstention("related-work", query, context.writer.name, retrieval),
    task: "related-work",
    format,
    style,
    themes: [],
    document: `${ABSTAIN_TEXT}\n`,
    references: [],
    bibtex: "",
  };
}

/** The checks and the apparatus: citations validated, sentences scored, keys chosen, references, BibTeX, rendering. */
async function citedDocument(
  base: { query: string; generator: string; format: OutputFormat; style: CitationStyle; relevance: RelatedWorkResult["relevance"] },
  groups: ThemeSources[],
  sources: AnswerSource[],
  written: { paragraphs: ComposedParagraph[]; notes: string[]; budget: BudgetReport | null },
  options: RelatedWorkOptions,
  judge: ClaimJudge,
): Promise<RelatedWorkResult> {
  const { format, style } = base;
  // A sentence citing every paper of its paragraph (a theme sentence) is judged against them together.
  const checked = await checkCitedText(written.paragraphs.map((paragraph) => paragraph.text).join("\n\n"), sources, judge, {
    question: base.query,
    jointGroups: groups.map((group) => group.sources.map((source) => source.n)),
  });
  const paragraphs = checked.text.split(/\n{2,}/);
  const cited = checked.references.map((ref) => sources[ref.n - 1]!.paper);
  const keys = assignCitationKeys(cited, options.userBib);
  const citedPapers = cited.map((paper) => ({ paper, key: keys.get(paper.id)! }));
  const formatted = formatReferences(citedPapers, style);
  const references = checked.references.map((ref) => ({ ...ref, key: keys.get(ref.paperId)!, formatted: formatted.get(ref.paperId) ?? ref.displayTitle }));
  const keyOf = (n: number) => keys.get(sources[n - 1]!.paper.id)!;
  const unsupported = checked.grounding.sentences.filter((sentence) => !sentence.supported);
  const byTheme = assignToThemes(paragraphs, groups);
  const result: RelatedWorkResult = {
    task: "related-work",
    input: base.query,
    answered: true,
    generator: base.generator,
    text: checked.text,
    grounding: checked.grounding,
    references,
    removedCitations: checked.removedCitations,
    warnings: checkWarnings(sources, checked.grounding, { notes: written.notes }),
    sources: sources.map((source) => reference(source.n, source.paper)),
    nearest: [],
    relevance: base.relevance,
    budget: await taskBudget(written.budget, judge),
    format,
    style,
    themes: groups.map((group, g) => ({
      name: group.theme.name,
      // Model-written paragraphs do not follow the themes one to one, so only composed ones name a phrase.
      phrase: written.paragraphs.length === groups.length ? written.paragraphs[g]!.phrase : null,
      paragraph: byTheme[g]!.map((paragraph) => renderParagraph(paragraph, unsupported, format, keyOf)).join("\n\n"),
      paperIds: group.theme.papers.map((paper) => paper.id),
    })),
    document: "",
    bibtex: bibtexFor(citedPapers, options.userBib),
  };
  return { ...result, document: renderDocument(result, paragraphs, keyOf, path.basename(options.bibFile ?? TASK_DEFAULTS.relatedWork.bibOut)) };
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
  // Ordered by closeness to the topic: the mean relevance of a theme's papers (its best paper alone let one
  // stray paper lead a paragraph of off-topic ones), ties by best rank.
  const scoreOf = (paper: Paper) => results.find((result) => result.paper.id === paper.id)?.score ?? 0;
  const closeness = (theme: Theme) => theme.papers.reduce((sum, paper) => sum + scoreOf(paper), 0) / Math.max(1, theme.papers.length);
  return chosen
    .map((theme) => ({ ...theme, papers: [...theme.papers].sort((a, b) => rankOf(a) - rankOf(b)) }))
    .sort((a, b) => closeness(b) - closeness(a) || bestRank(a) - bestRank(b));
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
