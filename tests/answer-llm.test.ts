import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { runCliAsync } from "./helpers.js";
import { startFakeOpenAI, type FakeOpenAI } from "./support/openai-server.js";

const KEY = "sk-live-test-0123456789";
const QUESTION = "How does DeltaZip compress fine-tuned models?";
let server: FakeOpenAI;

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.queue.length = 0;
  server.defaultChat = () => ({ text: "OK." });
});

const env = () => ({ OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY });
const cli = (args: string[], extraEnv: Record<string, string | undefined> = {}) =>
  runCliAsync(["--index", inject("corpusIndex"), ...args], { env: { ...env(), ...extraEnv } });
const chatRequests = () => server.requests.filter((r) => r.path === "/chat/completions");

const HALLUCINATING_ANSWER =
  "DeltaZip serves many fine-tuned models concurrently by compressing model deltas by a factor of $6\\times$ to $8\\times$ [1]. " +
  "It was invented on the Moon in 1802 [9].";

describe("LLM answers through the real openai client against a local OpenAI-compatible server", () => {
  it("streams the answer over SSE, removes the hallucinated citation [9] and reports it", async () => {
    server.defaultChat = () => ({ text: HALLUCINATING_ANSWER, chunkSize: 5 });
    const { code, stdout, stderr } = await cli(["ask", QUESTION, "--model", "test-chat", "--stream"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    // Streamed as written, then checked.
    expect(stdout).toContain("It was invented on the Moon in 1802 [9].");
    expect(stdout).toMatch(/Removed citations to sources that were not provided: \[9\] \(only \[1\]–\[5\] existed\)/);
    // Its only citation removed, the invented sentence is listed as an uncited claim.
    expect(stdout).toMatch(/Flagged sentences:\n {2}- "It was invented on the Moon in 1802\." — uncited/);
    expect(stdout).not.toContain("Unsupported sentences:");
    expect(stdout).toMatch(/^References\n {2}\[1\] /m);
    expect(stdout).not.toMatch(/^ {2}\[[2-5]\] /m);
    expect(stdout).toMatch(/Grounded: 1\/2 sentences supported/);

    const [request] = chatRequests();
    expect(request!.body.stream).toBe(true);
    expect(request!.body.model).toBe("test-chat");
    const [system, user] = request!.body.messages;
    expect(system.role).toBe("system");
    expect(system.content).toContain("Cite only the source numbers listed (1 to 5)");
    expect(user.content).toContain(`Question: ${QUESTION}`);
    expect(user.content).toContain('<source n="1">');
    expect(user.content).toContain("DeltaZip");
    expect(user.content).toContain('<source n="5">');
  });

  it("--json gives the checked answer: invalid citation gone, unsupported sentence marked", async () => {
    server.defaultChat = () => ({ text: HALLUCINATING_ANSWER });
    const { code, stdout } = await cli(["ask", QUESTION, "--model", "test-chat", "--json"]);
    expect(code).toBe(0);
    const body = JSON.parse(stdout);
    expect(body.generator).toBe("openai:test-chat");
    expect(body.answered).toBe(true);
    expect(body.answer).not.toContain("[9]");
    expect(body.removedCitations).toEqual(["[9]"]);
    expect(body.references.map((r: { n: number }) => r.n)).toEqual([1]);
    expect(body.sentences.map((s: { supported: boolean }) => s.supported)).toEqual([true, false]);
    expect(body.sentences.map((s: { verdict: string }) => s.verdict)).toEqual(["supported", "uncited"]);
    expect(body.grounded).toEqual({ supported: 1, total: 2 });
  });

  it("retries on 429 (Retry-After) and 5xx, then answers", async () => {
    server.queue.push({ status: 429, headers: { "retry-after": "0" } }, { status: 503 }, { text: "DeltaZip compresses model deltas [1]." });
    const { code, stdout } = await cli(["ask", QUESTION, "--model", "test-chat", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).answer).toBe("DeltaZip compresses model deltas [1].");
    expect(chatRequests()).toHaveLength(3);
  });

  it("takes the model's own abstention as unanswered", async () => {
    server.defaultChat = () => ({ text: "The indexed papers do not address this." });
    const body = JSON.parse((await cli(["ask", QUESTION, "--model", "test-chat", "--json"])).stdout);
    expect(body).toMatchObject({ answered: false, references: [] });
  });

  it("does not call the model when the corpus does not address the question", async () => {
    const body = JSON.parse((await cli(["ask", "Which grape varieties are used in Champagne?", "--model", "test-chat", "--json"])).stdout);
    expect(body.answered).toBe(false);
    expect(chatRequests()).toHaveLength(0);
  });

  it("explains a rejected key (401) and an unknown model without printing the key", async () => {
    const bad = await cli(["ask", QUESTION, "--model", "test-chat"], { OPENAI_API_KEY: "sk-wrong-key-999999" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/rejected the API key \(401\); check OPENAI_API_KEY/);
    expect(bad.stderr + bad.stdout).not.toContain("sk-wrong-key-999999");
    const unknown = await cli(["ask", QUESTION, "--model", "no-such-model"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/chat model "no-such-model" was not found on http:\/\/127\.0\.0\.1:\d+\/v1 \(404\)/);
    expect(unknown.stderr).not.toContain(KEY);
  });

  it("never guesses a model: several served models and no --model is an error that lists them", async () => {
    const result = await cli(["ask", QUESTION]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/choose a model with --model .*serves: test-chat, test-embed/);
    expect(chatRequests()).toHaveLength(0);
  });

  it("refuses --model when no model server is configured instead of falling back anywhere", async () => {
    const result = await runCliAsync(["--index", inject("corpusIndex"), "ask", QUESTION, "--model", "gpt-4o"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--model gpt-4o needs a model server: set OPENAI_BASE_URL/);
  });

  it("reports a stream cut mid-answer and writes no partial JSON", async () => {
    server.queue.push(
      { truncateAfter: "DeltaZip compre" },
      { truncateAfter: "DeltaZip compre" },
      { truncateAfter: "DeltaZip compre" },
      { truncateAfter: "DeltaZip compre" },
    );
    const result = await cli(["ask", QUESTION, "--model", "test-chat", "--json"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/answer stream ended before the model finished|cannot reach the server|connection/i);
  });
});
