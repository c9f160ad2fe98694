import type { Generator } from "../generate/generator.js";
import type { SentenceSupport } from "../ground/support.js";
import type { Embedder } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import type { Reference } from "../tasks/ask.js";
import { compare } from "../tasks/compare.js";
import { suggestIdeas } from "../tasks/ideas.js";
import { relatedWork } from "../tasks/related-work.js";
import { summarize } from "../tasks/summarize.js";

export const TASKS = ["summarize", "ideas", "compare", "related-work"] as const;
export type TaskName = (typeof TASKS)[number];

/** What every literature task produces, in the shape the eval scores. */
export interface TaskOutput {
  answered: boolean;
  sentences: SentenceSupport[];
  removedCitations: string[];
  references: Reference[];
  /** Abstract of each numbered source, for the ALCE entailment checks. */
  passages: Map<number, string>;
}

export interface TaskContext {
  index: IndexSnapshot;
  embedder: Embedder | null;
  generator: Generator;
}

type Runner = (input: { text: string; paperIds?: string[]; k?: number }, context: TaskContext) => Promise<TaskOutput>;

const passagesOf = (index: IndexSnapshot, sources: Reference[]) => new Map(sources.map((source) => [source.n, index.papers.get(source.paperId)!.abstract]));

// Offline runs: the eval scores the composers; LLM task runs are exercised by the task tests.
const runners: Partial<Record<TaskName, Runner>> = {
  summarize: async (input, { index, embedder, generator }) => {
    const result = await summarize(input.text, { index, embedder, generator, chat: null, k: input.k });
    return {
      answered: result.answered,
      sentences: result.grounding.sentences,
      removedCitations: result.removedCitations,
      references: result.references,
      passages: passagesOf(index, result.sources),
    };
  },
  ideas: async (input, { index, embedder, generator }) => {
    const result = await suggestIdeas(input.text, { index, embedder, generator, chat: null, k: input.k });
    return {
      answered: result.answered,
      sentences: result.grounding.sentences,
      removedCitations: result.removedCitations,
      references: result.references,
      passages: passagesOf(index, result.sources),
    };
  },
  compare: async (input, { index, embedder }) => {
    const papers = input.paperIds?.map((id) => index.papers.get(id)!);
    const result = await compare({ index, embedder, papers, query: input.text, k: input.k });
    return {
      answered: true,
      sentences: result.sentences,
      removedCitations: result.removedCitations,
      references: result.references,
      passages: passagesOf(index, result.papers),
    };
  },
  "related-work": async (input, { index, embedder, generator }) => {
    const result = await relatedWork(input.text, { index, embedder, generator, chat: null, k: input.k });
    return {
      answered: result.answered,
      sentences: result.grounding.sentences,
      removedCitations: result.removedCitations,
      references: result.references,
      passages: passagesOf(index, result.sources),
    };
  },
};

export async function runTask(task: TaskName, input: { text: string; paperIds?: string[]; k?: number }, context: TaskContext): Promise<TaskOutput> {
  const runner = runners[task];
  if (!runner) throw new Error(`no runner for task "${task}"`);
  return runner(input, context);
}
