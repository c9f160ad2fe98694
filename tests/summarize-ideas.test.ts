import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { OFFLINE_WRITER } from "../src/generate/writer.js";
import { UseLiteEmbedder } from "../src/index/embedders/use-lite.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import { summarize } from "../src/tasks/summarize.js";
import { runCli, runCliAsync } from "./helpers.js";
import { OFFLINE_JUDGE } from "./support/judge.js";
import { startFakeOpenAI, type FakeOpenAI } from "./support/openai-server.js";

let index: IndexSnapshot;
const embedder = new UseLiteEmbedder(1);
const writer = OFFLINE_WRITER;
const judge = OFFLINE_JUDGE;
beforeAll(async () => {
  index = await loadIndex(inject("corpusIndex"));
});
afterAll(() => embedder.close());

describe("summarize (offline)", () => {
  it("organises retrieved papers into named themes, summarised with grounded citations to their own papers", async () => {
    const result = await summarize("quantization of neural networks", { index, embedder, writer, judge }, { k: 16 });
    expect(result.answered).toBe(true);
    expect(result.outline.length).toBeGreaterThanOrEqual(2);
    const all = result.outline.flatMap((node) => [node, ...node.subthemes]);
    expect(all.every((node) => node.name.length > 2 && node.sourceNumbers.length > 0)).toBe(true);
    // Every paper lands in exactly one top-level theme.
    expect(result.outline.flatMap((node) => node.sourceNumbers).sort((a, b) => a - b)).toEqual(result.sources.map((s) => s.n));
    expect(result.removedCitations).toEqual([]);
    expect(result.grounding.total).toBeGreaterThanOrEqual(4);
    expect(result.grounding.supported / result.grounding.total).toBeGreaterThanOrEqual(0.9);
    // A theme section cites only papers of that theme.
    for (const node of result.outline) {
      const section = result.text.split(/^## /m).find((part) => part.startsWith(node.name))!;
      const own = section.split(/^### /m)[0]!;
      for (const match of own.matchAll(/\[(\d+)\]/g)) expect(node.sourceNumbers).toContain(Number(match[1]));
    }
    expect(result.text).toMatch(/quantization/i);
  });

  it("abstains on a topic the corpus does not cover", async () => {
    const result = await summarize("sourdough bread fermentation", { index, embedder, writer, judge });
    expect(result.answered).toBe(false);
    expect(result.outline).toEqual([]);
  });

  it("citewise summarize --json", () => {
    const { code, stdout } = runCli(["--index", inject("corpusIndex"), "summarize", "in-context learning in transformers", "-k", "12", "--json"]);
    expect(code).toBe(0);
    const body = JSON.parse(stdout);
    expect(body.answered).toBe(true);
    expect(body.outline.length).toBeGreaterThanOrEqual(1);
    expect(body.references.length).toBeGreaterThan(0);
    expect(body.grounding.supported).toBe(body.grounding.total);
  });
});

describe("summarize with a model", () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI();
  });
  afterAll(() => server.close());

  it("summarize sends the theme outline and sources; a hallucinated [40] is removed and reported", async () => {
    server.defaultChat = () => ({
      text: "## Quantization\n\nPost-training quantization has been gaining popularity for deployment [1]. It was proven optimal in 1850 [40].",
    });
    const { code, stdout } = await runCliAsync(
      ["--index", inject("corpusIndex"), "summarize", "quantization of neural networks", "-k", "10", "--model", "test-chat", "--json"],
      {
        env: { OPENAI_BASE_URL: server.baseURL },
      },
    );
    expect(code).toBe(0);
    const body = JSON.parse(stdout);
    expect(body.generator).toBe("openai:test-chat");
    expect(body.removedCitations).toEqual(["[40]"]);
    expect(body.text).not.toContain("[40]");
    const request = server.requests.find((r) => r.path === "/chat/completions")!;
    expect(request.body.messages[1].content).toContain("Themes (source numbers in brackets):");
    // Every source the summary drew on is in the prompt, up to -k (papers far below the best are left out).
    expect(body.sources.length).toBeLessThanOrEqual(10);
    expect(request.body.messages[1].content).toContain(`<source n="${body.sources.length}">`);
  });
});
