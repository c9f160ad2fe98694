import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILES, ROOT, runCliAsync as runCli, tempDir } from "./helpers.js";
import { startFakeOpenAI, type FakeOpenAI } from "./support/openai-server.js";

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: "sk-test-embed" });
});
afterAll(() => server.close());

describe("OpenAI-compatible embedder over real HTTP (127.0.0.1)", async () => {
  it("ingests and searches with openai:<model>, base64 embeddings decoded by the real client", async () => {
    const dir = tempDir();
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "sk-test-embed" };
    const ingest = await runCli(["--index", path.join(dir, "index"), "ingest", path.join(ROOT, FILES.plain), "--embedder", "openai:test-embed", "--json"], {
      env,
      cwd: dir,
    });
    expect(ingest.stderr).toBe("");
    const report = JSON.parse(ingest.stdout);
    expect(report).toMatchObject({ embedder: "openai:test-embed", papers: 11 });
    expect(server.requests.some((r) => r.path === "/embeddings" && r.body.encoding_format === "base64")).toBe(true);

    const search = await runCli(
      ["--index", path.join(dir, "index"), "search", "DeltaZip serving fine-tuned LLM deltas", "-k", "1", "--mode", "dense", "--json"],
      { env, cwd: dir },
    );
    expect(search.code).toBe(0);
    expect(JSON.parse(search.stdout).results[0].abstract).toContain("DeltaZip");

    // The index remembers its embedder: the offline default is refused without --rebuild.
    const mixed = await runCli(["--index", path.join(dir, "index"), "ingest", path.join(ROOT, FILES.plain)], { cwd: dir });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/built with embedder "openai:test-embed" \(64-d\).*--rebuild/);
  });

  it("names the model when the server does not know it, and never leaks the API key", async () => {
    const dir = tempDir();
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "sk-test-embed" };
    const result = await runCli(["--index", path.join(dir, "index"), "ingest", path.join(ROOT, FILES.plain), "--embedder", "openai:nope-model"], {
      env,
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/embedding model "nope-model" was not found/);
    expect(result.stderr + result.stdout).not.toContain("sk-test-embed");
  });

  it("explains a rejected API key", async () => {
    const dir = tempDir();
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "sk-wrong" };
    const result = await runCli(["--index", path.join(dir, "index"), "ingest", path.join(ROOT, FILES.plain), "--embedder", "openai:test-embed"], {
      env,
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/rejected the API key \(401\)/);
    expect(result.stderr).not.toContain("sk-wrong");
  });
});
