import type OpenAI from "openai";
import { createOpenAIClient, explainOpenAIError, malformedReply, ProviderError, providerName } from "../../llm/openai-client.js";
import { settings } from "../../settings.js";
import type { Embedder } from "../embedder.js";
import { normalizeVector } from "../embedder.js";

/** How texts are sent: per-request caps and requests in flight (Settings.embeddings). */
export interface EmbeddingRequestLimits {
  requestTexts: number;
  requestChars: number;
  concurrency: number;
}

/**
 * Embeddings from any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp) via OPENAI_BASE_URL.
 * The dimension is learnt from the first response, so `probe()` runs before the index records it.
 * A call's texts go out in requests of at most `requestTexts` texts and `requestChars` characters, at most
 * `concurrency` at a time; the vectors come back in the order of the texts. The client retries a 429 or
 * 5xx with backoff, honouring Retry-After (llm/openai-client.ts); a request that still fails ends the call.
 */
export class OpenAIEmbedder implements Embedder {
  readonly name: string;
  private dim = 0;
  private readonly client: OpenAI;
  private readonly timeoutMs: number | undefined;
  readonly limits: EmbeddingRequestLimits;

  constructor(
    private readonly model: string,
    options: { client?: OpenAI; dimension?: number; timeoutMs?: number; limits?: Partial<EmbeddingRequestLimits> } = {},
  ) {
    this.name = providerName(model);
    this.timeoutMs = options.timeoutMs;
    this.dim = options.dimension ?? 0;
    this.client = options.client ?? createOpenAIClient({ timeoutMs: options.timeoutMs });
    const defaults = settings().embeddings;
    this.limits = {
      requestTexts: Math.max(1, Math.floor(options.limits?.requestTexts ?? defaults.requestTexts)),
      requestChars: Math.max(1, Math.floor(options.limits?.requestChars ?? defaults.requestChars)),
      concurrency: Math.max(1, Math.floor(options.limits?.concurrency ?? defaults.concurrency)),
    };
  }

  get dimension(): number {
    return this.dim;
  }

  /** Ingest hands over enough texts per call to keep every request slot busy several rounds. */
  get batchTexts(): number {
    return this.limits.requestTexts * this.limits.concurrency * 4;
  }

  async probe(): Promise<void> {
    if (!this.dim) await this.embedQuery("dimension probe");
  }

  async embedDocuments(texts: string[], onProgress?: (done: number) => void): Promise<number[][]> {
    if (texts.length === 0) return [];
    const batches = requestBatches(texts, this.limits);
    const vectors: number[][] = new Array(texts.length);
    let next = 0;
    let done = 0;
    let failed: unknown = null;
    const worker = async () => {
      while (failed === null && next < batches.length) {
        const { start, end } = batches[next++]!;
        try {
          const batch = await this.request(texts.slice(start, end));
          for (let i = 0; i < batch.length; i++) vectors[start + i] = batch[i]!;
          done += end - start;
          onProgress?.(done);
        } catch (error) {
          failed ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.limits.concurrency, batches.length) }, worker));
    if (failed !== null) throw failed;
    return vectors;
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedDocuments([text]);
    return vector!;
  }

  /** One embeddings request: its vectors in input order, or a one-line ProviderError. */
  private async request(input: string[]): Promise<number[][]> {
    let response: unknown;
    try {
      response = await this.client.embeddings.create({ model: this.model, input });
    } catch (error) {
      throw explainOpenAIError(error, { model: this.model, what: "embedding", timeoutMs: this.timeoutMs });
    }
    // A 200 whose body is an error object, or not the embeddings shape, is the server's problem: say so.
    const data = (response as { data?: unknown; error?: { message?: unknown } } | null)?.data;
    if (!Array.isArray(data) || data.some((item) => !Array.isArray((item as { embedding?: unknown })?.embedding))) {
      throw new ProviderError(malformedReply(response, `embedding model "${this.model}"`));
    }
    // Vectors of different requests are joined by position: a request answered with too few or too many would shift them all.
    if (data.length !== input.length)
      throw new ProviderError(`embedding model "${this.model}" returned ${data.length} vectors for ${input.length} texts in one request; nothing was stored`);
    const vectors = [...(data as { index: number; embedding: number[] }[])].sort((a, b) => a.index - b.index).map((item) => normalizeVector(item.embedding));
    this.dim ||= vectors[0]?.length ?? 0;
    return vectors;
  }
}

/**
 * Consecutive runs of texts, each at most `requestTexts` texts and `requestChars` characters (a longer text
 * goes alone: the server, not citewise, decides whether it fits its context).
 */
export function requestBatches(texts: string[], limits: Pick<EmbeddingRequestLimits, "requestTexts" | "requestChars">): Array<{ start: number; end: number }> {
  const batches: Array<{ start: number; end: number }> = [];
  let start = 0;
  let chars = 0;
  for (let i = 0; i < texts.length; i++) {
    const length = texts[i]!.length;
    if (i > start && (i - start >= limits.requestTexts || chars + length > limits.requestChars)) {
      batches.push({ start, end: i });
      start = i;
      chars = 0;
    }
    chars += length;
  }
  batches.push({ start, end: texts.length });
  return batches;
}
