import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { OFFLINE_WRITER } from "../src/generate/writer.js";
import { UseLiteEmbedder } from "../src/index/embedders/use-lite.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import { ask } from "../src/tasks/ask.js";
import { runCli } from "./helpers.js";
import { OFFLINE_JUDGE } from "./support/judge.js";

let index: IndexSnapshot;
const embedder = new UseLiteEmbedder(1);
const writer = OFFLINE_WRITER;
const judge = OFFLINE_JUDGE;
beforeAll(async () => {
  index = await loadIndex(inject("corpusIndex"));
});
afterAll(() => embedder.close());

describe("offline extractive answers on the bundled corpus", () => {
  it("answers the DeltaZip question from the DeltaZip abstract, with its 6x-8x figure, fully grounded", async () => {
    const result = await ask("How does DeltaZip compress fine-tuned models, and by how much?", { index, embedder, writer, judge });
    expect(result.answered).toBe(true);
    // LaTeX is rendered at ingest: the abstract's "$6\times$ to $8\times$" reads "6× to 8×".
    expect(result.text).toContain("6× to 8×");
    const deltaZip = result.references.find((r) => r.paperId === result.sources[0]!.paperId);
    expect(index.papers.get(deltaZip!.paperId)!.abstract).toContain("DeltaZip");
    expect(result.grounding.supported).toBe(result.grounding.total);
    expect(result.grounding.total).toBeGreaterThanOrEqual(1);
    expect(result.removedCitations).toEqual([]);
    // Only cited sources are listed as references.
    const cited = new Set(result.grounding.sentences.flatMap((s) => s.citations));
    expect(result.references.map((r) => r.n).sort()).toEqual([...cited].sort());
  });

  it("cites LoTR for a question about tensor-decomposed low-rank adapters", async () => {
    const result = await ask("How can low-rank adapters for LLM fine-tuning be made more parameter-efficient with tensor decompositions?", {
      index,
      embedder,
      writer,
      judge,
    });
    expect(result.answered).toBe(true);
    expect(result.references.map((r) => r.title)).toContain("LoTR: Low Tensor Rank Weight Adaptation");
  });

  it("abstains on questions the corpus does not address, listing the nearest papers", async () => {
    for (const question of [
      "What is the best way to proof sourdough bread overnight?",
      "Who won the 1998 FIFA World Cup final?",
      "How do bees communicate the location of flowers?",
    ]) {
      const result = await ask(question, { index, embedder, writer, judge });
      expect(result.answered, question).toBe(false);
      expect(result.text).toBe("The indexed papers do not address this.");
      expect(result.references).toEqual([]);
      expect(result.nearest.length).toBeGreaterThan(0);
    }
  });

  it("keeps answers non-redundant: no sentence appears twice and at most 2 per source", async () => {
    const result = await ask("What is known about neural collapse in classifiers?", { index, embedder, writer, judge }, { maxSentences: 6 });
    expect(new Set(result.grounding.sentences.map((s) => s.text)).size).toBe(result.grounding.sentences.length);
    const perSource = new Map<number, number>();
    for (const s of result.grounding.sentences) for (const n of s.citations) perSource.set(n, (perSource.get(n) ?? 0) + 1);
    expect(Math.max(...perSource.values())).toBeLessThanOrEqual(2);
  });

  it("citewise ask prints the answer, references and the groundedness footer; --json marks abstention", () => {
    const text = runCli(["--index", inject("corpusIndex"), "ask", "How does DeltaZip compress fine-tuned models?"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\[1\]/);
    expect(text.stdout).toMatch(/^References$/m);
    expect(text.stdout).toMatch(/^Grounded: (\d+)\/\1 sentences supported$/m);
    const json = runCli(["--index", inject("corpusIndex"), "ask", "How should a beginner train for a marathon?", "--json"]);
    const body = JSON.parse(json.stdout);
    expect(body).toMatchObject({ answered: false, answer: "The indexed papers do not address this.", references: [] });
    expect(body.nearest.length).toBeGreaterThan(0);
  });

  it("answers only from papers on the question: a named paper's question cites that paper, a comparison both, side by side", async () => {
    const deltaZip = await ask("How much does DeltaZip compress model deltas, and what does that buy for serving throughput?", {
      index,
      embedder,
      writer,
      judge,
    });
    expect(deltaZip.answered).toBe(true);
    for (const reference of deltaZip.references) expect(index.papers.get(reference.paperId)!.abstract).toContain("DeltaZip");
    const hawq = await ask("What is the difference between HAWQ and HAWQ-V2?", { index, embedder, writer, judge });
    const cited = hawq.references.map((reference) => reference.title ?? "");
    expect(cited.some((title) => title.startsWith("HAWQ:"))).toBe(true);
    expect(cited.some((title) => title.startsWith("HAWQ-V2:"))).toBe(true);
    // Side by side: the first two sentences come from the two papers.
    expect(new Set(hawq.grounding.sentences.slice(0, 2).flatMap((s) => s.citations)).size).toBe(2);
    expect(hawq.grounding.sentences.every((s) => s.addresses)).toBe(true);
  });

  it("says which part of a question the sources leave open instead of padding, and abstains on unknown names", async () => {
    const lotr = await ask("What is LoTR, and what are its limitations?", { index, embedder, writer, judge });
    expect(lotr.answered).toBe(true);
    expect(lotr.text).toContain('do not address this part of the question: "what are its limitations"');
    const smoothQuant = await ask("How does SmoothQuant migrate activation outliers into the weights?", { index, embedder, writer, judge });
    expect(smoothQuant.answered).toBe(false);
  });

  it("abstains when the name a question asks about is in none of the retrieved papers; says which names are missing otherwise", async () => {
    // No bundled abstract says GPTQ; HAWQ's second-order quantization is a neighbour, not an answer.
    const gptq = await ask("How does GPTQ use approximate second-order information to quantize LLM weights to 3 or 4 bits?", {
      index,
      embedder,
      writer,
      judge,
    });
    expect(gptq.answered).toBe(false);
    // DeltaZip is the subject and in the library; vLLM is not: answered from DeltaZip, the gap said.
    const deltaZip = await ask("How does DeltaZip compare with vLLM?", { index, embedder, writer, judge });
    expect(deltaZip.answered).toBe(true);
    expect(deltaZip.references[0]?.title ?? deltaZip.text).toMatch(/DeltaZip|model deltas/);
    expect(deltaZip.text).toMatch(/The retrieved abstracts do not mention vLLM\.$/);
    expect(deltaZip.grounding.sentences.every((sentence) => sentence.supported)).toBe(true);
  });
});
