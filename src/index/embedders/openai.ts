import type OpenAI from "openai";
import { createOpenAIClient, explainOpenAIError } from "../../llm/openai-client.js";
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

  constructor(private readonly model: string, client?: OpenAI) {
    this.name = `openai:${model}`;
    this.client = client ?? createOpenAIClient();
  }

  get dimension(): number {
    return this.dim;
  }

  async probe(): Promise<void> {
    if (!this.dim) await this.embedQuery("dimension probe");
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    let response;
    try {
      response = await this.client.embeddings.create({ model: this.model, input: texts });
    } catch (error) {
      throw explainOpenAIError(error, { model: this.model, what: "embedding" });
    }
    const vectors = [...response.data].sort((a, b) => a.index - b.index).map((item) => normalizeVector(item.embedding));
    this.dim ||= vectors[0]?.length ?? 0;
    return vectors;
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedDocuments([text]);
    return vector!;
  }
}
