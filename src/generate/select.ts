import { createOpenAIClient, explainOpenAIError, openAIConfigured, ProviderError, serverLabel, shownModelId } from "../llm/openai-client.js";
import { OpenAIChat } from "../llm/openai-chat.js";
import { UserError } from "../errors.js";
import { budgetProblem, settings } from "../settings.js";
import { modelWriter, OFFLINE_WRITER, type Writer } from "./writer.js";

export class ModelChoiceError extends ProviderError {}

export interface WriterChoice {
  writer: Writer;
  /** Said on stderr so the user always knows where the answer comes from. */
  notice: string | null;
}

/**
 * Offline extractive composer unless OPENAI_API_KEY or OPENAI_BASE_URL is set (or --offline).
 * The model comes from --model, CITEWISE_MODEL or OPENAI_MODEL; a local server with exactly one model
 * uses it; nothing ever falls back silently to a cloud model or from a configured server to another.
 */
export async function selectWriter(options: { model?: string; offline?: boolean; timeoutMs?: number; maxRetries?: number }): Promise<WriterChoice> {
  const configured = openAIConfigured();
  if (options.offline || !configured) {
    if (options.model && !options.offline) {
      throw new ModelChoiceError(
        `--model ${options.model} needs a model server: set OPENAI_BASE_URL (Ollama, llama.cpp, vLLM …) or OPENAI_API_KEY, or drop --model to use the offline composer`,
      );
    }
    return { writer: OFFLINE_WRITER, notice: null };
  }
  const problem = budgetProblem();
  if (problem) throw new UserError(problem);
  const configuredModel = settings().model;
  let model = options.model ?? configuredModel.name;
  let notice: string | null = null;
  if (!model) {
    if (configuredModel.baseUrl) {
      model = await onlyServedModel(options.timeoutMs);
      notice = `using model "${shownModelId(model)}", the only one served at ${serverLabel()} (choose with --model)`;
    } else {
      model = configuredModel.openaiDefault;
      notice = `using OpenAI model "${model}" (choose with --model or CITEWISE_MODEL)`;
    }
  }
  return { writer: modelWriter(new OpenAIChat({ model, timeoutMs: options.timeoutMs, maxRetries: options.maxRetries })), notice };
}

async function onlyServedModel(timeoutMs?: number): Promise<string> {
  const client = createOpenAIClient({ timeoutMs, maxRetries: 1 });
  let ids: string[];
  try {
    ids = [];
    // Ids are used as the server wrote them; printing them goes through the output guard (controls, secrets).
    for await (const model of client.models.list()) {
      if (typeof model.id === "string") ids.push(model.id);
      if (ids.length > 10_000) break;
    }
  } catch (error) {
    throw explainOpenAIError(error, { model: "(listing models)", what: "chat", timeoutMs, maxRetries: 1 });
  }
  if (ids.length === 1) return ids[0]!;
  throw new ModelChoiceError(
    ids.length === 0
      ? `the server at ${serverLabel()} lists no models; pass --model NAME`
      : `choose a model with --model (or CITEWISE_MODEL); ${serverLabel()} serves: ${ids
          .slice(0, 10)
          .map(shownModelId)
          .join(", ")}${ids.length > 10 ? ", …" : ""}`,
  );
}
