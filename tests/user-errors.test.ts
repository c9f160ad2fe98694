import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { ROOT, runCliAsync, tempDir } from "./helpers.js";
import { withFault } from "./support/fault-log.js";
import { useFakeOpenAI } from "./support/openai-server.js";

/** Every user or environment problem is one line, exit 2, naming the file, argument or variable: never "unexpected error". */
const server = useFakeOpenAI();

const QUESTION = "How does DeltaZip compress fine-tuned models?";
const corpus = () => ["--index", inject("corpusIndex")];
function oneLineError(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^citewise: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
}

describe("configuration mistakes", () => {
  it('OPENAI_BASE_URL="not a url" names the variable', async () => {
    await withFault({ category: "errors", fault: 'OPENAI_BASE_URL="not a url" and ftp://…', count: 2, outcome: "exit 2 naming OPENAI_BASE_URL" }, async () => {
      oneLineError(
        await runCliAsync([...corpus(), "ask", QUESTION], { env: { OPENAI_BASE_URL: "not a url" } }),
        /OPENAI_BASE_URL is not a URL \("not a url"\); set it like http:\/\/127\.0\.0\.1:11434\/v1/,
      );
      oneLineError(
        await runCliAsync([...corpus(), "ask", QUESTION], { env: { OPENAI_BASE_URL: "ftp://example.org/v1" } }),
        /OPENAI_BASE_URL must start with http:\/\/ or https:\/\//,
      );
    });
  });

  it("a PostgreSQL URL with ?host=/nonexistent or sslrootcert=/nonexistent names the missing path", async () => {
    await withFault(
      {
        category: "errors",
        fault: "postgres URL with ?host=/nonexistent and with sslrootcert=/nonexistent",
        count: 2,
        outcome: "exit 2 naming the missing socket folder or file",
      },
      async () => {
        oneLineError(
          await runCliAsync(["--store", "postgres://ann@localhost/db?host=/nonexistent", "papers", "list"]),
          /\/nonexistent\/\.s\.PGSQL\.5432: no such file or folder \(ENOENT\)/,
        );
        oneLineError(
          await runCliAsync(["--store", "postgres://ann:pw-secret@127.0.0.1:1/db?sslmode=verify-full&sslrootcert=/nonexistent", "papers", "list"]),
          /\/nonexistent: no such file or folder \(ENOENT\)/,
        );
      },
    );
  });

  it("eval --check with a thresholds file that checks nothing, or names unknown metrics, is refused", async () => {
    const dir = tempDir();
    const none = path.join(dir, "none.json");
    writeFileSync(none, JSON.stringify({ minimum: {}, maximum: {} }));
    const unknown = path.join(dir, "unknown.json");
    writeFileSync(unknown, JSON.stringify({ minimum: { accuracy: 0.9 } }));
    const wrong = path.join(dir, "wrong.json");
    writeFileSync(wrong, JSON.stringify([1, 2]));
    await withFault(
      {
        category: "errors",
        fault: "eval --check with an empty gate, an unknown metric, and a non-object",
        count: 3,
        outcome: "refused before running, exit 2",
      },
      async () => {
        const suite = path.join(ROOT, "evals", "answers.jsonl");
        oneLineError(
          await runCliAsync([...corpus(), "eval", "--suite", suite, "--limit", "1", "--check", none]),
          /it names no metric, so it would check nothing/,
        );
        oneLineError(
          await runCliAsync([...corpus(), "eval", "--suite", suite, "--limit", "1", "--check", unknown]),
          /unknown metric "minimum\.accuracy" \(known: ndcg10, /,
        );
        oneLineError(
          await runCliAsync([...corpus(), "eval", "--suite", suite, "--limit", "1", "--check", wrong]),
          /expected an object with "minimum" and\/or "maximum"/,
        );
      },
    );
  });
});

describe("argument mistakes", () => {
  it("commander's own errors (bad number, unknown option, missing argument) are one line with the citewise prefix", async () => {
    await withFault(
      { category: "errors", fault: "bad -k, bad --show-skipped, unknown option, missing argument", count: 4, outcome: "exit 2, one line" },
      async () => {
        oneLineError(
          await runCliAsync([...corpus(), "search", "-k", "abc", "x"]),
          /-k must be a whole number from 1 to 200 \(got "abc"\) \(run with --help for usage\)$/,
        );
        oneLineError(await runCliAsync([...corpus(), "ingest", "--show-skipped", "-5", "x"]), /--show-skipped must be a whole number from 0 to/);
        oneLineError(await runCliAsync([...corpus(), "--bogus"]), /unknown option '--bogus'/);
        oneLineError(await runCliAsync([...corpus(), "search"]), /missing required argument 'query'/);
      },
    );
  });

  it("eval modes that cannot be combined, --check where it checks nothing, and numbers that are not plain digits are refused", async () => {
    await withFault({ category: "errors", fault: "eval --retrieval --beir, --retrieval --check, -k 0x10", count: 3, outcome: "exit 2, one line" }, async () => {
      oneLineError(await runCliAsync([...corpus(), "eval", "--retrieval", "--beir", "x"]), /--beir and --retrieval are different evals/);
      oneLineError(
        await runCliAsync([...corpus(), "eval", "--retrieval", "--check", "evals/thresholds.json"]),
        /--check gates the answer-suite eval and does nothing with --retrieval/,
      );
      oneLineError(await runCliAsync([...corpus(), "search", "-k", "0x10", "x"]), /-k must be a whole number from 1 to 200 \(got "0x10"\)/);
    });
  });

  it("near misses of a database URL, and a key pasted as OPENAI_BASE_URL, are refused without repeating the secret", async () => {
    const dir = tempDir();
    await withFault(
      {
        category: "errors",
        fault: '--store " postgres://…", "postgres:/u:pw@h/db", "u:pw@h:5432/db"; OPENAI_BASE_URL=<a key>',
        count: 4,
        outcome: "exit 2, nothing created, secret not shown",
      },
      async () => {
        for (const store of [" postgres://u:near-miss-pw@127.0.0.1:1/db", "postgres:/u:near-miss-pw@h/db", "u:near-miss-pw@h:5432/db"]) {
          const result = await runCliAsync(["--store", store, "search", "x"], { cwd: dir });
          oneLineError(result, /looks like a mistyped database URL/);
          expect(result.stderr).not.toContain("near-miss-pw");
        }
        expect(readdirSync(dir)).toEqual([]);
        const key = "ghp_0123456789abcdefSECRET";
        const pasted = await runCliAsync([...corpus(), "ask", QUESTION], { env: { OPENAI_BASE_URL: key } });
        oneLineError(pasted, /OPENAI_BASE_URL is not a URL \(a 26-character value, not shown in case it is a key\)/);
        expect(pasted.stderr).not.toContain("SECRET");
      },
    );
  });

  it("a store URL of another database is refused, never created as a folder", async () => {
    const dir = tempDir();
    await withFault(
      { category: "errors", fault: "--store mysql://u:p@host/db", count: 1, outcome: "exit 2, nothing created, password not shown" },
      async () => {
        const result = await runCliAsync(["--store", "mysql://u:mysql-pw-123@localhost/db", "search", "x"], { cwd: dir });
        oneLineError(result, /--store is a mysql:\/\/ URL; citewise stores an index in a folder or in PostgreSQL/);
        expect(result.stderr).not.toContain("mysql-pw-123");
        expect(readdirSync(dir)).toEqual([]);
      },
    );
  });
});

describe("servers that answer 200 without an answer", () => {
  it('a 200 whose body is an error object ("You exceeded your current quota") is reported with the server\'s message', async () => {
    await withFault(
      {
        category: "errors",
        fault: "HTTP 200 with an error object instead of choices (plain and --stream)",
        count: 2,
        outcome: "exit 2 with the server's message",
      },
      async () => {
        const quota = { raw: JSON.stringify({ error: { message: "You exceeded your current quota, please check your plan.", type: "insufficient_quota" } }) };
        for (const extra of [[], ["--stream"]]) {
          server.queue.push(quota);
          oneLineError(
            await runCliAsync([...corpus(), "ask", QUESTION, "--model", "test-chat", ...extra], { env: { OPENAI_BASE_URL: server.baseURL } }),
            /answered with an error for model "test-chat": You exceeded your current quota/,
          );
        }
      },
    );
  });

  it('finish_reason "content_filter" is not a complete answer (plain and --stream)', async () => {
    await withFault(
      { category: "errors", fault: "finish_reason content_filter, plain and streamed", count: 2, outcome: "exit 2 naming the content filter" },
      async () => {
        server.queue.push({ text: "DeltaZip compresses", finishReason: "content_filter" });
        oneLineError(
          await runCliAsync([...corpus(), "ask", QUESTION, "--model", "test-chat"], { env: { OPENAI_BASE_URL: server.baseURL } }),
          /content filter stopped the answer/,
        );
        server.queue.push({ text: "DeltaZip compresses", finishReason: "content_filter" });
        const streamed = await runCliAsync([...corpus(), "ask", QUESTION, "--model", "test-chat", "--stream"], { env: { OPENAI_BASE_URL: server.baseURL } });
        oneLineError(streamed, /content filter stopped the answer/);
        expect(streamed.stdout).toMatch(/\[answer incomplete: /);
      },
    );
  });

  it("an embeddings endpoint that answers 200 with a malformed body is a one-line error", async () => {
    await withFault({ category: "errors", fault: "embeddings 200 without data", count: 1, outcome: "exit 2, malformed reply named" }, async () => {
      server.embeddingQueue.push({ status: 200, body: { object: "list", model: "test-embed" } });
      const file = path.join(tempDir(), "one.jsonl");
      writeFileSync(file, `${JSON.stringify({ title: "A", abstract: "We compress deltas of fine-tuned models." })}\n`);
      oneLineError(
        await runCliAsync(["--index", path.join(tempDir(), "index"), "ingest", file, "--embedder", "openai:test-embed"], {
          env: { OPENAI_BASE_URL: server.baseURL },
        }),
        /returned a malformed reply \(not the expected JSON shape\) for embedding model "test-embed"/,
      );
    });
  });
});
