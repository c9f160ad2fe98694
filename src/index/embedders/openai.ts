import OpenAI from "openai";
import type { Embedder } from "../embedder.js";
import { normalizeVector } from "../embedder.js";

/**
 * Embeddings from any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp) via OPENAI_BASE_URL.
 * The dimension is learnt from the first response, so `probe()` must run before the index records it.
 */
export class OpenAIEmbedder implements Embedder {
  readonly name: string;
  private dim = 0;
  private readonly client: OpenAI;

  constructor(private readonly model: string, client?: OpenAI) {
    this.name = `openai:${model}`;
    this.client = client ?? new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? "not-needed", baseURL: process.env.OPENAI_BASE_URL, maxRetries: 3, timeout: 60_000 });
  }

  get dimension(): number {
    return this.dim;
  }

  async probe(): Promise<void> {
    if (!this.dim) await this.embedQuery("dimension probe");
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    const response = await this.client.embeddings.create({ model: this.model, input: texts });
    const vectors = [...response.data].sort((a, b) => a.index - b.index).map((item) => normalizeVector(item.embedding));
    this.dim ||= vectors[0]?.length ?? 0;
    return vectors;
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedDocuments([text]);
    return vector!;
  }
}
