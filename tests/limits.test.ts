import { spawnSync } from "node:child_process";
import { mkdirSync, openSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { parseInputs } from "../src/ingest/parse-files.js";
import { recordsToPapers } from "../src/ingest/papers.js";
import { FILES, ROOT, runCli, runCliAsync, tempDir } from "./helpers.js";
import { withFault } from "./support/fault-log.js";
import { useFakeOpenAI } from "./support/openai-server.js";
import { buildSmallIndex, folderFingerprint } from "./support/small-index.js";

/**
 * Nothing hangs or grows without bound: --timeout is a deadline for each request (a trickling or endless
 * server ends), replies have a size cap, only regular files are read, every text field and query has a
 * limit, any count of records works, and deep or looping folders are walked with notes.
 */
const server = useFakeOpenAI();

const QUESTION = "How does DeltaZip compress fine-tuned models?";
const withModel = (args: string[]) =>
  runCliAsync(["--index", inject("corpusIndex"), ...args, "--model", "test-chat"], {
    env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "sk-test-limits-0123456789" },
  });
const oneLine = (result: { code: number | null; stderr: string }, pattern: RegExp) => {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split("\n");
  expect(lines.filter((line) => line.startsWith("citewise: error: "))).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at |unexpected error/);
};
async function timed<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await run();
  return { result, seconds: (performance.now() - started) / 1000 };
}

describe("model servers that never finish", () => {
  it("a server that trickles one byte a second: --timeout 3 ends the request (a deadline, not an idle timer)", async () => {
    await withFault(
      { category: "limits", fault: "chat reply trickling 1 byte/s, plain and --json", count: 2, outcome: "exit 2 within the deadline; one line" },
      async () => {
        for (const json of [false, true]) {
          server.queue.push({ trickle: '{"id":"x","choices":[{"message":{"content":"Delta', everyMs: 1000 });
          const { result, seconds } = await timed(() => withModel(["ask", QUESTION, "--timeout", "3", ...(json ? ["--json"] : [])]));
          oneLine(result, /did not finish its reply within 3 s/);
          expect(seconds).toBeLessThan(20);
          if (json) expect(result.stdout).toBe("");
        }
      },
    );
  });

  it("an endless stream: --stream --timeout 3 shows what came, marks it incomplete, and exits 2", async () => {
    server.queue.push({ endless: true, everyMs: 200 });
    await withFault(
      { category: "limits", fault: "SSE stream that never ends", count: 1, outcome: "cut at the deadline; incomplete marker; exit 2" },
      async () => {
        const { result, seconds } = await timed(() => withModel(["ask", QUESTION, "--stream", "--timeout", "3"]));
        oneLine(result, /did not finish its reply within 3 s/);
        expect(result.stdout).toMatch(/and more .*\n\[answer incomplete: /s);
        expect(seconds).toBeLessThan(20);
      },
    );
  });

  it("a 300 MB reply (with and without content-length) ends with a one-line error, not gigabytes of memory", async () => {
    await withFault(
      { category: "limits", fault: "300 MB chat reply, declared and undeclared length", count: 2, outcome: "refused at the 32 MB cap; exit 2" },
      async () => {
        for (const declareLength of [true, false]) {
          server.queue.push({ hugeBytes: 300 * 1024 * 1024, declareLength }, { hugeBytes: 300 * 1024 * 1024, declareLength });
          const { result, seconds } = await timed(() => withModel(["ask", QUESTION, "--timeout", "60"]));
          oneLine(result, /sent a reply larger than 32 MB/);
          expect(seconds).toBeLessThan(60);
        }
      },
    );
  });

  it("an embeddings server that trickles: ingest --timeout 3 stops with one line, and the index is unchanged", async () => {
    const indexDir = path.join(tempDir(), "index");
    const file = path.join(tempDir(), "papers.jsonl");
    writeFileSync(file, `${JSON.stringify({ title: "A paper", abstract: "We study the compression of fine-tuned model deltas for serving." })}\n`);
    await withFault(
      { category: "limits", fault: "embeddings reply trickling 1 byte/s during ingest", count: 1, outcome: "exit 2 within the deadline; nothing published" },
      async () => {
        server.embeddingQueue.push({ trickleEveryMs: 1000 }, { trickleEveryMs: 1000 });
        const { result, seconds } = await timed(() =>
          runCliAsync(["--index", indexDir, "ingest", file, "--embedder", "openai:test-embed", "--timeout", "3"], {
            env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "sk-test-limits-0123456789" },
          }),
        );
        oneLine(result, /did not finish its reply within 3 s/);
        expect(seconds).toBeLessThan(30);
      },
    );
  });
});

describe("inputs that never end, and fields and queries too long to use", () => {
  it("ingest of a FIFO and of /dev/zero: skipped with the reason, at once, lock released", async () => {
    const dir = tempDir();
    const fifo = path.join(dir, "papers.txt");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    await withFault(
      { category: "limits", fault: "ingest of a FIFO (no writer) and of /dev/zero", count: 2, outcome: "skipped as not a regular file; no block, no growth" },
      async () => {
        for (const input of [fifo, "/dev/zero"]) {
          const { result, seconds } = await timed(() => runCliAsync(["--index", path.join(dir, "index"), "ingest", input, "--json"]));
          expect(result.code, result.stderr).toBe(0);
          const report = JSON.parse(result.stdout);
          expect(report.skipped[0].reason).toMatch(/not a regular file \((a FIFO|a character device)\)/);
          expect(seconds).toBeLessThan(30);
        }
      },
    );
  });

  it("a 1 MB title is refused as a broken record; the rest of the file is indexed", async () => {
    const dir = tempDir();
    const file = path.join(dir, "papers.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({ title: "T".repeat(1_000_000), abstract: "A broken record with an enormous title." }),
        JSON.stringify({ title: "Compressing deltas", abstract: "We compress the deltas of fine-tuned models for serving." }),
      ].join("\n"),
    );
    await withFault(
      { category: "limits", fault: "1 MB title field", count: 1, outcome: "record skipped with 'title too long'; ingest in seconds" },
      async () => {
        const { result, seconds } = await timed(() => runCliAsync(["--index", path.join(dir, "index"), "ingest", file, "--json"], { cwd: dir }));
        expect(result.code, result.stderr).toBe(0);
        const report = JSON.parse(result.stdout);
        expect(report.papers).toBe(1);
        expect(report.skipped[0]).toMatchObject({
          file: "papers.jsonl",
          line: 1,
          reason: expect.stringMatching(/title too long \(1000000 characters, limit 2000\)/),
        });
        expect(seconds).toBeLessThan(60);
      },
    );
  });

  it("a 100 KB query and a 1 MB chat question get a one-line error at once", async () => {
    await withFault(
      {
        category: "limits",
        fault: "100 KB search query, 100 KB ask question, 1 MB chat question",
        count: 3,
        outcome: "refused with the limit; chat continues",
      },
      async () => {
        const long = "compression ".repeat(9_000);
        for (const command of ["search", "ask"]) {
          const { result, seconds } = await timed(() => runCliAsync(["--index", inject("corpusIndex"), command, long]));
          oneLine(result, /is too long \(108000 characters, limit 10000\)/);
          expect(seconds).toBeLessThan(10);
        }
        const chat = runCli(["--index", inject("corpusIndex"), "chat"], { input: `${"x".repeat(1_000_000)}\n${QUESTION}\n` });
        expect(chat.code).toBe(2);
        expect(chat.stderr).toMatch(/^citewise: error: the question is too long \(1000000 characters, limit 10000\)/m);
        expect(chat.stdout).toMatch(/DeltaZip/);
      },
    );
  });
});

describe("endless input", () => {
  it("chat < /dev/zero (a line that never ends): one line, exit 2, bounded memory; the questions before it are answered", async () => {
    await withFault(
      { category: "limits", fault: "chat reading a line with no end (/dev/zero, 3 MB without a newline)", count: 2, outcome: "stopped at 1 MB; exit 2" },
      async () => {
        const zero = spawnSync(process.execPath, [path.join(ROOT, "bin", "citewise.js"), "--index", inject("corpusIndex"), "chat"], {
          stdio: [openSync("/dev/zero", "r"), "pipe", "pipe"],
          encoding: "utf8",
          timeout: 60_000,
        });
        oneLine({ code: zero.status, stderr: zero.stderr }, /a line of standard input is longer than 1 MB; chat reads one question per line/);
        const mixed = runCli(["--index", inject("corpusIndex"), "chat"], { input: `${QUESTION}\n${"a".repeat(3_000_000)}` });
        oneLine(mixed, /longer than 1 MB/);
        expect(mixed.stdout).toMatch(/DeltaZip/);
      },
    );
  });
});

describe("any count of records, any shape of folder", () => {
  it("125,000 records in one file and 200,000 bad lines in another parse without exhausting the call stack", () => {
    const dir = tempDir();
    const many = path.join(dir, "many.jsonl");
    const rows: string[] = [];
    for (let i = 0; i < 125_000; i++)
      rows.push(JSON.stringify({ title: `Paper ${i}`, abstract: `Abstract number ${i} about compressing model ${i % 97} with method ${i % 31}.` }));
    writeFileSync(many, rows.join("\n"));
    const bad = path.join(dir, "bad.jsonl");
    writeFileSync(bad, "{x\n".repeat(200_000));
    return withFault(
      { category: "limits", fault: "125,000 records (JSONL) and 200,000 malformed lines", count: 2, outcome: "all records parsed; every bad line reported" },
      () => {
        const parsed = parseInputs([many, bad], { baseDir: dir });
        expect(parsed.records).toHaveLength(125_000);
        expect(parsed.skipped).toHaveLength(200_000);
        expect(recordsToPapers(parsed.records).papers).toHaveLength(125_000);
        // Through the CLI too: the bad file is read, reported in a bounded listing, nothing embedded.
        const result = runCli(["--index", path.join(dir, "index"), "ingest", bad]);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toMatch(/… and 199980 more \(use --json for all\)/);
      },
    );
  });

  it("a folder 2,300 levels deep, a symbolic-link loop and symlinked files: walked with notes, links followed", async () => {
    const dir = tempDir();
    const root = path.join(dir, "library");
    mkdirSync(root);
    // A path 2,300 levels deep is longer than PATH_MAX, so it is built one relative step at a time (python3:
    // bash's cd re-reads the whole path at every level and takes minutes).
    const built = spawnSync("python3", [
      "-c",
      "import os,sys\nos.chdir(sys.argv[1])\nfor i in range(2300):\n os.mkdir('d'); os.chdir('d')\nopen('deep.jsonl','w').write('{\"title\":\"Deep\",\"abstract\":\"A paper at the bottom of a very deep folder.\"}\\n')",
      root,
    ]);
    expect(built.status, String(built.stderr)).toBe(0);
    const real = path.join(dir, "elsewhere");
    mkdirSync(real);
    writeFileSync(
      path.join(real, "linked.jsonl"),
      `${JSON.stringify({ title: "Linked paper", abstract: "A paper that lives in a git-annex style folder and is reached by a symbolic link." })}\n`,
    );
    symlinkSync(path.join(real, "linked.jsonl"), path.join(root, "linked.jsonl"));
    symlinkSync(root, path.join(root, "loop"));
    writeFileSync(path.join(root, "plain.jsonl"), `${JSON.stringify({ title: "Plain paper", abstract: "A paper in a plain file next to the others." })}\n`);
    await withFault(
      {
        category: "limits",
        fault: "2,300-level folder, a link loop, a symlinked file",
        count: 3,
        outcome: "deep levels noted and skipped; loop noted; linked file indexed",
      },
      async () => {
        const { result, seconds } = await timed(() => runCliAsync(["--index", path.join(dir, "index"), "ingest", root, "--json"], { cwd: dir }));
        expect(result.code, result.stderr).toBe(0);
        const report = JSON.parse(result.stdout);
        expect(report.papers).toBe(2);
        expect(report.files.map((file: { file: string }) => file.file).sort()).toEqual(["library/linked.jsonl", "library/plain.jsonl"]);
        const reasons = report.skipped.map((skip: { reason: string }) => skip.reason).join("\n");
        expect(reasons).toMatch(/folder nested deeper than 64 levels; not read/);
        expect(reasons).toMatch(/symbolic link back to a folder that contains it \(loop\)/);
        expect(seconds).toBeLessThan(60);
      },
    );
  });
});

describe("a small index stays untouched by refused work", () => {
  it("a refused query does not write anything", async () => {
    const indexDir = path.join(tempDir(), "index");
    await buildSmallIndex(indexDir, [FILES.plain]);
    const before = folderFingerprint(indexDir);
    const result = runCli(["--index", indexDir, "search", "q".repeat(20_000)]);
    expect(result.code).toBe(2);
    expect(folderFingerprint(indexDir)).toEqual(before);
  });
});
