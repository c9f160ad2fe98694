import type { ShownText } from "../llm/budget.js";
import type { AnswerSource } from "./generator.js";
import { usableField } from "./injection.js";

/**
 * A source block. The abstract is its usable sentences (instruction-like ones withheld, with a note
 * saying so), or the part of them `shown` when the prompt's budget cut it; text that imitates the
 * delimiters, raw or HTML-escaped, is defused so a source cannot close its own block or open another.
 */
export function formatSource(source: AnswerSource, shown?: ShownText): string {
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
  // Cut to the prompt's budget (llm/budget.ts): the model is told, so it does not read "…" as the authors' own.
  const kept = shown?.kept ? `${shown.kept} of ${shown.total} sentences, those most relevant to the request` : "the start of its most relevant sentence";
  const shortened = shown?.shortened ? ` [shortened to fit the prompt: ${kept}]` : "";
  const abstract = shown ? shown.text : source.sentences.join(" ");
  const body = [`Title: ${title}`, facts ? `Published: ${facts}` : null, `Abstract: ${abstract}${withheld}${shortened}`]
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
