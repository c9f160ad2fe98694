import type OpenAI from "openai";
import { createOpenAIClient, explainOpenAIError, malformedReply, ProviderError, providerName } from "../../llm/openai-client.js";
import type { Embedder } from "../embedder.js";
import { normalizeVector } from "../embedder.js";

/**
 * Embeddings from any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp) via OPENAI_BASE_URL.
 * The dimension is learnt from the first response, so `probe()` runs before the index records it.
 */
export class OpenAIEmbedder implements Embedder {
  readonly name: string;
  private dim = 0;
  private readonly client: OpenAI;

  private readonly timeoutMs: number | undefined;

  constructor(
    private readonly model: string,
    options: { client?: OpenAI; dimension?: number; timeoutMs?: number } = {},
  ) {
    this.name = providerName(model);
    this.timeoutMs = options.timeoutMs;
    this.dim = options.dimension ?? 0;
    this.client = options.client ?? createOpenAIClient({ timeoutMs: options.timeoutMs });
  }

  get dimension(): number {
    return this.dim;
  }

  async probe(): Promise<void> {
    if (!this.dim) await this.embedQuery("dimension probe");
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    let response: unknown;
    try {
      response = await this.client.embeddings.create({ model: this.model, input: texts });
    } catch (error) {
      throw explainOpenAIError(error, { model: this.model, what: "embedding", timeoutMs: this.timeoutMs });
    }
    // A 200 whose body is an error object, or not the embeddings shape, is the server's problem: say so.
    const data = (response as { data?: unknown; error?: { message?: unknown } } | null)?.data;
    if (!Array.isArray(data) || data.some((item) => !Array.isArray((item as { embedding?: unknown })?.embedding))) {
      throw new ProviderError(malformedReply(response, `embedding model "${this.model}"`));
    }
    const vectors = [...(data as { index: number; embedding: number[] }[])].sort((a, b) => a.index - b.index).map((item) => normalizeVector(item.embedding));
    this.dim ||= vectors[0]?.length ?? 0;
    return vectors;
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedDocuments([text]);
    return vector!;
  }
}
