import type { Embedder } from "../embedder.js";
import { OpenAIEmbedder } from "./openai.js";
import { StaticEmbedder } from "./static.js";
import { UseLiteEmbedder } from "./use-lite.js";
import { CitewiseError } from "../../errors.js";

export const DEFAULT_EMBEDDER = "use-lite-static-256";
export const USE_LITE_EMBEDDER = "use-lite-512";

export class UnknownEmbedderError extends CitewiseError {}

/**
 * "use-lite-static-256" (offline default: USE-Lite distilled into a token table), "use-lite-512" (USE-Lite itself) or "openai:<model>" for an OpenAI-compatible embeddings endpoint.
 * `dimension`: known from an existing index, so no probe request is needed; `timeoutMs`: the deadline of
 * each embeddings request.
 */
export async function createEmbedder(spec: string = DEFAULT_EMBEDDER, options: { dimension?: number; timeoutMs?: number } = {}): Promise<Embedder> {
  if (spec === DEFAULT_EMBEDDER || spec === "use-lite-static") return new StaticEmbedder();
  if (spec === USE_LITE_EMBEDDER || spec === "use-lite") return new UseLiteEmbedder();
  if (spec.startsWith("openai:") && spec.length > "openai:".length) {
    const embedder = new OpenAIEmbedder(spec.slice("openai:".length), { dimension: options.dimension, timeoutMs: options.timeoutMs });
    await embedder.probe();
    return embedder;
  }
  throw new UnknownEmbedderError(
    `unknown embedder "${spec}"; use "${DEFAULT_EMBEDDER}" (offline), "${USE_LITE_EMBEDDER}" (offline, slower) or "openai:<model>" (e.g. openai:text-embedding-3-small)`,
  );
}
