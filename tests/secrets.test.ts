import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { providerName, serverLabel } from "../src/llm/openai-client.js";
import { redactKey, redactSecrets } from "../src/llm/redact.js";
import { FILES, ROOT, runCliAsync, tempDir } from "./helpers.js";
import { recordFault, withFault } from "./support/fault-log.js";
import { startFakeOpenAI, type ChatReply, type FakeOpenAI } from "./support/openai-server.js";

/**
 * The API key (a distinctive fake, fresh per run) and database passwords must not appear in stdout,
 * stderr, written files or the index folder — on failure or success, even when the server echoes the
 * key back in an error body or in the answer itself.
 */
const KEY = `sk-test-${randomBytes(12).toString("hex")}`;
const QUESTION = "How does DeltaZip compress fine-tuned models?";
const FAST = { "retry-after-ms": "20" };
let server: FakeOpenAI;

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.queue.length = 0;
  server.embeddingQueue.length = 0;
  server.defaultChat = () => ({ text: "DeltaZip compresses model deltas to serve many fine-tuned models concurrently [1]." });
});

const env = (extra: Record<string, string> = {}) => ({ OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY, ...extra });
const cli = (args: string[], options: { cwd?: string; input?: string; env?: Record<string, string> } = {}) =>
  runCliAsync(["--index", inject("corpusIndex"), ...args], { cwd: options.cwd, input: options.input, env: options.env ?? env() });

/** Every file under `dir` (read as bytes) that contains `secret`. */
function filesContaining(dir: string, secret: string): string[] {
  const hits: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (readFileSync(full).includes(secret)) hits.push(full);
    }
  };
  walk(dir);
  return hits;
}

function expectNoKey(result: { stdout: string; stderr: string }, secret = KEY) {
  expect(result.stdout).not.toContain(secret);
  expect(result.stderr).not.toContain(secret);
  // Not even a recognisable piece of it.
  expect(`${result.stdout}${result.stderr}`).not.toContain(secret.slice(8, 20));
}

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("redactSecrets", () => {
  const saved = process.env.OPENAI_API_KEY;
  afterEach(() => {
    if (saved === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = saved;
  });

  it("removes keys, tokens and passwords in the shapes they appear in", () => {
    process.env.OPENAI_API_KEY = "custom-gateway-key-0123456789";
    const cases: Array<[string, string, string]> = [
      ["Incorrect API key provided: sk-proj-AbC123dEf456GhI789", "sk-proj-AbC123", "Incorrect API key provided: sk-***"],
      [
        "request failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature",
        "eyJhbGciOiJIUzI1NiJ9",
        "request failed: Authorization: Bearer ***",
      ],
      ["GET https://gw.example/v1/models?api_key=AIzaSyD-1234567890abc&mode=x", "AIzaSyD", "GET https://gw.example/v1/models?api_key=***&mode=x"],
      ['{"api-key": "hunter2-but-longer", "model": "m"}', "hunter2", '{"api-key": "***", "model": "m"}'],
      ["x-api-key: abcdef0123456789", "abcdef0123456789", "x-api-key: ***"],
      ["password=correct-horse-battery dbname=papers", "correct-horse", "password=*** dbname=papers"],
      ["cannot connect to postgres://ann:s3cret-pw@db.example:5432/papers", "s3cret-pw", "cannot connect to postgres://ann:***@db.example:5432/papers"],
      ["proxy http://user:p%40ss-word@proxy.local:8080/v1 refused", "p%40ss-word", "proxy http://user:***@proxy.local:8080/v1 refused"],
      ["the gateway echoed custom-gateway-key-0123456789 back", "custom-gateway-key", "the gateway echoed *** back"],
      ["Basic dXNlcjpwYXNzd29yZA== was rejected", "dXNlcjpwYXNzd29yZA", "Basic *** was rejected"],
    ];
    for (const [input, secret, expected] of cases) {
      expect(redactSecrets(input), input).toBe(expected);
      expect(redactSecrets(input)).not.toContain(secret);
    }
  });

  it("leaves ordinary text alone", () => {
    process.env.OPENAI_API_KEY = "custom-gateway-key-0123456789";
    for (const text of [
      "Token merging reduces tokens by 50% with sk-learn style pipelines.",
      "The bearer of the key compresses deltas 6x.",
      "the server at http://127.0.0.1:8080/v1 answered 503",
      "Passwords and secrets are discussed in Section 3.",
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });

  it("redactKey removes only the configured key, and only a long one (it runs on model answers)", () => {
    process.env.OPENAI_API_KEY = "custom-gateway-key-0123456789";
    expect(redactKey("echo custom-gateway-key-0123456789 and sk-abcdefgh1234")).toBe("echo *** and sk-abcdefgh1234");
    process.env.OPENAI_API_KEY = "model";
    expect(redactKey("the model answers")).toBe("the model answers");
  });

  it("names a server without the credentials in its URL", () => {
    expect(serverLabel({ OPENAI_BASE_URL: "https://bob:hunter2-pw@gw.example/v1?api_key=zzz-secret-1" })).toBe("https://***@gw.example/v1?…");
    expect(serverLabel({})).toBe("api.openai.com");
  });

  it("a model id as shown and recorded (generator, the index's embedder name) carries neither the key nor controls", () => {
    process.env.OPENAI_API_KEY = "sk-test-SECRETVALUE123456";
    expect(providerName("emb-sk-test-SECRETVALUE123456\u001b[8m")).toBe("openai:emb-***");
  });
});

describe("the key never reaches output, files or the index", () => {
  it("401 (wrong key), connection refused, timeout and a 500 that echoes the Authorization header", async () => {
    const wrong = await cli(["ask", QUESTION, "--model", "test-chat"], { env: env({ OPENAI_API_KEY: `sk-test-wrong-${randomBytes(8).toString("hex")}` }) });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/rejected the API key \(401\)/);
    expectNoKey(wrong);

    const refused = await cli(["ask", QUESTION, "--model", "test-chat"], { env: env({ OPENAI_BASE_URL: `http://127.0.0.1:${await closedPort()}/v1` }) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot reach the server at http:\/\/127\.0\.0\.1:\d+\/v1 \(connection refused, 4 attempts\)/);
    expectNoKey(refused);

    server.queue.push({ hangMs: 10_000 });
    const timeout = await cli(["ask", QUESTION, "--model", "test-chat", "--timeout", "1"]);
    expect(timeout.stderr).toMatch(/timeout/);
    expectNoKey(timeout);

    server.queue.length = 0;
    server.queue.push(
      ...Array.from(
        { length: 4 },
        (): ChatReply => ({ status: 500, headers: FAST, body: { error: { message: "upstream rejected {{authorization}} (api_key={{authorization}})" } } }),
      ),
    );
    const echoed = await cli(["ask", QUESTION, "--model", "test-chat"]);
    expect(echoed.code).toBe(2);
    expect(echoed.stderr).toMatch(/failed with 500 \(server error\) after 4 attempts: .*upstream rejected Bearer \*\*\*/);
    expectNoKey(echoed);
    recordFault({
      category: "secrets",
      fault: "ask failing: 401, connection refused, timeout, 500 echoing the Authorization header",
      count: 4,
      outcome: "one-line errors without the key",
    });
  });

  it("a base URL with a password and a PostgreSQL URL with a password are never printed", async () => {
    const port = await closedPort();
    const baseSecret = `base-secret-${randomBytes(6).toString("hex")}`;
    const base = await cli(["ask", QUESTION, "--model", "test-chat"], { env: env({ OPENAI_BASE_URL: `http://alice:${baseSecret}@127.0.0.1:${port}/v1` }) });
    expect(base.code).toBe(2);
    // Refused before any request: HTTP clients do not send credentials from a URL.
    expect(base.stderr).toContain(`OPENAI_BASE_URL holds a user name or password (http://***@127.0.0.1:${port}/v1)`);
    expectNoKey(base, baseSecret);
    const pgSecret = `pg-secret-${randomBytes(6).toString("hex")}`;
    const pg = await runCliAsync(["--store", `postgres://ann:${pgSecret}@127.0.0.1:${port}/papers`, "ask", QUESTION, "--model", "test-chat"], { env: env() });
    expect(pg.code).toBe(2);
    expect(pg.stderr).toContain(`postgres://ann:***@127.0.0.1:${port}/papers`);
    expectNoKey(pg, pgSecret);
    expectNoKey(pg);
    recordFault({ category: "secrets", fault: "password in OPENAI_BASE_URL and in a postgres:// store URL", count: 2, outcome: "shown as user:***@host" });
  });

  it("ask --json and --stream succeed without the key even when the model echoes it in its answer", async () => {
    server.defaultChat = () => ({
      text: "DeltaZip compresses model deltas to serve many fine-tuned models concurrently [1]. Debug header: {{authorization}}.",
    });
    const body = await cli(["ask", QUESTION, "--model", "test-chat", "--json"]);
    expect(body.code).toBe(0);
    expect(JSON.parse(body.stdout).answer).toContain("Debug header: Bearer ***.");
    expectNoKey(body);
    const text = await cli(["ask", QUESTION, "--model", "test-chat"]);
    expect(text.code).toBe(0);
    expectNoKey(text);
    recordFault({
      category: "secrets",
      fault: "model answer echoing the Authorization header (--json and text)",
      count: 2,
      outcome: "key replaced by *** in the answer",
    });
  });

  it("eval --json --out: the report holds no key on success, and is not written on failure", async () => {
    const dir = tempDir();
    const report = path.join(dir, "report.md");
    const args = ["eval", "--suite", path.join(ROOT, "evals", "answers.jsonl"), "--limit", "2", "--model", "test-chat", "--json", "--out", report];
    server.queue.push(
      ...Array.from({ length: 4 }, (): ChatReply => ({ status: 500, headers: FAST, body: { error: { message: "bad key {{authorization}}" } } })),
    );
    const failed = await cli(args, { cwd: dir });
    expect(failed.code).toBe(2);
    expect(failed.stdout).toBe("");
    expectNoKey(failed);
    expect(readdirSync(dir)).toEqual([]);
    server.queue.length = 0;
    const ok = await cli(args, { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).generator).toBe("openai:test-chat");
    expect(readFileSync(report, "utf8")).toMatch(/openai:test-chat/);
    expectNoKey(ok);
    expect(filesContaining(dir, KEY)).toEqual([]);
    recordFault({
      category: "secrets",
      fault: "eval --json --out against a failing then working server",
      count: 2,
      outcome: "no report on failure; report and JSON without the key",
    });
  });

  it("chat /export of an answer that echoed the key holds no key", async () => {
    const dir = tempDir();
    const file = path.join(dir, "chat.md");
    server.defaultChat = () => ({ text: "DeltaZip compresses model deltas [1]. Key: {{authorization}}." });
    const result = await cli(["chat", "--model", "test-chat"], { cwd: dir, input: `${QUESTION}\n/export ${file}\n` });
    expect(result.code).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("Key: Bearer ***.");
    expectNoKey(result);
    expect(filesContaining(dir, KEY)).toEqual([]);
    recordFault({ category: "secrets", fault: "chat /export with an answer echoing the key", count: 1, outcome: "export and stdout without the key" });
  });

  it("ingest --embedder openai:<model>: errors echoing the key, a wrong key, then a real index — none of it holds the key", async () => {
    const dir = tempDir();
    const index = path.join(dir, "index");
    const ingest = (extraEnv: Record<string, string> = {}) =>
      runCliAsync(["--index", index, "ingest", path.join(ROOT, FILES.plain), "--embedder", "openai:test-embed"], { cwd: dir, env: env(extraEnv) });
    server.embeddingQueue.push(
      ...Array.from({ length: 4 }, () => ({ status: 503, headers: FAST, body: { error: { message: "overloaded; your key {{authorization}}" } } })),
    );
    const overloaded = await ingest();
    expect(overloaded.code).toBe(2);
    expect(overloaded.stderr).toMatch(/failed with 503 \(server error\) after 4 attempts/);
    expectNoKey(overloaded);
    const wrong = await ingest({ OPENAI_API_KEY: `sk-test-other-${randomBytes(6).toString("hex")}` });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/rejected the API key \(401\)/);
    expectNoKey(wrong);
    const ok = await ingest();
    expect(ok.code, ok.stderr).toBe(0);
    expectNoKey(ok);
    expect(readdirSync(index)).toContain("CURRENT");
    expect(filesContaining(dir, KEY)).toEqual([]);
    expect(filesContaining(dir, server.baseURL)).toEqual([]);
    recordFault({
      category: "secrets",
      fault: "ingest --embedder openai: 503 echoing the key, 401, success",
      count: 3,
      outcome: "errors and index folder without the key",
    });
  });
});

describe("secrets in places no one checks: model ids, odd URLs, split stream pieces", () => {
  it("a server whose only model id contains the key: the notice, the answer and --json show *** instead", async () => {
    const models = new Set(server.knownModels);
    server.knownModels.clear();
    server.knownModels.add(`echo-${KEY}`);
    try {
      await withFault(
        { category: "secrets", fault: "the only model id served contains the API key", count: 2, outcome: "key replaced by *** in the notice and in --json" },
        async () => {
          const text = await cli(["ask", QUESTION]);
          expect(text.code, text.stderr).toBe(0);
          expect(text.stderr).toContain('using model "echo-***", the only one served');
          expectNoKey(text);
          const json = await cli(["ask", QUESTION, "--json"]);
          expect(json.code, json.stderr).toBe(0);
          expect(JSON.parse(json.stdout).generator).toBe("openai:echo-***");
          expectNoKey(json);
        },
      );
    } finally {
      server.knownModels.clear();
      for (const model of models) server.knownModels.add(model);
    }
  });

  it("a streamed answer that echoes the key in 3-character pieces never shows a piece of it", async () => {
    server.defaultChat = () => ({ text: "DeltaZip compresses model deltas [1]. Header: {{authorization}}.", chunkSize: 3 });
    await withFault(
      {
        category: "secrets",
        fault: "key echoed across many small stream pieces (--stream)",
        count: 1,
        outcome: "held back and replaced: no piece of the key shown",
      },
      async () => {
        const streamed = await cli(["ask", QUESTION, "--model", "test-chat", "--stream"]);
        expect(streamed.code, streamed.stderr).toBe(0);
        expect(streamed.stdout).toContain("Header: Bearer ***");
        expectNoKey(streamed);
      },
    );
  });

  it("postgres://ann:p@ss/w0rd#x@host/db: refused before connecting, with no part of the password shown", async () => {
    await withFault(
      {
        category: "secrets",
        fault: "PostgreSQL URL with unencoded @, / and # in the password",
        count: 1,
        outcome: "one-line error asking to percent-encode; password hidden",
      },
      async () => {
        const result = await runCliAsync(["--store", "postgres://ann:p@ss/w0rd#x@127.0.0.1:1/db", "papers", "list"]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(
          /^citewise: error: the user or password in the PostgreSQL URL postgres:\/\/ann:\*\*\*@127\.0\.0\.1:1\/db contains an unencoded "@", "\/" or "#"; percent-encode it/,
        );
        for (const piece of ["p@ss", "ss/w0rd", "w0rd#x", "w0rd"]) expect(result.stderr + result.stdout).not.toContain(piece);
      },
    );
  });

  it("credentials in the base URL's query (?key=, access_key=, sig=, code=, jwt=, s=) are never printed", async () => {
    const port = await closedPort();
    const secrets = {
      key: `k-${randomBytes(6).toString("hex")}`,
      access_key: `a-${randomBytes(6).toString("hex")}`,
      sig: `s-${randomBytes(6).toString("hex")}`,
      code: `c-${randomBytes(6).toString("hex")}`,
      // Names no list of "secret" names would have: every value of a model server's query is hidden.
      jwt: `j-${randomBytes(6).toString("hex")}`,
      s: `q-${randomBytes(6).toString("hex")}`,
    };
    const query = Object.entries(secrets)
      .map(([name, value]) => `${name}=${value}`)
      .join("&");
    await withFault(
      {
        category: "secrets",
        fault: "OPENAI_BASE_URL with ?key=, access_key=, sig=, code=, jwt=, s= (connection refused)",
        count: 6,
        outcome: "errors show the server without the values",
      },
      async () => {
        const result = await cli(["ask", QUESTION, "--model", "test-chat"], { env: env({ OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1?${query}` }) });
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/cannot reach the server at http:\/\/127\.0\.0\.1:\d+\/v1\?…/);
        for (const value of Object.values(secrets)) expectNoKey(result, value);
      },
    );
  });
});
