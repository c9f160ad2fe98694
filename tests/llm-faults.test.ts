import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { runCliAsync, tempDir } from "./helpers.js";
import { recordFault } from "./support/fault-log.js";
import { sseDelta, sseFinish, startFakeOpenAI, type ChatReply, type FakeOpenAI } from "./support/openai-server.js";

/**
 * Model-server faults against the real CLI and the real `openai` client: what is retried (429 honouring
 * Retry-After, 5xx, timeouts), what is not (other 4xx, malformed replies), and that a failure is one
 * line on stderr with exit code 2 — no stack trace, no answer on stdout that looks complete, no JSON
 * claiming success, output files untouched, the index unchanged.
 */
const KEY = "sk-test-faults-5b0c7e19d2";
const QUESTION = "How does DeltaZip compress fine-tuned models?";
const GOOD = "DeltaZip compresses model deltas to serve many fine-tuned models concurrently [1].";
let server: FakeOpenAI;
let indexBefore: string;

/** CURRENT plus every file's path, size and mtime: any write to the index changes it. */
function indexFingerprint(dir: string = inject("corpusIndex")): string {
  const lines: string[] = [`CURRENT=${readFileSync(path.join(dir, "CURRENT"), "utf8").trim()}`];
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const full = path.join(at, name);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else lines.push(`${path.relative(dir, full)} ${stat.size} ${stat.mtimeMs}`);
    }
  };
  walk(dir);
  return lines.join("\n");
}

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
  indexBefore = indexFingerprint();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.queue.length = 0;
  server.defaultChat = () => ({ text: GOOD });
});

const cli = (args: string[], options: { input?: string; cwd?: string } = {}) =>
  runCliAsync(["--index", inject("corpusIndex"), ...args], { ...options, env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY } });
const ask = (...extra: string[]) => cli(["ask", QUESTION, "--model", "test-chat", ...extra]);
const chatRequests = () => server.requests.filter((request) => request.path === "/chat/completions");
const times = (n: number, reply: ChatReply): ChatReply[] => Array.from({ length: n }, () => reply);
/** Short server-requested waits keep the persistent-failure cases fast; one case below uses the client's own backoff. */
const FAST = { "retry-after-ms": "20" };

type Run = Awaited<ReturnType<typeof cli>>;

/** A persistent fault: exit 2, exactly one "citewise: error:" line naming the cause, nothing claiming an answer, index untouched. */
function expectCleanFailure(result: Run, cause: RegExp) {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^citewise: error: /);
  expect(lines[0]).toMatch(cause);
  expect(result.stderr).not.toMatch(/\n\s+at |CITEWISE_DEBUG|unexpected error/);
  expect(result.stderr).not.toContain(KEY);
  expect(result.stdout).not.toMatch(/Grounded: |References|"answered"/);
  expect(indexFingerprint()).toBe(indexBefore);
}

describe("retries: what is retried, how long citewise waits, and when it gives up", () => {
  it("429 with Retry-After: 1 (seconds) waits a second, then answers", async () => {
    server.queue.push({ status: 429, headers: { "retry-after": "1" } });
    const result = await ask("--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).answer).toBe(GOOD);
    const [first, second] = chatRequests();
    expect(chatRequests()).toHaveLength(2);
    // The client's own first backoff is at most 0.5 s: a gap of ~1 s is the header being honoured.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    recordFault({ category: "llm", fault: "429 with retry-after: 1 (seconds)", count: 1, outcome: "waited 1 s, retried, answered" });
  });

  it("429 with retry-after-ms: 1500 waits 1.5 s, then answers", async () => {
    server.queue.push({ status: 429, headers: { "retry-after-ms": "1500" } });
    const result = await ask("--json");
    expect(result.code).toBe(0);
    const [first, second] = chatRequests();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1450);
    recordFault({ category: "llm", fault: "429 with retry-after-ms: 1500", count: 1, outcome: "waited 1.5 s, retried, answered" });
  });

  it("429 asking to wait an hour is not waited for: one request, a rate-limit message naming the wait", async () => {
    server.queue.push({ status: 429, headers: { "retry-after": "3600" } });
    const started = Date.now();
    const result = await ask();
    expect(Date.now() - started).toBeLessThan(30_000);
    expectCleanFailure(result, /rate limiting requests \(429\) and asks to wait 3600 s, longer than citewise waits \(60 s\)/);
    expect(chatRequests()).toHaveLength(1);
    recordFault({ category: "llm", fault: "429 with retry-after: 3600", count: 1, outcome: "not retried; exit 2, rate-limit message" });
  });

  it("429 that never ends: 4 attempts, then 'rate limited'", async () => {
    server.queue.push(...times(4, { status: 429, headers: FAST }));
    expectCleanFailure(await ask(), /kept answering 429 \(rate limited\) after 4 attempts/);
    expect(chatRequests()).toHaveLength(4);
    recordFault({ category: "llm", fault: "persistent 429", count: 1, outcome: "4 attempts; exit 2, rate-limit message" });
  });

  it("500, 502, 503 then success: retried with the client's own backoff, then answers", async () => {
    server.queue.push({ status: 500 }, { status: 502 }, { status: 503 });
    const result = await ask();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(GOOD);
    expect(result.stdout).toMatch(/Grounded: 1\/1 sentences supported/);
    const requests = chatRequests();
    expect(requests).toHaveLength(4);
    // Exponential backoff with jitter: ≥ 0.375 + 0.75 + 1.5 s in total.
    expect(requests[3]!.at - requests[0]!.at).toBeGreaterThanOrEqual(2500);
    recordFault({ category: "llm", fault: "500, 502, 503 then success", count: 3, outcome: "retried with backoff, answered" });
  });

  it("503 that never ends: 4 attempts, then 'server error 503'", async () => {
    server.queue.push(...times(4, { status: 503, headers: FAST, body: { error: { message: "upstream overloaded" } } }));
    expectCleanFailure(await ask(), /failed with 503 \(server error\) after 4 attempts: .*upstream overloaded/);
    expect(chatRequests()).toHaveLength(4);
    recordFault({ category: "llm", fault: "persistent 503", count: 1, outcome: "4 attempts; exit 2, server-error message" });
  });

  it("4xx other than 429 is not retried: 400, 403, 422 each fail after one request", async () => {
    for (const status of [400, 403, 422]) {
      server.requests.length = 0;
      server.queue.push({ status, body: { error: { message: `bad request ${status}` } } });
      expectCleanFailure(await ask(), new RegExp(`answered ${status}: .*bad request ${status}`));
      expect(chatRequests(), String(status)).toHaveLength(1);
    }
    recordFault({ category: "llm", fault: "400/403/422 from the chat endpoint", count: 3, outcome: "not retried; exit 2, status named" });
  });

  it("a connection dropped before the reply arrives is retried like a network error, then reported", async () => {
    server.queue.push(...times(4, { truncateAfter: "Delta" }));
    expectCleanFailure(await ask(), /cannot reach the server at http:\/\/127\.0\.0\.1:\d+\/v1 \(connection dropped, 4 attempts\)/);
    expect(chatRequests()).toHaveLength(4);
    recordFault({ category: "llm", fault: "connection dropped before the reply", count: 1, outcome: "4 attempts; exit 2, connection message" });
  });

  it("a server that sends no headers within --timeout: one attempt (a deadline is not retried), then 'timeout'", async () => {
    server.queue.push({ hangMs: 20_000 });
    const started = Date.now();
    const result = await ask("--timeout", "1");
    expect(Date.now() - started).toBeLessThan(10_000);
    expectCleanFailure(result, /did not finish its reply within 1 s \(timeout: --timeout is a deadline for each request, not retried\)/);
    expect(chatRequests()).toHaveLength(1);
    recordFault({ category: "llm", fault: "no response within --timeout 1", count: 1, outcome: "1 attempt; exit 2, timeout message" });
  });
});

describe("malformed and incomplete replies are errors, never a shorter answer", () => {
  const cases: Array<{ fault: string; reply: ChatReply; cause: RegExp }> = [
    {
      fault: "200 with malformed JSON body",
      reply: { raw: '{"id":"chatcmpl-x","choices":[{"message":{"content":"DeltaZip comp' },
      cause: /malformed reply \(not valid JSON\)/,
    },
    {
      fault: "200 with an HTML body",
      reply: { raw: "<html><body>502 Bad Gateway</body></html>", contentType: "text/html" },
      cause: /malformed reply \(no "choices"\)/,
    },
    { fault: "200 with empty choices", reply: { raw: JSON.stringify({ id: "x", object: "chat.completion", choices: [] }) }, cause: /returned no answer text/ },
    { fault: "200 with empty content", reply: { text: "" }, cause: /returned an empty reply/ },
    {
      fault: "finish_reason length (server token limit)",
      reply: { text: "DeltaZip compresses model", finishReason: "length" },
      cause: /output token limit .*incomplete/,
    },
    {
      fault: "headers sent, then the body stalls past --timeout",
      reply: { stallAfter: "unused", ms: 20_000 },
      cause: /did not finish its reply within 1 s \(timeout/,
    },
  ];
  for (const { fault, reply, cause } of cases) {
    it(`${fault}: exit 2, one line, and with --json no JSON at all`, async () => {
      server.queue.push(reply, reply);
      const text = await ask("--timeout", "1");
      expectCleanFailure(text, cause);
      const json = await ask("--timeout", "1", "--json");
      expectCleanFailure(json, cause);
      expect(json.stdout).toBe("");
      // Malformed replies are not retried: exactly one request per run.
      expect(chatRequests()).toHaveLength(2);
      recordFault({ category: "llm", fault, count: 2, outcome: "exit 2, one-line cause, no stdout" });
    });
  }
});

describe("ask --stream: text already shown is closed with a marker when the stream fails", () => {
  const MARKER = "[answer incomplete: the model's reply failed part-way; the text above is unchecked and has no references]";
  const cases: Array<{ fault: string; reply: ChatReply; shown: string; cause: RegExp }> = [
    {
      fault: "stream cut mid-answer (connection dropped)",
      reply: { truncateAfter: "DeltaZip compre", afterMs: 200 },
      shown: "DeltaZip compre",
      cause: /cut .*incomplete/,
    },
    {
      fault: "SSE data line that is not JSON",
      reply: { events: [sseDelta("DeltaZip compresses "), "this is {not json", sseFinish(), "[DONE]"] },
      shown: "DeltaZip compresses ",
      cause: /malformed event \(not JSON\)/,
    },
    {
      fault: "stream ends without finish_reason or [DONE]",
      reply: { events: [sseDelta("DeltaZip compresses model deltas")] },
      shown: "DeltaZip compresses model deltas",
      cause: /ended before the model finished/,
    },
    {
      fault: "error event in the middle of the stream",
      reply: { events: [sseDelta("DeltaZip "), JSON.stringify({ error: { message: "model overloaded", type: "server_error" } })] },
      shown: "DeltaZip ",
      cause: /reported an error in the middle of the answer: .*model overloaded/,
    },
    {
      fault: "stream stalls past --timeout",
      reply: { stallAfter: "DeltaZip compresses ", ms: 20_000 },
      shown: "DeltaZip compresses ",
      cause: /did not finish its reply within 1 s \(timeout/,
    },
  ];
  for (const { fault, reply, shown, cause } of cases) {
    it(`${fault}: partial text, then the marker; exit 2; not retried`, async () => {
      server.queue.push(reply);
      const started = Date.now();
      const result = await ask("--stream", "--timeout", "1");
      expect(Date.now() - started).toBeLessThan(19_000);
      expectCleanFailure(result, cause);
      expect(result.stdout).toBe(`${shown}\n${MARKER}\n`);
      expect(chatRequests()).toHaveLength(1);
      recordFault({ category: "llm", fault: `--stream: ${fault}`, count: 1, outcome: "partial text + incomplete marker; exit 2" });
    });
  }

  it("a stream with finish_reason but no [DONE] is complete: answered and checked", async () => {
    server.queue.push({ events: [sseDelta(GOOD.slice(0, 30)), sseDelta(GOOD.slice(30)), sseFinish()] });
    const result = await ask("--stream");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(GOOD);
    expect(result.stdout).toMatch(/Grounded: 1\/1 sentences supported/);
    expect(result.stdout).not.toContain(MARKER);
    recordFault({ category: "llm", fault: "--stream: finish_reason without [DONE]", count: 1, outcome: "accepted as complete, answered" });
  });

  it("503 before the first token is retried like any request, then streams", async () => {
    server.queue.push({ status: 503, headers: FAST });
    const result = await ask("--stream");
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(GOOD)).toBe(true);
    expect(chatRequests()).toHaveLength(2);
    recordFault({ category: "llm", fault: "--stream: 503 before the stream starts", count: 1, outcome: "retried, streamed answer" });
  });
});

describe("literature tasks: output files are written only after a complete, checked result", () => {
  const TOPIC = "quantization of neural networks";

  it("related-work --out/--bib-out keep their previous content when the model fails, and are replaced when it answers", async () => {
    const dir = tempDir();
    const out = path.join(dir, "related.md");
    const bib = path.join(dir, "refs.bib");
    writeFileSync(out, "previous draft\n");
    writeFileSync(bib, "% previous bib\n");
    const args = ["related-work", TOPIC, "--model", "test-chat", "--out", out, "--bib-out", bib];
    for (const reply of [{ status: 503, headers: FAST }, { raw: "{not json" }] satisfies ChatReply[]) {
      server.queue.push(...times(4, reply));
      expectCleanFailure(await cli(args, { cwd: dir }), /503 \(server error\)|malformed reply/);
      server.queue.length = 0;
      expect(readFileSync(out, "utf8")).toBe("previous draft\n");
      expect(readFileSync(bib, "utf8")).toBe("% previous bib\n");
      expect(readdirSync(dir).sort()).toEqual(["refs.bib", "related.md"]);
    }
    // The same command against a working server does write both: the check above can fail.
    server.defaultChat = () => ({ text: "Quantization reduces the memory footprint of neural networks [1]." });
    const ok = await cli(args, { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("## Related Work");
    expect(readFileSync(bib, "utf8")).toMatch(/^@/m);
    recordFault({
      category: "llm",
      fault: "related-work --out/--bib-out with persistent 503 and malformed JSON",
      count: 2,
      outcome: "exit 2; both files keep previous content",
    });
  });

  it("summarize --out is not created when the model times out", async () => {
    const dir = tempDir();
    const out = path.join(dir, "summary.md");
    server.queue.push({ hangMs: 20_000 });
    expectCleanFailure(
      await cli(["summarize", TOPIC, "--model", "test-chat", "--timeout", "1", "--out", out], { cwd: dir }),
      /did not finish its reply within 1 s/,
    );
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    recordFault({ category: "llm", fault: "summarize --out with a hanging server", count: 1, outcome: "exit 2; no file created" });
  });
});

describe("chat over piped stdin", () => {
  it("a failed question is reported on stderr, kept out of /export, and the session exits 2", async () => {
    const dir = tempDir();
    const early = path.join(dir, "early.md");
    const late = path.join(dir, "late.md");
    writeFileSync(early, "previous export\n");
    server.queue.push(...times(4, { status: 503, headers: FAST }));
    const input = [QUESTION, `/export ${early}`, "What is DeltaZip and how does it serve fine-tuned models?", `/export ${late}`, "/quit"].join("\n");
    const result = await cli(["chat", "--model", "test-chat"], { input, cwd: dir });
    expect(result.code).toBe(2);
    const errors = result.stderr.trimEnd().split("\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^citewise: error: .*failed with 503 \(server error\) after 4 attempts/);
    expect(result.stdout).toContain(`Nothing to export yet: no question has been answered; ${early} was not written.`);
    expect(readFileSync(early, "utf8")).toBe("previous export\n");
    // The second question was answered and is the only one exported.
    const transcript = readFileSync(late, "utf8");
    expect(transcript).toContain("## What is DeltaZip and how does it serve fine-tuned models?");
    expect(transcript).not.toContain(`## ${QUESTION}`);
    expect(indexFingerprint()).toBe(indexBefore);
    recordFault({
      category: "llm",
      fault: "chat: persistent 503 on one question",
      count: 1,
      outcome: "error line, session continues, exit 2, failed turn not exported",
    });
  });

  it("a reply cut mid-way is not kept: the export holds only the complete answer before it", async () => {
    const dir = tempDir();
    const file = path.join(dir, "chat.md");
    server.defaultChat = (request) =>
      request.messages[0]!.content.startsWith("You rewrite a follow-up question") ? { text: "What are the limitations of DeltaZip?" } : { text: GOOD };
    // First question answers; the follow-up's rewrite answers, then its answer is cut off.
    server.queue.push({ text: GOOD }, { text: "What are the limitations of DeltaZip?" }, { truncateAfter: "DeltaZip is limi", afterMs: 200 });
    const input = [QUESTION, "and its limitations?", `/export ${file}`].join("\n");
    const result = await cli(["chat", "--model", "test-chat"], { input, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^citewise: error: .*(cut|incomplete)/);
    expect(result.stdout).not.toContain("DeltaZip is limi");
    const transcript = readFileSync(file, "utf8");
    expect(transcript).toContain(`## ${QUESTION}`);
    expect(transcript).not.toContain("limitations");
    expect(transcript).not.toContain("DeltaZip is limi");
    recordFault({
      category: "llm",
      fault: "chat: answer connection cut on the second question",
      count: 1,
      outcome: "error line, partial reply not shown or exported, exit 2",
    });
  });
});

describe("the shared index", () => {
  it("is byte-for-byte untouched by every fault above", () => {
    expect(indexFingerprint()).toBe(indexBefore);
  });
});
