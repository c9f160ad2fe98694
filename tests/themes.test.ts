import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { UseLiteEmbedder } from "../src/index/embedders/use-lite.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import { searchLiterature } from "../src/retrieve/literature-search.js";
import { searchPapers } from "../src/retrieve/search.js";
import { genericThemeName, themeQuality } from "../src/tasks/theme-quality.js";
import { buildOutline, type Theme } from "../src/tasks/themes.js";
import { runCli } from "./helpers.js";

let index: IndexSnapshot;
const embedder = new UseLiteEmbedder(1);
beforeAll(async () => {
  index = await loadIndex(inject("corpusIndex"));
});
afterAll(() => embedder.close());

const allNames = (themes: Theme[]) => themes.flatMap((theme) => [theme.name, ...theme.subthemes.map((sub) => sub.name)]);

describe("generic theme names", () => {
  it("flags the names the issue measured and lets names a researcher would use through", () => {
    for (const name of [
      "Shot & inference",
      "Computer vision & machine",
      "Parameter & language",
      "Iterations",
      "Space",
      "Pre-trained models",
      "Language models",
    ])
      expect(genericThemeName(name), name).toBe(true);
    for (const name of [
      "Post-training quantization",
      "Neural collapse",
      "LoRA",
      "FP8 formats",
      "Time series forecasting",
      "Equivariant neural networks",
      "Fine-tuning",
    ])
      expect(genericThemeName(name), name).toBe(false);
  });
});

describe("theme quality", () => {
  it("scores a split along real groups above a random one, and one theme at 0", () => {
    // Two blocks of mutually similar items, unlike each other.
    const similarity = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? 1 : Math.floor(i / 2) === Math.floor(j / 2) ? 0.8 : 0.1)));
    const good = themeQuality(
      [
        [0, 1],
        [2, 3],
      ],
      ["A b", "C d"],
      similarity,
    );
    const mixed = themeQuality(
      [
        [0, 2],
        [1, 3],
      ],
      ["A b", "C d"],
      similarity,
    );
    expect(good.coherence).toBeGreaterThan(0.3);
    expect(mixed.coherence).toBeLessThan(0);
    expect(themeQuality([[0, 1, 2, 3]], ["All"], similarity).coherence).toBeCloseTo(0, 9);
    expect(good.largestShare).toBe(0.5);
  });
});

describe("outlines over the sample corpus", () => {
  const topics = ["efficient inference for large language models", "optimizers for deep learning", "tensor decomposition for compressing neural networks"];
  it.each(topics)("%s: balanced, coherent, named by distinct non-generic phrases its papers use", async (topic) => {
    const found = await searchLiterature(index, embedder, topic, { k: 20 });
    const { themes, quality } = await buildOutline(
      index,
      found.map((result) => result.paper),
    );
    expect(themes.length).toBeGreaterThanOrEqual(2);
    expect(quality.largestShare).toBeLessThanOrEqual(0.6);
    expect(quality.coherence).toBeGreaterThan(0);
    expect(quality.genericNames).toEqual([]);
    const names = allNames(themes).map((name) => name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    for (const theme of themes) {
      for (const sub of theme.subthemes) expect(sub.name.toLowerCase().includes(theme.name.toLowerCase())).toBe(false);
      // A name from a shared phrase appears in the theme's papers (a fallback names its best paper by title).
      if (!theme.name.startsWith("Work like")) {
        const texts = theme.papers.map((paper) => `${paper.title ?? ""} ${paper.abstract}`.toLowerCase());
        expect(
          texts.some((text) => text.includes(theme.name.toLowerCase().split(" ")[0]!)),
          theme.name,
        ).toBe(true);
      }
    }
  });

  it("-k is a maximum: a topic's papers far below the best match are left out", async () => {
    const topic = "time series forecasting";
    const plain = await searchPapers(index, embedder, topic, { k: 20 });
    const kept = await searchLiterature(index, embedder, topic, { k: 20 });
    expect(plain).toHaveLength(20);
    expect(kept.length).toBeLessThan(20);
    expect(kept.length).toBeGreaterThanOrEqual(3);
    // What is left out is what scored far below the best; what is kept is the top of the same ranking.
    expect(kept.map((result) => result.paper.id)).toEqual(plain.slice(0, kept.length).map((result) => result.paper.id));
    expect(plain[kept.length]!.score).toBeLessThan(0.45 * plain[0]!.score);
  });

  it("a draft abstract is searched sentence by sentence and far papers are left out", async () => {
    const draft =
      "We study how transformers learn in context. We show that a linear self-attention layer implements one step of gradient descent on a regression loss. We compare trained transformers with least squares and ridge regression. Our experiments use synthetic linear regression tasks.";
    const kept = await searchLiterature(index, embedder, draft, { k: 16 });
    expect(kept.length).toBeLessThanOrEqual(16);
    expect(kept.length).toBeGreaterThanOrEqual(3);
    const titles = kept.slice(0, 5).map((result) => result.paper.title ?? "");
    expect(titles.filter((title) => /in-context|gradient descent/i.test(title)).length).toBeGreaterThanOrEqual(3);
    expect(kept[0]!.score).toBe(1);
  });
});

describe("citewise eval --themes", () => {
  it("reports each topic's outline, its coherence and balance, as text and --json", () => {
    const json = runCli(["--index", inject("corpusIndex"), "eval", "--themes", "--limit", "3", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.topics).toBe(3);
    expect(report.items[0].outline.length).toBeGreaterThanOrEqual(1);
    expect(typeof report.meanCoherence).toBe("number");
    expect(report.genericNames).toBe(0);
    const text = runCli(["--index", inject("corpusIndex"), "eval", "--themes", "--limit", "2"]);
    expect(text.stdout).toMatch(/2 topics: mean coherence -?\d\.\d{3}/);
    const missing = runCli(["--index", inject("corpusIndex"), "eval", "--themes", "no-such-topics.jsonl"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such topics file: no-such-topics\.jsonl/);
  });
});
