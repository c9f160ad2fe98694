import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { OFFLINE_WRITER } from "../src/generate/writer.js";
import { UseLiteEmbedder } from "../src/index/embedders/use-lite.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import { retrieve } from "../src/tasks/core/retrieve.js";
import { suggestIdeas } from "../src/tasks/ideas/ideas.js";
import { splitIdeas } from "../src/tasks/ideas/model-reply.js";
import { checkNovelty } from "../src/tasks/ideas/novelty.js";
import { phraseKey } from "../src/tasks/ideas/parts.js";
import type { Idea, IdeasResult } from "../src/tasks/ideas/types.js";
import { nounPhrases } from "../src/text/noun-phrases.js";
import { FILES, ROOT, runCli, runCliAsync, tempDir } from "./helpers.js";
import { OFFLINE_JUDGE } from "./support/judge.js";
import { useFakeOpenAI } from "./support/openai-server.js";
import { buildSmallIndex } from "./support/small-index.js";

let index: IndexSnapshot;
const embedder = new UseLiteEmbedder(1);
const context = () => ({ index, embedder, writer: OFFLINE_WRITER, judge: OFFLINE_JUDGE });
beforeAll(async () => {
  index = await loadIndex(inject("corpusIndex"));
});
afterAll(() => embedder.close());

const paperIdOf = (result: Pick<IdeasResult, "sources">, n: number) => result.sources.find((source) => source.n === n)!.paperId;

/** The bar of issue 16: distinct evidence and pairs, a check that never names the idea's own papers, a correct nearest.n. */
function expectDistinctAndHonest(result: Pick<IdeasResult, "ideas" | "sources">) {
  const evidence = result.ideas.flatMap((idea) => [idea.problem?.sentence, idea.method?.sentence, idea.why].filter(Boolean));
  expect(new Set(evidence).size).toBe(evidence.length);
  const pairs = result.ideas
    .filter((idea) => idea.problem && idea.method)
    .map((idea) => `${phraseKey(idea.problem!.phrase)}|${phraseKey(idea.method!.phrase)}`);
  expect(new Set(pairs).size).toBe(pairs.length);
  for (const idea of result.ideas) {
    const own = idea.sources.map((n) => paperIdOf(result, n));
    expect(own.length).toBeGreaterThan(0);
    const nearest = idea.novelty.nearest;
    if (!nearest) continue;
    expect(own).not.toContain(nearest.paperId);
    // n is the nearest paper's source number when retrieval brought it, else null.
    const asSource = result.sources.find((source) => source.paperId === nearest.paperId);
    expect(nearest.n).toBe(asSource ? asSource.n : null);
    expect(nearest.similarity).toBe(idea.novelty.overlap);
    expect(nearest.title).toBe(index.papers.get(nearest.paperId)!.title);
  }
}

describe("noun phrases", () => {
  it("keeps what a phrase names: attachments, hyphenated words and abbreviations, without judging words", () => {
    const texts = (sentence: string) => nounPhrases(sentence).phrases.map((phrase) => phrase.text);
    expect(texts("However, the exponential growth in the parameters of large models introduces formidable memory challenge for edge deployment.")).toContain(
      "memory challenge for edge deployment",
    );
    expect(texts("We introduce DIST2Loss, a distance-aware framework designed to train autoregressive models.")).toContain("distance-aware framework");
    expect(texts("Longer sequences necessitate large key-value (KV) caches, resulting in memory overhead.")).toContain("key-value (KV) caches");
  });
});

describe("ideas (offline)", () => {
  let result: IdeasResult;
  beforeAll(async () => {
    result = await suggestIdeas("efficient inference for large language models", context(), { count: 5 });
  });

  it("states each idea as a problem from one paper, a method from another and the reason, in a sentence without slashes", () => {
    expect(result.answered).toBe(true);
    expect(result.ideas).toHaveLength(5);
    const transfers = result.ideas.filter((idea) => idea.kind === "transfer");
    expect(transfers.length).toBeGreaterThanOrEqual(3);
    for (const idea of transfers) {
      expect(idea.title).not.toMatch(/ \/ /);
      expect(idea.title).toMatch(/^Apply .+ to the .+ raised by .+$/);
      expect(idea.title).toContain(idea.problem!.phrase);
      expect(idea.title).toContain(idea.method!.phrase);
      // The phrases are the papers' own words, and the problem and the method come from different papers.
      const problemPaper = index.papers.get(paperIdOf(result, idea.problem!.sources[0]!))!;
      const methodPaper = index.papers.get(paperIdOf(result, idea.method!.sources[0]!))!;
      expect(problemPaper.id).not.toBe(methodPaper.id);
      const framing = new Set(["lack", "of", "need", "for", "failure", "inability", "to", "difficulty", "with"]);
      for (const word of idea.problem!.phrase.split(" ").filter((w) => !framing.has(w)))
        expect(idea.problem!.sentence.toLowerCase()).toContain(word.toLowerCase());
      expect(problemPaper.abstract).toContain(idea.problem!.sentence);
      expect(methodPaper.abstract).toContain(idea.method!.sentence);
      expect(methodPaper.abstract).toContain(idea.why!);
      expect(idea.keyPhrases).toEqual([idea.problem!.phrase, idea.method!.phrase]);
    }
    expect(result.grounding.supported).toBe(result.grounding.total);
    expect(result.text.match(/^## Idea \d+:/gm)).toHaveLength(5);
    expect(result.text).toMatch(/^- Why it might work: /m);
  });

  it("never uses an evidence sentence or a problem–method pair twice, and the novelty check never names the idea's own papers", () => {
    expectDistinctAndHonest(result);
  });

  it("the same holds on other topics", async () => {
    for (const topic of ["time series forecasting", "optimizers for deep learning"]) {
      const other = await suggestIdeas(topic, context(), { count: 5 });
      expect(other.ideas.length).toBeGreaterThan(0);
      expectDistinctAndHonest(other);
    }
  });

  it("builds only on papers about the topic: retrieval's far tail (unlearning, 3D point clouds) feeds no idea", async () => {
    const topic = "time series forecasting";
    const retrieved = await retrieve(context(), topic, 20);
    const far = retrieved.results.map((r) => r.paper.displayTitle).filter((title) => /Unlearning|point clouds|Speculative Decoding/i.test(title));
    expect(far.length).toBeGreaterThan(0);
    const ideas = await suggestIdeas(topic, context(), { count: 5 });
    const used = ideas.sources.map((source) => source.displayTitle);
    for (const title of far) expect(used).not.toContain(title);
    expect(used.every((title) => retrieved.results.some((r) => r.paper.displayTitle === title))).toBe(true);
  });
});

describe("novelty check", () => {
  const lotrProbe = { problem: ["parameter-efficient fine-tuning"], method: ["low-rank adaptation", "tensor decomposition"] };

  it("a paper's own phrases are explored unless that paper is excluded; the nearest paper and the phrases it shares are named", async () => {
    const lotr = [...index.papers.values()].find((paper) => paper.title === "LoTR: Low Tensor Rank Weight Adaptation")!;
    const found = await checkNovelty(index, embedder, lotrProbe);
    expect(found.nearest?.paperId).toBe(lotr.id);
    expect(found.verdict).not.toBe("likely new");
    expect(found.nearest?.sharedPhrases).toContain("tensor decomposition");
    const without = await checkNovelty(index, embedder, lotrProbe, { exclude: [lotr.id] });
    expect(without.nearest?.paperId).not.toBe(lotr.id);
    expect(without.nearest?.n).toBeNull();
    expect(without.overlap).toBeLessThanOrEqual(found.overlap);
  });

  it("says it cannot judge when fewer than three other papers share the idea's words, and judges once they do", async () => {
    const dir = tempDir("citewise-ideas-small-");
    try {
      // 11 papers (data/001): an idea about graph contrastive learning, built from the GCL paper.
      await buildSmallIndex(dir, [FILES.plain]);
      const small = await loadIndex(dir);
      const gcl = [...small.papers.values()].find((paper) => paper.abstract.startsWith("Graph contrastive learning"))!;
      const probe = { problem: ["graph contrastive learning"], method: ["deep graph models"] };
      const judged = await checkNovelty(small, embedder, probe, { exclude: [gcl.id] });
      expect(judged.candidates).toBeGreaterThanOrEqual(3);
      expect(judged.verdict).not.toBe("not enough indexed papers to judge");
      // The same idea when it cites all but two of the other papers: too few remain to say anything.
      const sharing = [...small.papers.keys()].filter((id) => id !== gcl.id && id !== judged.nearest!.paperId);
      const cornered = await checkNovelty(small, embedder, probe, { exclude: [gcl.id, ...sharing.slice(1)] });
      expect(cornered.candidates).toBeLessThan(3);
      expect(cornered.verdict).toBe("not enough indexed papers to judge");
      expect([gcl.id, ...sharing.slice(1)]).not.toContain(cornered.nearest?.paperId);
      await small.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A reply written by hand as a strong model would (tools/manual-model-server.mjs, to the real ideas prompt for
 * "efficient inference for large language models"); citations are written as [[title]] and numbered here from
 * the request, so the fixture survives changes in retrieval order.
 */
const REPLY = readFileSync(path.join(ROOT, "tests/fixtures/ideas/model-reply.md"), "utf8");

function numbered(reply: string, prompt: string): string {
  const numberOf = new Map([...prompt.matchAll(/<source n="(\d+)">\nTitle: ([^\n]+)/g)].map((match) => [match[2]!, match[1]!]));
  return reply.replace(/\[\[([^\]]+)\]\]/g, (_, title: string) => {
    if (!numberOf.has(title)) throw new Error(`the fixture cites "${title}", which the prompt does not list`);
    return `[${numberOf.get(title)}]`;
  });
}

describe("ideas with a model (real HTTP server)", () => {
  const server = useFakeOpenAI();
  const run = async (extra = "") => {
    server.defaultChat = (request) => ({ text: numbered(REPLY + extra, request.messages[1]!.content) });
    const { code, stdout, stderr } = await runCliAsync(
      ["--index", inject("corpusIndex"), "ideas", "efficient inference for large language models", "--model", "test-chat", "--json"],
      { env: { OPENAI_BASE_URL: server.baseURL } },
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    return JSON.parse(stdout) as IdeasResult;
  };

  it("asks for problem, method and reason lines, and reads them into each idea", async () => {
    const body = await run();
    const system = server.requests.find((request) => request.path === "/chat/completions")!.body.messages[0].content;
    expect(system).toContain("Problem: <one sentence");
    expect(system).toContain("Why it might work:");
    expect(body.ideas).toHaveLength(5);
    for (const idea of body.ideas) {
      expect(idea.kind).toBe("model");
      expect(idea.problem?.phrase.length).toBeGreaterThan(2);
      expect(idea.method?.phrase.length).toBeGreaterThan(2);
      expect(idea.why).toBeTruthy();
      expect(idea.keyPhrases).toEqual([idea.problem!.phrase, idea.method!.phrase]);
    }
    // "**Problem:**" (bold labels) reads like "Problem:".
    expect(body.ideas[2]!.method!.phrase).toBe("Lightning Attention");
  });

  it("the novelty check leaves out every source the idea cites, which would otherwise be its nearest paper", async () => {
    const body = await run();
    expectDistinctAndHonest(body);
    const kv = body.ideas[0]! as Idea;
    const own = kv.sources.map((n) => paperIdOf(body, n));
    expect(own).toHaveLength(2);
    const unexcluded = await checkNovelty(index, embedder, { problem: [kv.problem!.phrase], method: [kv.method!.phrase] });
    expect(own).toContain(unexcluded.nearest!.paperId);
    expect(own).not.toContain(kv.novelty.nearest!.paperId);
  });

  it("drops an idea that repeats an earlier one's problem and method, and says so", async () => {
    const repeat = `\n\n${REPLY.split(/^## Idea 2/m)[0]!.replace("## Idea 1: Compress", "## Idea 6: Shrink")}`;
    const body = await run(repeat);
    expect(body.ideas).toHaveLength(5);
    expect(body.warnings.join(" ")).toMatch(/1 idea\(s\) of the model repeated an earlier idea/);
  });

  it("splits a reply into ideas by headings", () => {
    expect(splitIdeas("## Idea 1: Use X for Y\nBecause [1].\n\n## Idea 2 - Z\nText [2].")).toEqual([
      { title: "Use X for Y", body: "Because [1]." },
      { title: "Z", body: "Text [2]." },
    ]);
  });
});

describe("citewise ideas (CLI)", () => {
  it("-n 0 is refused in one line naming the option", () => {
    const { code, stderr } = runCli(["--index", inject("corpusIndex"), "ideas", "time series forecasting", "-n", "0"]);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/--count/);
  });
});
