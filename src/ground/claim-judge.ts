import { UserError } from "../errors.js";
import type { ChatModel } from "../llm/chat-model.js";
import { ModelJudge } from "./judge/model-judge.js";
import { OfflineJudge } from "./judge/offline-judge.js";
import type { ClaimJudge } from "./verdict.js";

/** Which judge decides: the offline one (default, no network) or the configured model (`--judge model`). */
export type JudgeKind = "offline" | "model";

/** The one place a judge is chosen; every task, `verify` and `eval --claims` come through here. */
export async function createClaimJudge(options: { kind?: JudgeKind; model?: ChatModel | null } = {}): Promise<ClaimJudge> {
  if (options.kind === "model") {
    if (!options.model)
      throw new UserError("--judge model needs a model server: set OPENAI_BASE_URL (Ollama, llama.cpp, vLLM …) or OPENAI_API_KEY, or use --judge offline");
    return new ModelJudge(options.model);
  }
  return new OfflineJudge();
}
