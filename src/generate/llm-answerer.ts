import type { ChatModel } from "../llm/chat-model.js";
import type { AnswerRequest, AnswerSource, Generator } from "./generator.js";
import { usableField } from "./injection.js";
import { renderPrompt } from "../llm/prompts.js";
import { holdBackReferenceList, stripReferenceList } from "../ground/citations.js";
import { ProviderError } from "../llm/openai-client.js";
import { type ModelText, readModelText } from "./model-text.js";

/** max_tokens of an answer: the prompt's sentence limit at a generous sentence length, plus room for a preamble. */
const ANSWER_TOKENS = { perSentence: 60, extra: 100 };

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
  async reply(request: AnswerRequest): Promise<ModelText> {
    return (await this.read(request)).read;
  }

  private async read(request: AnswerRequest): Promise<{ read: ModelText; raw: string }> {
    const messages = await renderPrompt("answer", {
      question: request.question,
      sources: request.sources.map(formatSource).join("\n\n"),
      source_count: request.sources.length,
      max_sentences: request.maxSentences,
    });
    const maxTokens = request.maxSentences * ANSWER_TOKENS.perSentence + ANSWER_TOKENS.extra;
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
    return { read, raw };
  }
}

/** A reply cut before it said what was asked is an error, never a shorter answer. */
export function cutOff(model: string, maxTokens: number): ProviderError {
  return new ProviderError(`the model "${model}" stopped at the output token limit (${maxTokens} tokens, finish_reason "length"); the answer is incomplete`);
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
  const date = fullDate(paper.date ? usableField(paper.date, "date") : null, paper.year);
  const facts = [date, authors.length ? authors.join(", ") : null].filter(Boolean).join(" | ");
  // A source without a title gets the one derived for display, said to be derived, so the model can name it.
  const title =
    paper.titleIsDerived || !paper.title
      ? `${usableField(paper.displayTitle, "title")} (no title in the source; derived from the abstract's first words)`
      : usableField(paper.title, "title");
  const withheld = source.withheld ? ` [${source.withheld} sentence(s) withheld: they read as instructions to the assistant]` : "";
  const body = [`Title: ${title}`, facts ? `Published: ${facts}` : null, `Abstract: ${source.sentences.join(" ")}${withheld}`]
    .filter(Boolean)
    .join("\n")
    .replace(SOURCE_TAG, "[source tag removed]");
  return `<source n="${source.n}">\n${body}\n</source>`;
}

/** "Sep 22" alone reads as a day of an unknown year: the year is added when known, else said to be missing. */
function fullDate(date: string | null, year: number | null): string | null {
  if (!date) return year ? String(year) : null;
  if (/\b(1[89]|20)\d{2}\b/.test(date)) return date;
  return year ? `${date}, ${year}` : `${date} (year not given in the source)`;
}

/** <source …>, </source>, < / source >, &lt;/source&gt; and the like. */
const SOURCE_TAG = /(<|&lt;|&#0*60;|&#x0*3c;)\s*\/?\s*source\b[^>]*?(>|&gt;|&#0*62;|&#x0*3e;)|(<|&lt;)\s*\/?\s*source\b/gi;
