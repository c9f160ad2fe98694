import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkGrounding } from "../src/ground/grounding.js";
import { ModelJudge } from "../src/ground/judge/model-judge.js";
import { OfflineJudge } from "../src/ground/judge/offline-judge.js";
import type { EvidencePaper } from "../src/ground/verdict.js";
import { parseInputs } from "../src/ingest/parse-files.js";
import { OpenAIChat } from "../src/llm/openai-chat.js";
import { splitSentences } from "../src/text/sentences.js";
import { DATA, runCli, tempDir } from "./helpers.js";
import { type FakeOpenAI, startFakeOpenAI } from "./support/openai-server.js";

// Real abstracts from the bundled sample (data/), as the judge meets them at answer time.
const records = parseInputs([DATA]).records;
function paper(titleStart: string): EvidencePaper {
  const record = records.find((r) => (r.title ?? "").startsWith(titleStart));
  if (!record) throw new Error(`no paper "${titleStart}" in data/`);
  return { id: titleStart.toLowerCase().replace(/\W+/g, "-"), title: record.title, sentences: splitSentences(record.abstract) };
}
const FP8 = paper("FP8 Quantization");
const ADEMAMIX = paper("The AdEMAMix Optimizer");
const HERMES = paper("Hermes: Memory-Efficient");

describe("the offline judge on claims about real abstracts", () => {
  const judge = new OfflineJudge();

  it("supports a faithful paraphrase and quotes the sentence it rests on", async () => {
    const verdict = await judge.judge("For post-training quantization, FP8 beats INT8 in accuracy across a wide range of networks.", [FP8]);
    expect(verdict.verdict).toBe("supported");
    expect(verdict.evidence.join(" ")).toContain("the FP8 format is better than INT8 in terms of accuracy");
  });

  it("supports numbers written another way (4.24 X as 4.24×) and flags a number the source does not state", async () => {
    expect(
      (await judge.judge("Hermes is up to 4.24× faster at inference than the state-of-the-art pipeline mechanism on BERT and ViT.", [HERMES])).verdict,
    ).toBe("supported");
    const wrong = await judge.judge("Hermes is up to 5.1× faster at inference than the state-of-the-art pipeline mechanism on BERT and ViT.", [HERMES]);
    expect(wrong.verdict).toBe("contradicted");
    expect(wrong.reason).toMatch(/5\.1x? is not stated/);
  });

  it("catches a negated finding and an added universal, with a reason a reader can check", async () => {
    const negated = await judge.judge("AdEMAMix does not slow down model forgetting during training.", [ADEMAMIX]);
    expect(negated.verdict).toBe("contradicted");
    expect(negated.reason).toMatch(/negat/);
    const universal = await judge.judge("Gradients always stay relevant for tens of thousands of steps.", [ADEMAMIX]);
    expect(universal.verdict).toBe("contradicted");
    expect(universal.reason).toMatch(/"always"/);
  });

  it("says not-enough-info for a claim the cited paper does not make", async () => {
    const verdict = await judge.judge("AdEMAMix was trained on 2,048 TPUs for three months.", [ADEMAMIX]);
    expect(["not-enough-info", "contradicted"]).toContain(verdict.verdict);
    expect((await judge.judge("The method needs no labelled data for reinforcement learning agents.", [ADEMAMIX])).verdict).toBe("not-enough-info");
  });

  it("names the better paper when the claim comes from another source, and flags a citation that adds nothing", async () => {
    const misattributed = await judge.judge("AdEMAMix mixes two exponential moving averages of past gradients.", [FP8], [ADEMAMIX, HERMES]);
    expect(misattributed.verdict).toBe("misattributed");
    expect(misattributed.better).toEqual([ADEMAMIX.id]);
    const pooled = await judge.judge("AdEMAMix mixes two exponential moving averages of past gradients.", [ADEMAMIX, HERMES]);
    expect(pooled.verdict).toBe("misattributed");
    expect(pooled.reason).toContain(HERMES.id);
  });

  it("an uncited claim is uncited", async () => {
    expect((await judge.judge("FP8 beats INT8.", [])).verdict).toBe("uncited");
  });

  it("checks every sentence of a text through one path: counts, relevance and uncited claims", async () => {
    const report = await checkGrounding(
      "Here is what the sources say:\nFP8 is better than INT8 in accuracy for post-training quantization [1]. Hermes lowers memory use by 86.7% for BERT and ViT [2]. Quantum computers will replace GPUs.",
      [FP8, HERMES],
      judge,
      { question: "Is FP8 better than INT8 for post-training quantization?" },
    );
    expect(report.sentences.map((s) => s.verdict)).toEqual(["supported", "supported", "uncited"]);
    expect(report.counts).toMatchObject({ supported: 2, uncited: 1 });
    expect(report.sentences.map((s) => s.addresses)).toEqual([true, false, false]);
    expect(report.addressing).toBe(1);
  });
});

describe("--judge model: the model's verdict needs a quote found in the cited abstract", () => {
  let server: FakeOpenAI;
  let judge: ModelJudge;
  beforeAll(async () => {
    server = await startFakeOpenAI({ apiKey: "sk-test" });
    judge = new ModelJudge(new OpenAIChat({ model: "test-chat", client: new OpenAI({ baseURL: server.baseURL, apiKey: "sk-test", maxRetries: 0 }) }));
  });
  afterAll(() => server.close());

  it("accepts supported with a verbatim quote, sets max_tokens, and sends the abstract", async () => {
    server.queue.push({ text: `{"verdict": "supported", "evidence": ["${FP8.sentences[5]}"], "reason": "stated"}` });
    const verdict = await judge.judge("FP8 beats INT8 for post-training quantization.", [FP8]);
    expect(verdict).toMatchObject({ verdict: "supported", score: 1, evidence: [FP8.sentences[5]] });
    const request = server.requests.at(-1)!.body;
    expect(request.max_tokens).toBeGreaterThan(0);
    expect(JSON.stringify(request.messages)).toContain("severity of outliers");
  });

  it("turns a supported verdict with an invented quote into not-enough-info, and an unreadable reply too", async () => {
    server.queue.push({ text: '{"verdict": "supported", "evidence": ["FP8 is always superior to INT8 in every setting."]}' });
    const invented = await judge.judge("FP8 is always superior to INT8.", [FP8]);
    expect(invented.verdict).toBe("not-enough-info");
    expect(invented.reason).toMatch(/quoted nothing found/);
    server.queue.push({ text: "Sure! I think it is supported." });
    expect((await judge.judge("FP8 beats INT8.", [FP8])).verdict).toBe("not-enough-info");
  });
});

describe("citewise eval --claims on a SciFact-format set", () => {
  const dir = tempDir("citewise-claims-");
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    const docs = [FP8, ADEMAMIX].map((p, i) => ({ doc_id: i + 1, title: p.title, abstract: p.sentences }));
    writeFileSync(path.join(dir, "corpus.jsonl"), docs.map((d) => JSON.stringify(d)).join("\n"));
    const claims = [
      {
        id: 1,
        claim: "FP8 beats INT8 in accuracy for post-training quantization of many networks.",
        doc_ids: [1],
        evidence: { 1: [{ sentences: [5], label: "SUPPORT" }] },
      },
      { id: 2, claim: "AdEMAMix does not slow down model forgetting.", doc_ids: [2], evidence: { 2: [{ sentences: [7], label: "CONTRADICT" }] } },
      { id: 3, claim: "AdEMAMix was designed for protein folding.", doc_ids: [2], evidence: {} },
    ];
    writeFileSync(path.join(dir, "claims_dev.jsonl"), claims.map((c) => JSON.stringify(c)).join("\n"));
  });

  it("prints per-label verdicts and macro-F1 as JSON", () => {
    const result = runCli(["eval", "--claims", dir, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.pairs).toBe(3);
    expect(report.labels.SUPPORT).toEqual({ pairs: 1, predicted: { supported: 1, contradicted: 0, "not-enough-info": 0 } });
    expect(report.labels.CONTRADICT.predicted.contradicted).toBe(1);
    expect(report.labels.NEI.predicted["not-enough-info"]).toBe(1);
    expect(report.macroF1).toBe(1);
  });

  it("a missing split is a one-line user error naming the file", () => {
    const result = runCli(["eval", "--claims", dir, "--split", "test"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("claims_test.jsonl");
  });
});
