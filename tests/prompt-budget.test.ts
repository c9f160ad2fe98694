import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Paper } from "../src/corpus/paper.js";
import { LlmAnswerer } from "../src/generate/llm-answerer.js";
import { budgetedPrompt } from "../src/generate/prompt-budget.js";
import { formatSource } from "../src/generate/source-block.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import { OpenAIChat } from "../src/llm/openai-chat.js";
import { sourcesFromPapers } from "../src/tasks/core/sources.js";
import { runCliAsync } from "./helpers.js";
import { type FakeOpenAI, startFakeOpenAI } from "./support/openai-server.js";

const QUESTION = "How does DeltaZip compress fine-tuned models?";
let index: IndexSnapshot;
let server: FakeOpenAI;
let papers: Paper[];

beforeAll(async () => {
  index = await loadIndex(inject("corpusIndex"));
  papers = [...index.papers.values()].filter((paper) => paper.abstract.length > 400);
  server = await startFakeOpenAI();
});
afterAll(() => server.close());

const paperWith = (text: string) => papers.find((paper) => paper.abstract.includes(text))!;

/** A record far longer than an abstract (a full-text chunk, a merged listing): twelve real abstracts, DeltaZip's in the middle. */
function longRecord(): Paper {
  const deltaZip = paperWith("DeltaZip");
  const others = papers.filter((paper) => paper !== deltaZip).slice(0, 11);
  const abstract = [...others.slice(0, 6), deltaZip, ...others.slice(6)].map((paper) => paper.abstract).join(" ");
  return { ...deltaZip, id: "long-record", abstract };
}

/** The source blocks of a rendered prompt, as sent. */
const blocksOf = (content: string) => (content.match(/<source n="\d+">[\s\S]*?<\/source>/g) ?? []).join("\n\n");
const chatRequests = () => server.requests.filter((request) => request.path === "/chat/completions");

describe("prompt budgets: abstracts over the budget are cut by relevance, every request sends max_tokens", () => {
  it("keeps short abstracts whole and cuts a long one to its sentences most relevant to the question, in order, marked", async () => {
    const long = longRecord();
    const sources = sourcesFromPapers([papers[20]!, long, papers[21]!, papers[22]!, papers[23]!]);
    // The same sources without a budget: what the check below would let through if cutting did nothing.
    expect(countTokens(sources.map((source) => formatSource(source)).join("\n\n"))).toBeGreaterThan(3000);

    const { messages, maxTokens, budget } = await budgetedPrompt(
      { prompt: "answer", budget: "answer", request: QUESTION, replyUnits: 5 },
      { question: QUESTION, max_sentences: 5 },
      sources,
    );
    const blocks = blocksOf(messages[1]!.content);
    expect(countTokens(blocks)).toBeLessThanOrEqual(3000);
    expect(budget).toMatchObject({
      tokenizer: "o200k_base",
      sourceTokens: 3000,
      sourceTokensUsed: countTokens(blocks),
      replyTokens: 400,
      truncatedSources: [2],
    });
    expect(maxTokens).toBe(400);
    expect(budget.requests[0]!.promptTokens).toBe(messages.reduce((sum, message) => sum + countTokens(message.content), 0));
    // Short abstracts are sent whole.
    for (const source of [sources[0]!, sources[2]!, sources[3]!, sources[4]!]) expect(blocks).toContain(source.sentences.join(" "));

    const shown = /<source n="2">\n[\s\S]*?Abstract: (.*)\n<\/source>/.exec(blocks)![1]!;
    expect(shown).toMatch(/\[shortened to fit the prompt: \d+ of \d+ sentences, those most relevant to the request\]$/);
    expect(shown).toContain(" … ");
    // The kept sentences appear in the abstract's own order, DeltaZip's among them.
    const positions = sources[1]!.sentences.map((sentence, i) => (shown.includes(sentence) ? i : -1)).filter((i) => i >= 0);
    expect(positions.length).toBeGreaterThan(1);
    expect(positions.length).toBeLessThan(sources[1]!.sentences.length);
    const offsets = positions.map((i) => shown.indexOf(sources[1]!.sentences[i]!));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(positions.some((i) => sources[1]!.sentences[i]!.includes("DeltaZip"))).toBe(true);
  });

  it("an answer through the real openai client (JSON and SSE): max_tokens from --max-sentences, the prompt within its budget", async () => {
    server.defaultChat = () => ({ text: "DeltaZip compresses the deltas of fine-tuned models [2]." });
    const chat = new OpenAIChat({ model: "test-chat", client: new OpenAI({ baseURL: server.baseURL, apiKey: "test", maxRetries: 0 }) });
    const sources = sourcesFromPapers([papers[20]!, longRecord(), papers[21]!]);
    for (const onToken of [undefined, () => {}]) {
      server.requests.length = 0;
      const reply = await new LlmAnswerer(chat).reply({ question: QUESTION, sources, maxSentences: 3, onToken });
      const [request] = chatRequests();
      expect(request!.body.stream ?? false).toBe(onToken !== undefined);
      expect(request!.body.max_tokens).toBe(100 + 60 * 3);
      expect(countTokens(blocksOf(request!.body.messages[1].content))).toBeLessThanOrEqual(3000);
      expect(reply.text).toBe("DeltaZip compresses the deltas of fine-tuned models [2].");
      expect(reply.budget.truncatedSources).toEqual([2]);
    }
  });

  it("every task's requests: max_tokens as --json reports it, source blocks within $CITEWISE_SOURCE_TOKENS", async () => {
    server.defaultChat = (request) =>
      request.messages[0]!.content.includes("You plan the related-work section")
        ? { text: '{"paragraphs": [{"theme": "Quantization of neural networks", "sources": [1, 2, 3]}, {"theme": "Other compression", "sources": [4, 5]}]}' }
        : { text: "Quantization reduces the memory footprint of neural networks [1]." };
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "test", CITEWISE_SOURCE_TOKENS: "1200" };
    const commands = [
      ["ask", "How does quantization reduce the memory footprint of neural networks?"],
      ["summarize", "quantization of neural networks"],
      ["ideas", "quantization of neural networks"],
      ["compare", "--query", "quantization of neural networks"],
      ["related-work", "quantization of neural networks"],
    ];
    for (const command of commands) {
      server.requests.length = 0;
      const result = await runCliAsync(["--index", inject("corpusIndex"), ...command, "--model", "test-chat", "--json"], { env });
      expect(result.code, `${command[0]}: ${result.stderr}`).toBe(0);
      const budget = JSON.parse(result.stdout).budget;
      const requests = chatRequests();
      expect(requests.length, command[0]).toBe(budget.requests.length);
      for (const [i, request] of requests.entries()) {
        const spent = budget.requests[i];
        expect(Number.isInteger(request.body.max_tokens) && request.body.max_tokens > 0, command[0]).toBe(true);
        expect(request.body.max_tokens).toBe(spent.replyTokens);
        expect(spent.sourceTokens).toBe(1200);
        expect(countTokens(blocksOf(request.body.messages[1].content)), `${command[0]} request ${i + 1}`).toBeLessThanOrEqual(1200);
        expect(spent.promptTokens).toBe(request.body.messages.reduce((sum: number, message: { content: string }) => sum + countTokens(message.content), 0));
      }
    }
  });

  it("summarize: 15 abstracts in 1,200 tokens are cut and reported; the default budget sends more of them", async () => {
    server.defaultChat = () => ({ text: "## Inference\n\nLarge language models are expensive to run [1]." });
    const run = async (extra: Record<string, string>) => {
      server.requests.length = 0;
      const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "test", ...extra };
      const args = ["--index", inject("corpusIndex"), "summarize", "efficient inference for large language models", "--model", "test-chat", "--json"];
      const result = await runCliAsync(args, { env });
      expect(result.code, result.stderr).toBe(0);
      const body = JSON.parse(result.stdout);
      return { budget: body.budget, sources: body.sources.length as number, prompt: chatRequests()[0]!.body.messages[1].content as string };
    };
    const small = await run({ CITEWISE_SOURCE_TOKENS: "1200" });
    const standard = await run({});
    expect(small.sources).toBeGreaterThan(10);
    expect(small.budget.truncatedSources.length).toBeGreaterThan(10);
    expect(standard.budget.truncatedSources.length).toBeLessThan(small.budget.truncatedSources.length);
    expect(small.prompt).toContain("[shortened to fit the prompt:");
    expect(standard.budget.sourceTokens).toBe(4000);
    expect(standard.budget.sourceTokensUsed).toBeLessThanOrEqual(4000);
    expect(standard.budget.sourceTokensUsed).toBeGreaterThan(small.budget.sourceTokensUsed);
    expect(standard.budget.replyTokens).toBe(400 + 150 * standard.sources);
  });

  it("--judge model: each verdict request has max_tokens and its abstracts cut to the verdict budget", async () => {
    server.defaultChat = (request) =>
      request.messages[0]!.content.startsWith("You check one claim")
        ? { text: '{"verdict": "not-enough-info", "evidence": [], "reason": "not stated"}' }
        : { text: "DeltaZip compresses model deltas to serve many fine-tuned models concurrently [1]." };
    server.requests.length = 0;
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "test", CITEWISE_SOURCE_TOKENS: "120" };
    const result = await runCliAsync(["--index", inject("corpusIndex"), "ask", QUESTION, "--model", "test-chat", "--judge", "model", "--json"], { env });
    expect(result.code, result.stderr).toBe(0);
    const verdicts = chatRequests().filter((request) => request.body.messages[0].content.startsWith("You check one claim"));
    expect(verdicts.length).toBeGreaterThan(0);
    for (const request of verdicts) {
      expect(request.body.max_tokens).toBe(300);
      const abstracts = request.body.messages[1].content.split("\n\nClaim: ")[0];
      expect(countTokens(abstracts)).toBeLessThanOrEqual(120);
      expect(abstracts).toContain("…");
    }
    // --json accounts for the judge's requests too: the answer's, then one per verdict, in the order sent.
    const budget = JSON.parse(result.stdout).budget;
    expect(budget.requests.map((r: { prompt: string }) => r.prompt)).toEqual(["answer", ...verdicts.map(() => "verdict")]);
    expect(budget.requests.map((r: { replyTokens: number }) => r.replyTokens)).toEqual(chatRequests().map((request) => request.body.max_tokens));
    const cited = JSON.parse(result.stdout).sentences.flatMap((sentence: { citations: number[] }) => sentence.citations);
    expect(budget.requests.slice(1).flatMap((r: { truncatedSources: number[] }) => r.truncatedSources)).toEqual(expect.arrayContaining([...new Set(cited)]));
  });

  it("$CITEWISE_REPLY_TOKENS sets max_tokens of every request (a reasoning model's allowance), and a cut reply says so", async () => {
    server.defaultChat = (request) =>
      request.messages[0]!.content.startsWith("You check one claim")
        ? { text: '{"verdict": "supported", "evidence": [], "reason": "stated"}' }
        : { text: "DeltaZip compresses model deltas to serve many fine-tuned models concurrently [1]." };
    server.requests.length = 0;
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "test", CITEWISE_REPLY_TOKENS: "4000" };
    const result = await runCliAsync(["--index", inject("corpusIndex"), "ask", QUESTION, "--model", "test-chat", "--judge", "model", "--json"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(chatRequests().length).toBeGreaterThan(1);
    for (const request of chatRequests()) expect(request.body.max_tokens).toBe(4000);
    expect(JSON.parse(result.stdout).budget.replyTokens).toBe(4000 * chatRequests().length);

    server.defaultChat = () => ({ text: "DeltaZip compresses model deltas to", finishReason: "length" });
    const cut = await runCliAsync(["--index", inject("corpusIndex"), "ask", QUESTION, "--model", "test-chat"], { env: { ...env, CITEWISE_REPLY_TOKENS: "" } });
    expect(cut.code).not.toBe(0);
    expect(cut.stderr).toMatch(/stopped at the output token limit \(400 tokens.*\(CITEWISE_REPLY_TOKENS raises the limit\)/);
  });

  it("a bad $CITEWISE_SOURCE_TOKENS or $CITEWISE_REPLY_TOKENS is a one-line error naming it, before any request", async () => {
    server.requests.length = 0;
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "test", CITEWISE_SOURCE_TOKENS: "lots" };
    const result = await runCliAsync(["--index", inject("corpusIndex"), "ask", QUESTION, "--model", "test-chat"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('citewise: error: CITEWISE_SOURCE_TOKENS must be a whole number of tokens, 100 or more (got "lots")\n');
    expect(chatRequests()).toHaveLength(0);
    const reply = await runCliAsync(["--index", inject("corpusIndex"), "ask", QUESTION, "--model", "test-chat"], {
      env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "test", CITEWISE_REPLY_TOKENS: "50" },
    });
    expect(reply.code).toBe(2);
    expect(reply.stderr).toBe('citewise: error: CITEWISE_REPLY_TOKENS must be a whole number of tokens, 100 or more (got "50")\n');
    expect(chatRequests()).toHaveLength(0);
  });
});
