import type { ChatModel } from "../llm/chat-model.js";
import { thirdPerson } from "../generate/extractive.js";
import type { AnswerSource } from "../generate/generator.js";
import { ABSTAIN_TEXT } from "../generate/generator.js";
import { formatSource } from "../generate/llm-answerer.js";
import { renderPrompt } from "../llm/prompts.js";
import { stripReferenceList } from "../ground/citations.js";
import type { Embedder } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import { bestChunkCoverage } from "../retrieve/coverage.js";
import { searchPapers } from "../retrieve/search.js";
import { keyPhrases } from "../text/phrases.js";
import { keywordTerms } from "../text/tokenize.js";
import { reference, relevanceOf, type Reference } from "./ask.js";
import { checkCitedText, numberSources, type CheckedText, type LiteratureTaskOptions } from "./cited-document.js";
import { buildThemes, type Theme } from "./themes.js";

export interface NoveltyCheck {
  verdict: "likely new" | "partly explored" | "already explored";
  /** Highest IDF-weighted share of the proposal's terms found in one indexed paper (0..1). */
  overlap: number;
  nearest: Reference | null;
}

export interface Idea {
  title: string;
  kind: "transfer" | "limitation" | "model";
  /** Key phrases the novelty check looked for together in one paper. */
  keyPhrases: string[];
  novelty: NoveltyCheck;
}

export interface IdeasResult extends CheckedText {
  background: string;
  answered: boolean;
  generator: string;
  ideas: Idea[];
  sources: Reference[];
}

export interface IdeasOptions extends LiteratureTaskOptions {
  count?: number;
}

/** Calibrated loosely by hand on the sample corpus: a proposal whose terms one paper already covers is not new. */
export const NOVELTY_LEVELS = { explored: 0.85, partly: 0.6 };

const LIMITATION =
  /\b(however|limitation|limited|remains? (unclear|challenging|open|difficult)|challenging|bottleneck|fail(s|ed)? to|cannot|struggle|costly|expensive|prohibitive|lack)\b/i;
const CONTRIBUTION = /^(in this (paper|work|study),?\s+)?(we|this (paper|work))\s+(propose|introduce|present|develop|design)/i;

/** Research ideas grounded in the corpus: cross-theme transfers and stated limitations, each novelty-checked. */
export async function suggestIdeas(background: string, options: IdeasOptions): Promise<IdeasResult> {
  const count = options.count ?? 5;
  const results = await searchPapers(options.index, options.embedder, background, { k: options.k ?? 20, filters: options.filters });
  const relevance = relevanceOf(options.index, background, results);
  const sources = numberSources(results);
  if (results.length === 0 || relevance.score < relevance.threshold) {
    return { background, answered: false, generator: options.generator.name, ideas: [], sources: [], ...checkCitedText(ABSTAIN_TEXT, []) };
  }
  const themes = await buildThemes(
    options.index,
    results.map((result) => result.paper),
  );
  const numberOf = new Map(sources.map((source) => [source.paper.id, source.n]));

  let drafts: Draft[];
  if (options.chat) {
    const text = await writeWithModel(background, themes, sources, numberOf, options.chat, count);
    drafts = splitIdeas(text).map((draft) => ({ ...draft, kind: "model" as const, probe: draft.title, exclude: [] }));
  } else {
    drafts = composeOffline(options.index, themes, sources, numberOf, count);
  }
  const ideas: Idea[] = [];
  const blocks: string[] = [];
  for (const [i, draft] of drafts.entries()) {
    const novelty = await checkNovelty(options.index, options.embedder, draft.probe, draft.exclude);
    ideas.push({ title: draft.title, kind: draft.kind, keyPhrases: draft.probe.split(" · "), novelty });
    const nearest = novelty.nearest
      ? `nearest indexed paper: ${novelty.nearest.displayTitle} (${novelty.nearest.paperId}), sharing ${Math.round(novelty.overlap * 100)}% of the proposal's key terms`
      : "no similar indexed paper";
    blocks.push(`## Idea ${i + 1}: ${draft.title}`, "", draft.body, "", `_Novelty check: ${novelty.verdict}; ${nearest}._`, "");
  }
  return {
    background,
    answered: ideas.length > 0,
    generator: options.generator.name,
    ideas,
    sources: sources.map((source) => reference(source.n, source.paper)),
    ...checkCitedText(blocks.join("\n"), sources),
  };
}

interface Draft {
  title: string;
  kind: Idea["kind"];
  body: string;
  /** What the novelty check searches for, and the papers the idea itself comes from. */
  probe: string;
  exclude: string[];
}

/** The rarest noun phrases of a sentence: what an idea built on it is about. */
function salientPhrases(index: IndexSnapshot, sentence: string, count: number): string[] {
  const seen = new Set<string>();
  return keyPhrases(sentence)
    .filter((phrase) => !seen.has(phrase.key) && seen.add(phrase.key))
    .map((phrase) => ({ phrase, weight: phrase.key.split(" ").reduce((sum, stem) => sum + index.keyword.idf(stem), 0) }))
    .sort((a, b) => b.weight - a.weight)
    .slice(0, count)
    .map(({ phrase }) => phrase.surface);
}

function composeOffline(index: IndexSnapshot, themes: Theme[], sources: AnswerSource[], numberOf: Map<string, number>, count: number): Draft[] {
  const source = (paperId: string) => sources[numberOf.get(paperId)! - 1]!;
  const drafts: Draft[] = [];
  const cite = (sentence: string, n: number) => `${thirdPerson(sentence).replace(/([.!?])?$/, ` [${n}]$1`)}`;
  const used = new Set<string>();

  // Methods of one theme applied to the problems of another.
  for (const from of themes) {
    for (const to of themes) {
      if (from === to || drafts.length >= Math.ceil(count / 2) + 1) continue;
      const method = pickSentence(
        from.papers.map((p) => source(p.id)),
        (s) => CONTRIBUTION.test(s),
      );
      const problem = pickSentence(
        to.papers.map((p) => source(p.id)),
        (s) => LIMITATION.test(s),
      );
      if (!method || !problem || method.source.n === problem.source.n) continue;
      used.add(method.text).add(problem.text);
      const methodPhrases = salientPhrases(index, method.text, 2);
      const problemPhrases = salientPhrases(index, problem.text, 2);
      drafts.push({
        title: `Bring ${methodPhrases.join(" / ") || "the method"} (from "${shortTitle(method.source.paper.displayTitle)}") to ${problemPhrases.join(" / ") || "the problem"} (raised in "${shortTitle(problem.source.paper.displayTitle)}")`,
        kind: "transfer",
        body: `${cite(method.text, method.source.n)} ${cite(problem.text, problem.source.n)}`,
        probe: [...methodPhrases, ...problemPhrases].join(" · "),
        exclude: [method.source.paper.id, problem.source.paper.id],
      });
    }
  }
  // Limitations stated in the abstracts, turned into questions.
  for (const candidate of sources) {
    if (drafts.length >= count) break;
    const limitation = candidate.sentences.find((s) => LIMITATION.test(s) && !used.has(s) && s.split(/\s+/).length >= 8);
    if (!limitation) continue;
    const phrases = salientPhrases(index, limitation, 3);
    drafts.push({
      title: `Open question: overcome the ${phrases.slice(0, 2).join(" / ") || "stated"} limitation of "${shortTitle(candidate.paper.displayTitle)}"`,
      kind: "limitation",
      body: cite(limitation, candidate.n),
      probe: phrases.join(" · "),
      exclude: [candidate.paper.id],
    });
  }
  return drafts.slice(0, count);
}

function pickSentence(candidates: AnswerSource[], test: (sentence: string) => boolean) {
  for (const source of candidates) {
    const position = source.sentences.findIndex(test);
    if (position >= 0) return { source, text: source.sentences[position]! };
  }
  return null;
}

function shortTitle(title: string): string {
  return title.length > 60 ? `${title.slice(0, 60).replace(/\s+\S*$/, "")}…` : title;
}

/**
 * Is the idea already a paper? Looks for one indexed paper, other than those the idea is built from,
 * that covers most of the idea's key phrases (IDF-weighted).
 */
export async function checkNovelty(index: IndexSnapshot, embedder: Embedder | null, proposal: string, exclude: string[] = []): Promise<NoveltyCheck> {
  if (keywordTerms(proposal).length === 0) return { verdict: "likely new", overlap: 0, nearest: null };
  const results = (await searchPapers(index, embedder, proposal, { k: 5 + exclude.length })).filter((result) => !exclude.includes(result.paper.id));
  const { coverage: overlap, result: closest } = bestChunkCoverage(index, proposal, results);
  const nearestPaper = (closest ?? results[0])?.paper;
  const nearest: Reference | null = nearestPaper ? reference(0, nearestPaper) : null;
  const verdict = overlap >= NOVELTY_LEVELS.explored ? "already explored" : overlap >= NOVELTY_LEVELS.partly ? "partly explored" : "likely new";
  return { verdict, overlap, nearest };
}

async function writeWithModel(
  background: string,
  themes: Theme[],
  sources: AnswerSource[],
  numberOf: Map<string, number>,
  chat: ChatModel,
  count: number,
): Promise<string> {
  const outline = themes.map((theme) => `- ${theme.name} [${theme.papers.map((p) => numberOf.get(p.id)).join(", ")}]`).join("\n");
  const messages = await renderPrompt("ideas", { background, outline, sources: sources.map(formatSource).join("\n\n"), source_count: sources.length, count });
  return stripReferenceList(await chat.complete(messages)).text;
}

/** "## Idea 2: proposal" headings split a model's answer into ideas. */
export function splitIdeas(text: string): Array<{ title: string; body: string }> {
  const ideas: Array<{ title: string; body: string }> = [];
  for (const block of text.split(/^##\s+/m).slice(1)) {
    const [heading, ...rest] = block.split("\n");
    const title = heading!.replace(/^Idea\s*\d+\s*[:.–-]\s*/i, "").trim();
    if (title) ideas.push({ title, body: rest.join("\n").trim() });
  }
  return ideas;
}
