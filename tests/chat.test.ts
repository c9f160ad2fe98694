import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rewriteOffline } from "../src/tasks/chat-session.js";
import { runCli, runCliAsync, tempDir } from "./helpers.js";
import { startFakeOpenAI, type FakeOpenAI } from "./support/openai-server.js";

describe("citewise chat driven through piped stdin", () => {
  it("answers, rewrites a follow-up, and runs /sources, /paper, /export, /help and unknown commands", () => {
    const dir = tempDir();
    const exportFile = path.join(dir, "chat.md");
    const input = [
      "How does DeltaZip compress fine-tuned models?",
      "what are its main benefits?",
      "/sources",
      "/paper 1",
      "/paper 42",
      "/frobnicate",
      "/help",
      `/export ${exportFile}`,
      "/quit",
      "this line is never read",
    ].join("\n");
    const { code, stdout, stderr } = runCli(["--index", inject("corpusIndex"), "chat"], { input });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/DeltaZip/);
    // The pointer is replaced by what the last turn was about, not the history strung together.
    expect(stdout).toContain("(searched for: what are DeltaZip's main benefits?)");
    // Piped questions head their answers.
    expect(stdout).toContain("> How does DeltaZip compress fine-tuned models?");
    expect(stdout).toMatch(/Grounded: \d+\/\d+ sentences supported/);
    expect(stdout).toMatch(/\(not cited\)/);
    expect(stdout).toContain("/paper takes a source number from the last answer (1–5)");
    expect(stdout).toContain("Unknown command /frobnicate.");
    expect(stdout).toContain("/export FILE  save the conversation as Markdown");
    expect(stdout).not.toContain("this line is never read");
    const transcript = readFileSync(exportFile, "utf8");
    expect(transcript).toContain("## How does DeltaZip compress fine-tuned models?");
    expect(transcript).toContain("## what are its main benefits?");
    expect(transcript).toMatch(/- \[1\] .*\(h-[0-9a-f]{12}\)/);
  });

  it("ends cleanly at end of input without /quit", () => {
    const { code, stdout } = runCli(["--index", inject("corpusIndex"), "chat"], { input: "Who won the 1998 FIFA World Cup final?\n" });
    expect(code).toBe(0);
    expect(stdout).toContain("The indexed papers do not address this.");
  });

  it("keeps self-contained follow-ups as they are; resolves pointers to the last turn's subject or papers", () => {
    const lotr = { subject: "LoTR", papers: "LoTR" };
    expect(rewriteOffline("How is neural collapse measured in long-tailed recognition?", lotr)).toBe(
      "How is neural collapse measured in long-tailed recognition?",
    );
    expect(rewriteOffline("Which papers propose new optimizers?", lotr)).toBe("Which papers propose new optimizers?");
    expect(rewriteOffline("and what are its limitations?", lotr)).toBe("and what are LoTR's limitations?");
    expect(rewriteOffline("How does it compare to QuanTA?", lotr)).toBe("How does LoTR compare to QuanTA?");
    const optimizers = { subject: "new optimizers", papers: "AdaBelief Optimizer and ADAHESSIAN" };
    expect(rewriteOffline("how do they differ?", optimizers)).toBe("how do AdaBelief Optimizer and ADAHESSIAN differ?");
    expect(rewriteOffline("and the speedup?", { subject: "DeltaZip", papers: "" })).toBe("and the speedup (DeltaZip)?");
  });

  it("--json prints one JSON object per answered question, with the standalone question searched for", () => {
    const input = "How does DeltaZip compress fine-tuned models?\nwhat are its main benefits?\n";
    const { code, stdout } = runCli(["--index", inject("corpusIndex"), "chat", "--json"], { input });
    expect(code).toBe(0);
    const turns = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(turns).toHaveLength(2);
    expect(turns[0]).toMatchObject({ question: "How does DeltaZip compress fine-tuned models?", answered: true });
    expect(turns[1].standalone).toBe("what are DeltaZip's main benefits?");
    expect(turns[1].references.length).toBeGreaterThan(0);
  });
});

describe("chat with a model: follow-ups rewritten by the model from prompts/rewrite-question", () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI();
  });
  afterAll(() => server.close());

  it("sends the history to the rewrite prompt and searches with the rewritten question", async () => {
    server.defaultChat = (request) =>
      request.messages[0]!.content.startsWith("You rewrite a follow-up question")
        ? { text: "What are the limitations of DeltaZip delta compression for serving fine-tuned LLMs?" }
        : { text: "DeltaZip compresses model deltas to serve many fine-tuned models [1]." };
    const input = "How does DeltaZip compress fine-tuned models?\nwhat about its limitations?\n";
    const { code, stdout, stderr } = await runCliAsync(["--index", inject("corpusIndex"), "chat", "--model", "test-chat"], {
      input,
      env: { OPENAI_BASE_URL: server.baseURL },
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("(searched for: What are the limitations of DeltaZip delta compression for serving fine-tuned LLMs?)");
    const rewrite = server.requests.find((r) => r.body?.messages?.[0]?.content.startsWith("You rewrite a follow-up question"));
    expect(rewrite!.body.messages[1].content).toContain("User: How does DeltaZip compress fine-tuned models?");
    expect(rewrite!.body.messages[1].content).toContain("Follow-up question: what about its limitations?");
  });

  it("'What does source 2 propose?': the rewrite prompt lists the last answer's sources by number and title, with max_tokens; --json reports both requests' budgets", async () => {
    const REWRITE = "You rewrite a follow-up question";
    server.requests.length = 0;
    server.defaultChat = (request) => {
      if (!request.messages[0]!.content.startsWith(REWRITE)) return { text: "DeltaZip compresses model deltas to serve many fine-tuned models [1]." };
      // What a model does with the prompt: the source named by its number becomes its title.
      const title = /\n\[2\] ([^\n]+)/.exec(request.messages[1]!.content)?.[1] ?? "source 2";
      return { text: `What does ${title} propose?` };
    };
    const input = "How does DeltaZip compress fine-tuned models?\nWhat does source 2 propose?\n";
    const { code, stdout, stderr } = await runCliAsync(["--index", inject("corpusIndex"), "chat", "--model", "test-chat", "--json"], {
      input,
      env: { OPENAI_BASE_URL: server.baseURL },
    });
    expect(code, stderr).toBe(0);
    const [first, second] = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const source2 = first.sources.find((source: { n: number }) => source.n === 2);
    const title = source2.title ?? source2.displayTitle;
    const rewrite = server.requests.find((r) => r.body?.messages?.[0]?.content.startsWith(REWRITE))!;
    expect(rewrite.body.messages[0].content).toContain('names a source of the last answer by its number ("source 2"');
    expect(rewrite.body.messages[1].content).toContain(`Sources of the last answer, by the numbers it cited them with:\n[1] `);
    expect(rewrite.body.messages[1].content).toContain(`\n[2] ${title}\n`);
    expect(rewrite.body.max_tokens).toBe(120);
    expect(second.standalone).toBe(`What does ${title} propose?`);
    // The follow-up's search found the paper the user pointed at.
    expect(second.sources.map((source: { paperId: string }) => source.paperId)).toContain(source2.paperId);
    expect(first.budget.requests.map((r: { prompt: string }) => r.prompt)).toEqual(["answer"]);
    expect(second.budget.requests.map((r: { prompt: string }) => r.prompt)).toEqual(["rewrite-question", "answer"]);
    expect(second.budget.requests[0].replyTokens).toBe(120);
  });
});
