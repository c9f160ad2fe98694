import type { BudgetReport } from "../../llm/budget.js";
import type { AnswerSource } from "../../generate/generator.js";
import { completeWithSources, write } from "../../generate/writer.js";
import type { IndexSnapshot } from "../../index/snapshot.js";
import { TASK_DEFAULTS } from "../../settings.js";
import { checkCitedText, checkedResult, taskBudget } from "../core/check.js";
import type { TaskContext } from "../core/context.js";
import { onTopic } from "../core/on-topic.js";
import { abstention, retrieve } from "../core/retrieve.js";
import { numberSources } from "../core/sources.js";
import { buildThemes } from "../themes.js";
import type { Draft } from "./draft.js";
import { distinctDrafts, modelDraft, splitIdeas } from "./model-reply.js";
import { checkNovelty, type NoveltyProbe } from "./novelty.js";
import { composeOffline } from "./offline.js";
import { salientPhrases } from "./parts.js";
import type { Idea, IdeasResult, NoveltyCheck } from "./types.js";

/**
 * Research ideas grounded in the corpus: a method one paper introduces brought to a problem another paper
 * states, with the reason it might work, each checked for novelty against the other indexed papers. Only
 * papers on the topic by themselves feed the ideas (onTopic).
 */
export async function suggestIdeas(background: string, context: TaskContext, options: { k?: number; count?: number } = {}): Promise<IdeasResult> {
  const { index } = context;
  const count = options.count ?? TASK_DEFAULTS.ideas.count;
  const retrieval = await retrieve(context, background, options.k ?? TASK_DEFAULTS.ideas.papers, { literature: true });
  if (retrieval.abstain) return { ...abstention("ideas", background, context.writer.name, retrieval), task: "ideas", ideas: [] };
  const results = await onTopic(index, context.embedder, background, retrieval.results);
  const sources = numberSources(results);
  const themes = await buildThemes(
    index,
    results.map((result) => result.paper),
  );
  const numberOf = new Map(sources.map((source) => [source.paper.id, source.n]));

  const written = await write(context.writer, {
    offline: () => ({
      drafts: composeOffline(index, background, themes, sources, count),
      droppedReferenceList: false,
      notes: [] as string[],
      budget: null as BudgetReport | null,
    }),
    model: async (chat) => {
      const outline = themes.map((theme) => `- ${theme.name} [${theme.papers.map((p) => numberOf.get(p.id)).join(", ")}]`).join("\n");
      const spec = { prompt: "ideas", budget: "ideas", request: background, replyUnits: count } as const;
      const reply = await completeWithSources(chat, spec, { background, outline, count }, sources);
      const { drafts, dropped } = distinctDrafts(splitIdeas(reply.text).map((idea) => modelDraft(index, idea, sources.length)));
      const notes =
        dropped > 0
          ? [...reply.notes, `${dropped} idea(s) of the model repeated an earlier idea's problem and method or its evidence; they were dropped`]
          : reply.notes;
      return { drafts, droppedReferenceList: reply.droppedReferenceList, notes, budget: reply.budget };
    },
  });
  const ideas: Idea[] = [];
  const blocks: string[] = [];
  for (const [i, draft] of written.drafts.entries()) {
    const probe = probeOf(index, draft);
    const own = draft.sources.map((n) => sources[n - 1]!.paper.id);
    const novelty = await checkNovelty(index, context.embedder, probe, { exclude: own, numberOf, background });
    const { probe: _, ...idea } = draft;
    ideas.push({ ...idea, keyPhrases: [...probe.problem, ...probe.method], novelty });
    blocks.push(`## Idea ${i + 1}: ${draft.title}`, "", draft.body, "", noveltyLine(novelty, draft.kind), "");
  }
  const checked = await checkCitedText(blocks.join("\n"), sources, context.judge, {
    question: background,
    termWeight: (term) => context.index.keyword.knownIdf(term),
  });
  const budget = await taskBudget(written.budget, context.judge);
  const result = checkedResult("ideas", background, { generator: context.writer.name, relevance: retrieval.relevance }, checked, sources, {
    ...written,
    budget,
  });
  // Papers were found, but no two of them combine into an idea: say so rather than print nothing.
  if (ideas.length === 0) result.text = noIdeas(sources);
  return { ...result, answered: ideas.length > 0, ideas };
}

/** The problem's and the method's phrases; a model idea without those lines is searched by its proposal's phrases. */
function probeOf(index: IndexSnapshot, draft: Draft): NoveltyProbe {
  if (draft.probe) return draft.probe;
  if (draft.problem || draft.method) return { problem: draft.problem ? [draft.problem.phrase] : [], method: draft.method ? [draft.method.phrase] : [] };
  const [first, second] = salientPhrases(index, draft.title, 2);
  return { problem: first ? [first] : [], method: second ? [second] : [] };
}

function noveltyLine(novelty: NoveltyCheck, kind: Idea["kind"]): string {
  const nearest = novelty.nearest;
  if (!nearest) return `_Novelty check: ${novelty.verdict}; no other indexed paper shares its phrases._`;
  const paper = `${nearest.n === null ? "" : `[${nearest.n}] `}${nearest.displayTitle} (${nearest.paperId})`;
  const sharing = nearest.sharedPhrases.length > 0 ? `, sharing ${nearest.sharedPhrases.map((phrase) => `"${phrase}"`).join(", ")}` : "";
  const { problem, method } = nearest.sides;
  // One side missing entirely: the nearest paper is about the problem (or the method), not about the idea.
  const other = kind === "limitation" ? "the setting" : "the method";
  const oneSided = problem === 0 ? "; it does not speak of the problem" : method === 0 ? `; it does not speak of ${other}` : "";
  const judged = novelty.verdict === "not enough indexed papers to judge" ? ` (only ${novelty.candidates} other indexed paper(s) share its phrases)` : "";
  return `_Novelty check: ${novelty.verdict}${judged}; nearest other indexed paper: ${paper}, similarity ${Math.round(nearest.similarity * 100)}%${sharing}${oneSided}._`;
}

function noIdeas(sources: AnswerSource[]): string {
  return `No idea came out of the ${sources.length} papers retrieved for this background: none introduces a method that speaks to a problem another states, and none states a limitation to build on. Try a broader background or more papers (-k).`;
}
