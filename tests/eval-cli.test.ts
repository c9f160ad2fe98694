import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadSuite, runSuite } from "../src/eval/answer-suite.js";
import { checkThresholds, type Thresholds } from "../src/eval/report.js";
import { OFFLINE_WRITER } from "../src/generate/writer.js";
import { UseLiteEmbedder } from "../src/index/embedders/use-lite.js";
import { loadIndex } from "../src/index/snapshot.js";
import { ROOT, runCli, runCliAsync, tempDir } from "./helpers.js";
import { OFFLINE_JUDGE } from "./support/judge.js";
import { startFakeOpenAI, type FakeOpenAI } from "./support/openai-server.js";

const SUITE = path.join(ROOT, "evals", "answers.jsonl");
const TASKS = path.join(ROOT, "evals", "tasks.jsonl");

describe("evals/answers.jsonl", () => {
  it("has at least 60 items: answerable ones with relevant papers and key facts, and unanswerable ones", () => {
    const items = loadSuite(SUITE);
    expect(items.length).toBeGreaterThanOrEqual(60);
    const answerable = items.filter((item) => item.type === "answerable");
    expect(answerable.length).toBeGreaterThanOrEqual(40);
    expect(answerable.every((item) => item.relevant!.length > 0 && item.keyFacts!.length > 0)).toBe(true);
    expect(items.filter((item) => item.type === "unanswerable").length).toBeGreaterThanOrEqual(20);
  });
});

describe("eval gate (the CI check): offline answers and tasks on the full suites stay within evals/thresholds.json", () => {
  it("has task fixtures for every literature task", () => {
    const tasks = loadSuite(TASKS);
    for (const task of ["summarize", "ideas", "compare", "related-work"])
      expect(tasks.filter((item) => item.task === task).length, task).toBeGreaterThanOrEqual(3);
  });

  it("has no invalid citations and meets every recorded threshold", async () => {
    const index = await loadIndex(inject("corpusIndex"));
    const embedder = new UseLiteEmbedder(1);
    const items = [...loadSuite(SUITE), ...loadSuite(TASKS)];
    const { summary } = await runSuite(items, { index, embedder, writer: OFFLINE_WRITER, judge: OFFLINE_JUDGE });
    await embedder.close();
    const thresholds = JSON.parse(readFileSync(path.join(ROOT, "evals", "thresholds.json"), "utf8")) as Thresholds;
    expect(summary.invalidCitations).toBe(0);
    expect(summary.tasks.items).toBeGreaterThanOrEqual(12);
    expect(checkThresholds(summary, thresholds)).toEqual([]);
  });
});

describe("citewise eval CLI", () => {
  it("writes a Markdown report with a per-item table and fails --check when a threshold is not met", () => {
    const dir = tempDir();
    const out = path.join(dir, "report.md");
    const strict = path.join(dir, "strict.json");
    writeFileSync(strict, JSON.stringify({ minimum: { keyFactCoverage: 1.01 }, maximum: { invalidCitations: 0 } }));
    const result = runCli(["--index", inject("corpusIndex"), "eval", "--limit", "4", "--out", out, "--check", strict]);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/FAIL keyFactCoverage [\d.]+ is below the recorded minimum 1.01/);
    const report = readFileSync(out, "utf8");
    expect(report).toContain("## Summary");
    expect(report).toMatch(/\| a01 \| answerable \|/);
  });

  describe("with a model server", () => {
    let server: FakeOpenAI;
    beforeAll(async () => {
      server = await startFakeOpenAI();
      // The judge model: "supported" with a quote copied from the cited abstract, except for the 1802 claim.
      server.defaultChat = (request) => {
        if (!request.messages[0]!.content.startsWith("You check one claim"))
          return { text: "The first source answers this directly [1]. It happened in 1802 [2]." };
        const human = request.messages[1]!.content;
        const abstract = human.split("\n")[1]!;
        return {
          text: human.includes("1802")
            ? JSON.stringify({ verdict: "not-enough-info", evidence: [], reason: "no date" })
            : JSON.stringify({ verdict: "supported", evidence: [abstract], reason: "" }),
        };
      };
    });
    afterAll(() => server.close());

    it("answers with the LLM and judges citations with the model judge when asked", async () => {
      const { code, stdout, stderr } = await runCliAsync(
        ["--index", inject("corpusIndex"), "eval", "--limit", "3", "--model", "test-chat", "--judge", "model", "--json"],
        {
          env: { OPENAI_BASE_URL: server.baseURL },
        },
      );
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const body = JSON.parse(stdout);
      expect(body.generator).toBe("openai:test-chat");
      expect(body.judge).toBe("model:openai:test-chat");
      const answered = body.results.filter((r: { answered: boolean }) => r.answered);
      expect(answered.length).toBeGreaterThan(0);
      for (const r of answered) expect(r.citationRecall).toBe(0.5);
      expect(server.requests.some((r) => r.body?.messages?.[0]?.content.startsWith("You check one claim"))).toBe(true);
    });

    it("refuses the model judge when no model server is configured (--judge llm is the old name)", () => {
      for (const kind of ["model", "llm"]) {
        const result = runCli(["--index", inject("corpusIndex"), "eval", "--judge", kind, "--limit", "1"]);
        expect(result.code, kind).toBe(2);
        expect(result.stderr, kind).toMatch(/--judge model needs a model server/);
      }
    });
  });
});

describe("eval --beir end to end", () => {
  it("ingests a BEIR folder (re-runs too) and scores its queries: a corpus of bundled abstracts, two known-item queries", () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "qrels"));
    // Eight titled papers of the bundled listing file: title line, then abstract line.
    const lines = readFileSync(path.join(ROOT, "data", "002_8a505376c0e6a202.txt"), "utf8").split("\n");
    const docs: Array<{ _id: string; title: string; text: string }> = [];
    for (let i = 1; i < lines.length && docs.length < 8; i++) {
      if (lines[i]!.length > 300 && lines[i - 1]!.length > 10 && lines[i - 1]!.length < 200)
        docs.push({ _id: `d${docs.length + 1}`, title: lines[i - 1]!, text: lines[i]! });
    }
    writeFileSync(path.join(dir, "corpus.jsonl"), docs.map((doc) => JSON.stringify(doc)).join("\n"));
    const queries = [docs[2]!, docs[5]!].map((doc, i) => ({ _id: `q${i + 1}`, text: doc.title, doc: doc._id }));
    writeFileSync(path.join(dir, "queries.jsonl"), queries.map(({ _id, text }) => JSON.stringify({ _id, text })).join("\n"));
    writeFileSync(path.join(dir, "qrels", "test.tsv"), `query-id\tcorpus-id\tscore\n${queries.map((q) => `${q._id}\t${q.doc}\t1`).join("\n")}\n`);
    const index = path.join(tempDir(), "beir-index");
    for (const run of ["first", "again"]) {
      const { code, stdout } = runCli(["eval", "--beir", dir, "--index", index, "--modes", "bm25", "--json"]);
      expect(code, run).toBe(0);
      const report = JSON.parse(stdout);
      expect(report.documents, run).toBe(8);
      expect(report.scores[0].queries, run).toBe(2);
      expect(report.scores[0].ndcg10, run).toBeGreaterThan(0.9);
    }
  });
});
