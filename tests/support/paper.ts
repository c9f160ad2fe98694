import type { Paper } from "../../src/corpus/paper.js";

/** A Paper for unit tests: empty metadata, an English one-line abstract; `fields` set what a test cares about. */
export function testPaper(fields: Partial<Paper> = {}): Paper {
  return {
    id: "p",
    title: null,
    displayTitle: "",
    titleIsDerived: false,
    abstract: "An abstract.",
    authors: [],
    authorCount: null,
    date: null,
    year: null,
    arxivId: null,
    doi: null,
    categories: [],
    venue: null,
    citationKey: null,
    language: "en",
    sources: [],
    contentHash: "",
    ...fields,
  };
}
