import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Bm25Index } from "../src/index/bm25.js";
import { buildTable } from "../src/retrieve/acronyms.js";
import { americanSpelling, queryTerms } from "../src/retrieve/query-terms.js";
import { acronymDefinitions, spellsOut } from "../src/text/acronyms.js";
import { namesInQuestion } from "../src/text/names.js";
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

describe("abbreviations learned from the corpus's own definitions", () => {
  const table = buildTable(lines);
  const expanded = (query: string) =>
    queryTerms(index, query, table)
      .filter(({ term }) => !queryTerms(index, query).some((plain) => plain.term === term))
      .map(({ term, weight }) => `${term}:${Number(weight.toFixed(3))}`);

  it("finds long forms as Schwartz & Hearst do, in sentences as the bundled abstracts write them", () => {
    const defined = (sentence: string) => acronymDefinitions(sentence).map(({ short, long }) => `${short}=${long}`);
    expect(defined("Reinforcement learning from human feedback (RLHF) is a key technique.")).toEqual(["RLHF=Reinforcement learning from human feedback"]);
    expect(defined("Post-hoc out-of-distribution (OOD) detection")).toEqual(["OOD=out-of-distribution"]);
    expect(defined("applied to large language models (LLMs) and Vision Transformer (ViT) backbones")).toEqual([
      "LLM=large language models",
      "ViT=Vision Transformer",
    ]);
    // Brackets that are not definitions: a one-word long form, a capitalised word, letters that do not match.
    expect(defined("we use Transformers (TF) and (Table) results (see KL)")).toEqual([]);
    expect(defined("our method (CoOp) improves accuracy")).toEqual([]);
  });

  it("the corpus's usual sense wins: LLM is large language model, RLHF its long form", () => {
    expect(table.expansions.get("llm")).toEqual(keywordTerms("large language model"));
    expect(table.expansions.get("rlhf")).toEqual(keywordTerms("reinforcement learning from human feedback"));
  });

  it("an abbreviation typed in capitals adds its long form, sharing one word's weight; a long form adds its abbreviation", () => {
    // RT-Pose defines it: "human localization and pose estimation (HPE)".
    expect(expanded("3D HPE")).toEqual(["human:0.25", "local:0.25", "pose:0.25", "estim:0.25"]);
    expect(expanded("knowledge graphs")).toContain("kg:0.5");
    // Lower case is a word, not an abbreviation: never expanded.
    expect(expanded("hpe")).toEqual([]);
  });

  it("'3D HPE' finds a pose-estimation abstract that never writes HPE", () => {
    const texts = lines.filter((line) => line.length > 200);
    const top = (acronyms?: ReturnType<typeof buildTable>) => index.searchTerms(queryTerms(index, "3D HPE", acronyms), 10).map((hit) => texts[hit.docIndex]!);
    const spelledOut = (found: string[]) => found.filter((text) => /human pose estimation/i.test(text) && !text.includes("HPE"));
    expect(spelledOut(top())).toEqual([]);
    expect(spelledOut(top(table)).length).toBeGreaterThan(0);
  });
});

describe("names a question asks about", () => {
  it("name-like words and capitalised words inside the sentence, bare of suffixes, possessives and plurals", () => {
    expect(namesInQuestion("How does the Sophia optimizer compare with CLIP-like and GPT-style models, and Informer's attention?")).toEqual([
      "Sophia",
      "CLIP",
      "GPT",
      "Informer",
    ]);
    expect(namesInQuestion("Which LLMs run on GPUs? What does RT-2 show?")).toEqual(["LLM", "GPU", "RT-2"]);
    // Sentence openers and lower-case words are not names; two capitals abbreviate everyday terms ("QA").
    expect(namesInQuestion("What is neural collapse? Does it happen early?")).toEqual([]);
    expect(namesInQuestion("how big is the QA dataset, and what do node2vec's walks and Huffman-compressing do?")).toEqual(["node2vec", "Huffman"]);
  });

  it("an abbreviation is spelled out by initials of consecutive words (Swivel writes 'point-wise mutual information')", () => {
    const swivel = lines.find((line) => line.includes("Swivel performs"))!;
    expect(spellsOut("PMI", swivel)).toBe(true);
    expect(spellsOut("SVM", swivel)).toBe(false);
    // A stop word breaks the run: "of the" cannot stand in for letters.
    expect(spellsOut("MOT", "mixture of the transformers")).toBe(false);
  });
});
