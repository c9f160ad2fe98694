import { ask } from "../tasks/ask.js";
import { compare } from "../tasks/compare/compare.js";
import type { TaskContext } from "../tasks/core/context.js";
import type { TaskName, TaskResult } from "../tasks/core/result.js";
import { suggestIdeas } from "../tasks/ideas/ideas.js";
import { relatedWork } from "../tasks/related-work/related-work.js";
import { summarize } from "../tasks/summarize.js";

/** One task to run: its input text, and (compare) the papers by id; `k` how many papers to use. */
export interface TaskRequest {
  task: TaskName;
  input: string;
  paperIds?: string[];
  k?: number;
}

/** Every task behind one call (the eval runs suites through it): each returns the same TaskResult fields. */
export async function runTask(request: TaskRequest, context: TaskContext): Promise<TaskResult> {
  const { input, k } = request;
  switch (request.task) {
    case "ask":
      return ask(input, context, { sources: k });
    case "summarize":
      return summarize(input, context, { k });
    case "ideas":
      return suggestIdeas(input, context, { k });
    case "compare": {
      const papers = request.paperIds?.map((id) => context.index.papers.get(id)!);
      return compare(context, { papers, query: input, k });
    }
    case "related-work":
      return relatedWork(input, context, { k });
  }
}
