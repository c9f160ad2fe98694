import type { ChatModel } from "../llm/chat-model.js";
import type { AnswerRequest, AnswerSource, Generator } from "./generator.js";
import { usableField } from "./injection.js";
import { renderPrompt } from "../llm/prompts.js";

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

/**
 * A source block. The abstract is its usable sentences (instruction-like ones withheld, with a note
 * saying so); text that imitates the delimiters, raw or HTML-escaped, is defused so a source cannot
 * close its own block or open another.
 */
export function formatSource(source: AnswerSource): string {
  const paper = source.paper;
  // Every field is a channel: an author or date that reads as an instruction is withheld like a sentence.
  const authors = paper.authors.map((author) => usableField(author, "author"));
  const date = paper.date ? usableField(paper.date, "date") : paper.year ? String(paper.year) : null;
  const facts = [date, authors.length ? authors.join(", ") : null].filter(Boolean).join(" | ");
  const title = paper.titleIsDerived ? "(untitled)" : paper.title ? usableField(paper.title, "title") : "(untitled)";
  const withheld = source.withheld ? ` [${source.withheld} sentence(s) withheld: they read as instructions to the assistant]` : "";
  const body = [`Title: ${title}`, facts ? `Published: ${facts}` : null, `Abstract: ${source.sentences.join(" ")}${withheld}`]
    .filter(Boolean)
    .join("\n")
    .replace(SOURCE_TAG, "[source tag removed]");
  return `<source n="${source.n}">\n${body}\n</source>`;
}

/** <source …>, </source>, < / source >, &lt;/source&gt; and the like. */
const SOURCE_TAG = /(<|&lt;|&#0*60;|&#x0*3c;)\s*\/?\s*source\b[^>]*?(>|&gt;|&#0*62;|&#x0*3e;)|(<|&lt;)\s*\/?\s*source\b/gi;
