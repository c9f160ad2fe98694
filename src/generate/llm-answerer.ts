import type { ChatModel } from "../llm/chat-model.js";
import type { AnswerRequest, Generator } from "./generator.js";
import { holdBackReferenceList, stripReferenceList } from "../ground/citations.js";
import { ProviderError } from "../llm/openai-client.js";
import { type ModelText, readModelText } from "./model-text.js";
import { type BudgetedText, budgetedPrompt } from "./prompt-budget.js";

/** Answers with a chat model from prompts/answer.*.txt; citations are checked afterwards, not trusted. */
export class LlmAnswerer implements Generator {
  readonly generative = true;

  constructor(private readonly model: ChatModel) {}

  get name(): string {
    return this.model.name;
  }

  /**
   * The answer as read (see reply), followed by the model's own reference list if it wrote one: a caller of
   * this plain-text form (ask.ts) drops and reports that list itself. reply() gives the notes as well.
   */
  async answer(request: AnswerRequest): Promise<string> {
    const { read, raw } = await this.read(request);
    if (!read.droppedReferenceList) return read.text;
    const body = stripReferenceList(raw.trim()).text;
    return `${read.text}${raw.trim().slice(body.length)}`;
  }

  /**
   * The answer as read (citation styles normalised, sentence limit enforced, reference list dropped) with
   * notes on what was changed. A streamed answer never shows the model's own reference list.
   */
  async reply(request: AnswerRequest): Promise<BudgetedText> {
    const { read, budget } = await this.read(request);
    return { ...read, budget };
  }

  private async read(request: AnswerRequest): Promise<{ read: ModelText; raw: string; budget: BudgetedText["budget"] }> {
    // max_tokens: the prompt's sentence limit at a generous sentence length, plus room for a preamble (settings.ts).
    const { messages, maxTokens, budget } = await budgetedPrompt(
      { prompt: "answer", budget: "answer", request: request.question, replyUnits: request.maxSentences },
      { question: request.question, max_sentences: request.maxSentences },
      request.sources,
    );
    const screen = request.onToken ? holdBackReferenceList(request.onToken) : null;
    let cut = false;
    const raw = await this.model.complete(messages, {
      maxTokens,
      onToken: screen ? (token) => screen.write(token) : undefined,
      onLimit: () => {
        cut = true;
      },
    });
    screen?.end();
    const read = readModelText(raw, request.sources.length, { maxSentences: request.maxSentences, prose: true, cut });
    if (read.incomplete) throw cutOff(this.model.name, maxTokens);
    return { read, raw, budget };
  }
}

/** A reply cut before it said what was asked is an error, never a shorter answer. */
export function cutOff(model: string, maxTokens: number): ProviderError {
  return new ProviderError(
    `the model "${model}" stopped at the output token limit (${maxTokens} tokens, finish_reason "length"); the answer is incomplete (CITEWISE_REPLY_TOKENS raises the limit)`,
  );
}
