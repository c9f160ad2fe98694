import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Bm25Index } from "../src/index/bm25.js";
import { americanSpelling, queryTerms } from "../src/retrieve/query-terms.js";
import { keywordTerms } from "../src/text/tokenize.js";
import { DATA, FILES } from "./helpers.js";

/** Typed words the index does not know, matched against its own vocabulary (the bundled files' abstract lines). */
const lines = Object.values(FILES).flatMap((file) => readFileSync(path.join(DATA, path.basename(file)), "utf8").split("\n"));
const index = Bm25Index.fromTexts(lines.filter((line) => line.length > 200));
const added = (query: string) => {
  const typed = new Set(keywordTerms(query));
  return queryTerms(index, query)
    .filter(({ term }) => !typed.has(term))
    .map(({ term, weight }) => `${term}:${weight}`);
};

describe("query terms rewritten against the index's vocabulary", () => {
  it("British spellings get the American one the corpus uses (only when it is used more)", () => {
    expect(americanSpelling("quantisation")).toBe("quantization");
    expect(americanSpelling("modelling")).toBe("modeling");
    expect(americanSpelling("behaviour")).toBe("behavior");
    expect(americanSpelling("precise")).toBe("precize"); // a rule, not a dictionary: kept only if the corpus says so
    expect(index.documentFrequency("precize")).toBe(0);
    expect(added("quantisation")).toEqual(["quantiz:1"]);
    expect(added("precise")).toEqual([]);
  });

  it("typos: the nearest frequent term (one edit, two for long words, a misspelt ending past a known stem)", () => {
    expect(added("tranformer")).toEqual(["transform:0.8"]);
    expect(added("convergnce")).toEqual(["converg:0.8"]);
    expect(added("hallucinaton")).toEqual(["hallucin:0.8"]);
    expect(added("netwroks")).toEqual(["network:0.8"]);
  });

  it("words the index knows, stop words, numbers and short words are left as typed", () => {
    for (const query of ["transformer", "the of and", "2023 4-bit", "qa"]) expect(added(query)).toEqual([]);
  });

  it("an unknown compound written as one word becomes its two known parts", () => {
    expect(index.documentFrequency("languagemodel")).toBe(0);
    expect(added("languagemodel")).toEqual(["languag:1", "model:1"]);
  });

  it("hyphenated and joined spellings meet: documents index both, a query adds the joined form only when needed", () => {
    expect(keywordTerms("HAWQ-V2 pre-training")).toEqual(expect.arrayContaining(["hawqv2", "pretrain"]));
    expect(keywordTerms("OPT-1.3B 1.5-3x state-of-the-art")).not.toEqual(expect.arrayContaining(["opt13b"]));
    // The bundled corpus writes "HAWQV2" in the HAWQ-V2 abstract: the joined form is what finds it.
    expect(index.documentFrequency("hawqv2")).toBeGreaterThan(0);
    expect(queryTerms(index, "HAWQ-V2").map(({ term }) => term)).toContain("hawqv2");
    // "fine-tuned" is written hyphenated all over the corpus: its joined form would count the word three times.
    expect(index.documentFrequency("fine-tuned")).toBeGreaterThan(0);
    expect(queryTerms(index, "fine-tuned models").map(({ term }) => term)).not.toContain("finetun");
  });
});
