import { OPENS_WITH_CONTRIBUTION } from "../text/contribution.js";
import type { AnswerSource } from "../generate/generator.js";
import { thirdPerson } from "../generate/extractive.js";
import { completeWithSources, write } from "../generate/writer.js";
import type { Embedder } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import { bestChunkCoverage } from "../retrieve/coverage.js";
import { searchPapers } from "../retrieve/search.js";
import { TASK_DEFAULTS } from "../settings.js";
import { keyPhrases } from "../text/phrases.js";
import { keywordTerms } from "../text/tokenize.js";
import { checkCitedText, checkedResult } from "./core/check.js";
import type { TaskContext } from "./core/context.js";
import { reference, type Reference, type TaskResult } from "./core/result.js";
import { abstention, retrieve } from "./core/retrieve.js";
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

export type IdeasResult = TaskResult & { task: "ideas"; ideas: Idea[] };

/** Calibrated loosely by hand on the sample corpus: a proposal whose terms one paper already covers is not new. */
export const NOVELTY_LEVELS = { explored: 0.85, partly: 0.6 };

const LIMITATION =
  /\b(however|limitation|limited|remains? (unclear|challenging|open|difficult)|challenging|bottleneck|fail(s|ed)? to|cannot|struggle|costly|expensive|prohibitive|lack)\b/i;

/** Research ideas grounded in the corpus: cross-theme transfers and stated limitations, each novelty-checked. */
export async function suggestIdeas(background: string, context: TaskContext, options: { k?: number; count?: number } = {}): Promise<IdeasResult> {
  const { index } = context;
  const count = options.count ?? TASK_DEFAULTS.ideas.count;
  const retrieval = await retrieve(context, background, options.k ?? TASK_DEFAULTS.ideas.papers, { literature: true });
  if (retrieval.abstain) return { ...abstention("ideas", background, context.writer.name, retrieval), task: "ideas", ideas: [] };
  const { sources } = retrieval;
  const themes = await buildThemes(
    index,
    retrieval.results.map((result) => result.paper),
  );
  const numberOf = new Map(sources.map((source) => [source.paper.id, source.n]));

  const written = await write(context.writer, {
    offline: () => ({ drafts: composeOffline(index, themes, sources, numberOf, count), droppedReferenceList: false, notes: [] as string[] }),
    model: async (chat) => {
      const outline = themes.map((theme) => `- ${theme.name} [${theme.papers.map((p) => numberOf.get(p.id)).join(", ")}]`).join("\n");
      const reply = await completeWithSources(chat, "ideas", { background, outline, count }, sources);
      const drafts = splitIdeas(reply.text).map((draft): Draft => ({ ...draft, kind: "model", probe: draft.title, exclude: [] }));
      return { drafts, droppedReferenceList: reply.droppedReferenceList, notes: reply.notes };
    },
  });
  const ideas: Idea[] = [];
  const blocks: string[] = [];
  for (const [i, draft] of written.drafts.entries()) {
    const novelty = await checkNovelty(index, context.embedder, draft.probe, draft.exclude);
    ideas.push({ title: draft.title, kind: draft.kind, keyPhrases: draft.probe.split(" · "), novelty });
    const nearest = novelty.nearest
      ? `nearest indexed paper: ${novelty.nearest.displayTitle} (${novelty.nearest.paperId}), sharing ${Math.round(novelty.overlap * 100)}% of the proposal's key terms`
      : "no similar indexed paper";
    blocks.push(`## Idea ${i + 1}: ${draft.title}`, "", draft.body, "", `_Novelty check: ${novelty.verdict}; ${nearest}._`, "");
  }
  const checked = await checkCitedText(blocks.join("\n"), sources, context.judge, {
    question: background,
    termWeight: (term) => context.index.keyword.knownIdf(term),
  });
  const result = checkedResult("ideas", background, { generator: context.writer.name, relevance: retrieval.relevance }, checked, sources, written);
  // Papers were found, but no two of them combine into an idea: say so rather than print nothing.
  if (ideas.length === 0)
    result.text = `No idea came out of the ${sources.length} papers retrieved for this background: no two of their themes combine, and none states a limitation to build on. Try a broader background or more papers (-k).`;
  return { ...result, answered: ideas.length > 0, ideas };
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
        (s) => OPENS_WITH_CONTRIBUTION.test(s),
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
