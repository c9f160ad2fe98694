import type { ChatModel } from "./chat-model.js";
import type { AnswerRequest, AnswerSource, Generator } from "./generator.js";
import { renderPrompt } from "./prompts.js";

/** Answers with a chat model from prompts/answer.*.txt; citations are checked afterwards, not trusted. */
export class LlmAnswerer implements Generator {
  readonly generative = true;

  constructor(private readonly model: ChatModel) {}

  get name(): string {
    return this.model.name;
  }

  async answer(request: AnswerRequest): Promise<string> {
    const messages = await renderPrompt("answer", {
      question: request.question,
      sources: request.sources.map(formatSource).join("\n\n"),
      source_count: request.sources.length,
      max_sentences: request.maxSentences,
    });
    return this.model.complete(messages, { onToken: request.onToken });
  }
}

/** A source block. Text that imitates the delimiters is defused so a source cannot close its own block. */
export function formatSource(source: AnswerSource): string {
  const paper = source.paper;
  const facts = [paper.date ?? (paper.year ? String(paper.year) : null), paper.authors.length ? paper.authors.join(", ") : null].filter(Boolean).join(" | ");
  const body = [
    `Title: ${paper.titleIsDerived ? "(untitled)" : paper.title}`,
    facts ? `Published: ${facts}` : null,
    `Abstract: ${source.sentences.join(" ")}`,
  ]
    .filter(Boolean)
    .join("\n")
    .replace(/<\/?\s*source[^>]*>/gi, "[source tag removed]");
  return `<source n="${source.n}">\n${body}\n</source>`;
}
