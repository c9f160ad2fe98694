import type { BudgetReport } from "../llm/budget.js";
import { selectSentences, thirdPerson } from "../generate/extractive.js";
import type { AnswerSource } from "../generate/generator.js";
import { completeWithSources, write } from "../generate/writer.js";
import { TASK_DEFAULTS } from "../settings.js";
import { checkCitedText, checkedResult, taskBudget } from "./core/check.js";
import type { TaskContext } from "./core/context.js";
import type { TaskResult } from "./core/result.js";
import { abstention, retrieve } from "./core/retrieve.js";
import { buildThemes, type Theme } from "./themes.js";

export interface OutlineNode {
  name: string;
  phrases: string[];
  sourceNumbers: number[];
  subthemes: OutlineNode[];
}

export type SummaryResult = TaskResult & { task: "summarize"; outline: OutlineNode[] };

/** Retrieve broadly, cluster into a two-level theme outline, summarise each theme with cited sentences. */
export async function summarize(topic: string, context: TaskContext, options: { k?: number } = {}): Promise<SummaryResult> {
  const retrieval = await retrieve(context, topic, options.k ?? TASK_DEFAULTS.summarize.papers, { literature: true });
  if (retrieval.abstain) return { ...abstention("summarize", topic, context.writer.name, retrieval), task: "summarize", outline: [] };
  const { sources } = retrieval;
  const numberOf = new Map(sources.map((source) => [source.paper.id, source.n]));
  const toNode = (theme: Theme): OutlineNode => ({
    name: theme.name,
    phrases: theme.phrases,
    sourceNumbers: theme.papers.map((paper) => numberOf.get(paper.id)!).sort((a, b) => a - b),
    subthemes: theme.subthemes.map(toNode),
  });
  const outline = (
    await buildThemes(
      context.index,
      retrieval.results.map((result) => result.paper),
    )
  ).map(toNode);

  const written = await write(context.writer, {
    offline: () => ({ text: composeOffline(topic, outline, sources), droppedReferenceList: false, notes: [] as string[], budget: null as BudgetReport | null }),
    model: (chat) =>
      completeWithSources(
        chat,
        { prompt: "summarize", budget: "summarize", request: topic, replyUnits: sources.length },
        { topic, outline: outlineText(outline) },
        sources,
        { onToken: context.onToken },
      ),
  });
  const checked = await checkCitedText(written.text, sources, context.judge, { question: topic, termWeight: (term) => context.index.keyword.knownIdf(term) });
  const budget = await taskBudget(written.budget, context.judge);
  return {
    ...checkedResult("summarize", topic, { generator: context.writer.name, relevance: retrieval.relevance }, checked, sources, { ...written, budget }),
    outline,
  };
}

/** Offline: each theme gets the sentences of its own papers that best match the topic and the theme's phrases. */
function composeOffline(topic: string, outline: OutlineNode[], sources: AnswerSource[]): string {
  const lines: string[] = [];
  // A sub-theme must not repeat what its parent section already quoted.
  const used = new Set<string>();
  const section = (node: OutlineNode, level: number, sentences: (papers: number) => number) => {
    lines.push(`${"#".repeat(level)} ${node.name}`, "");
    const members = node.sourceNumbers.map((n) => sources[n - 1]!);
    // Each paper's own best sentence, the best of them first: a large theme is not summarised by three of its papers.
    const question = `${topic} ${node.phrases.join(" ")}`;
    const picked = members
      .flatMap((member) =>
        selectSentences({ question, sources: [member], maxSentences: 2 })
          .filter((candidate) => !used.has(candidate.text))
          .slice(0, 1),
      )
      .sort((a, b) => b.score - a.score)
      .slice(0, sentences(members.length));
    for (const candidate of picked) used.add(candidate.text);
    picked.sort((a, b) => a.source.n - b.source.n || a.position - b.position);
    if (picked.length) lines.push(picked.map((candidate) => `${thirdPerson(candidate.text).replace(/([.!?])?$/, ` [${candidate.source.n}]$1`)}`).join(" "), "");
    // Membership is layout, not a claim: plain numbers, so it is neither cited nor scored.
    lines.push(`_Papers in this theme: ${node.sourceNumbers.join(", ")}_`, "");
    for (const sub of node.subthemes) section(sub, level + 1, SENTENCES.theme);
  };
  for (const node of outline) section(node, 2, node.subthemes.length ? SENTENCES.overview : SENTENCES.theme);
  return lines.join("\n");
}

/**
 * Sentences quoted per section, at most one per paper: a theme cites each of its papers up to 6; a theme
 * with sub-themes gets a 2-sentence overview, its sub-themes quote the rest.
 */
const SENTENCES = {
  theme: (papers: number) => Math.min(papers, 6),
  overview: (papers: number) => Math.min(papers, 2),
};

function outlineText(outline: OutlineNode[], depth = 0): string {
  return outline
    .map(
      (node) =>
        `${"  ".repeat(depth)}- ${node.name} [${node.sourceNumbers.join(", ")}]${node.subthemes.length ? `\n${outlineText(node.subthemes, depth + 1)}` : ""}`,
    )
    .join("\n");
}
