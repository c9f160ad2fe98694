import type { Embedder } from "../embedder.js";
import { OpenAIEmbedder } from "./openai.js";
import { StaticEmbedder } from "./static.js";
import { UseLiteEmbedder } from "./use-lite.js";
import { CitewiseError } from "../../errors.js";

const USE_LITE_EMBEDDER = "use-lite-512";
export const STATIC_EMBEDDER = "use-lite-static-256";
/** USE-Lite stays the default: the static table lost 0.007 hybrid nDCG@10 on SciFact test (README). */
export const DEFAULT_EMBEDDER = USE_LITE_EMBEDDER;

export class UnknownEmbedderError extends CitewiseError {}

/**
 * "use-lite-512" (offline default), "use-lite-static-256" (USE-Lite distilled into a token table: much faster, weaker) or "openai:<model>" for an OpenAI-compatible embeddings endpoint.
 * `dimension`: known from an existing index, so no probe request is needed; `timeoutMs`: the deadline of
 * each embeddings request.
 */
export async function createEmbedder(spec: string = DEFAULT_EMBEDDER, options: { dimension?: number; timeoutMs?: number } = {}): Promise<Embedder> {
  if (spec === STATIC_EMBEDDER || spec === "use-lite-static") return new StaticEmbedder();
  if (spec === USE_LITE_EMBEDDER || spec === "use-lite") return new UseLiteEmbedder();
  if (spec.startsWith("openai:") && spec.length > "openai:".length) {
    const embedder = new OpenAIEmbedder(spec.slice("openai:".length), { dimension: options.dimension, timeoutMs: options.timeoutMs });
    await embedder.probe();
    return embedder;
  }
  throw new UnknownEmbedderError(
    `unknown embedder "${spec}"; use "${USE_LITE_EMBEDDER}" (offline, default), "${STATIC_EMBEDDER}" (offline, ~100× faster, weaker) or "openai:<model>" (e.g. openai:text-embedding-3-small)`,
  );
}
