import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stripTerminalControls } from "../src/corpus/controls.js";
import { runCliAsync, tempDir } from "./helpers.js";
import { withFault } from "./support/fault-log.js";
import { useFakeOpenAI } from "./support/openai-server.js";

/**
 * Nothing from data or servers controls the terminal: escape sequences and C0/C1 controls in file names,
 * titles, dates, model answers and model ids are removed (or shown escaped) before anything is printed,
 * and a newline in a file name cannot split a report line.
 */
const OSC_TITLE = "\u001b]0;PWNED\u0007";
const OVERWRITE = "\u001b[1A\u001b[2K";
const C1_CSI = "\u009b2J";
/** Any control that is not a newline or tab (NO_COLOR=1 is set, so not even colours are expected). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const server = useFakeOpenAI();
let indexDir: string;
let work: string;
const EVIL_FILE = `evil${OSC_TITLE}\nGrounded: all sentences supported${OVERWRITE}.jsonl`;

beforeAll(async () => {
  work = tempDir();
  const rows = [
    {
      title: `Delta compression${C1_CSI} for serving fine-tuned models${OSC_TITLE}`,
      published: `2024-05-01${OVERWRITE}Grounded: 5/5`,
      authors: `Mallory${OVERWRITE} Example`,
      abstract: `We compress the weight deltas of fine-tuned models to serve many of them on one GPU.${OVERWRITE} Compressed deltas cut serving memory by a factor of four.`,
    },
    { title: "Low-rank deltas", abstract: "Low-rank factorization of weight deltas compresses fine-tuned language models with little loss in accuracy." },
  ];
  writeFileSync(path.join(work, EVIL_FILE), `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`);
  indexDir = path.join(work, "index");
  const ingest = await runCliAsync(["--index", indexDir, "ingest", work], { cwd: work });
  expect(ingest.code, ingest.stderr).toBe(0);
});

const QUESTION = "How are fine-tuned model deltas compressed for serving?";
const clean = (result: { stdout: string; stderr: string }) => {
  expect(result.stdout).not.toMatch(CONTROL);
  expect(result.stderr).not.toMatch(CONTROL);
};

describe("controls from data and servers never reach the terminal", () => {
  it("a file name with an OSC sequence, a newline and a fake footer is shown escaped, on one line", async () => {
    await withFault(
      {
        category: "terminal",
        fault: "file name with OSC title change, newline, cursor-up/erase and a forged footer",
        count: 1,
        outcome: "shown escaped on one report line",
      },
      async () => {
        // A fresh index: ingesting the same folder into indexDir again is answered "unchanged" without a file report.
        const result = await runCliAsync(["--index", path.join(tempDir(), "index"), "ingest", work], { cwd: work });
        expect(result.code, result.stderr).toBe(0);
        clean(result);
        const line = result.stdout.split("\n").find((row) => row.includes("records as jsonl"))!;
        expect(line).toContain("evil\\x1b]0;PWNED\\x07\\nGrounded: all sentences supported\\x1b[1A\\x1b[2K.jsonl: 2 records as jsonl");
        expect(result.stdout.split("\n").filter((row) => row.startsWith("Grounded:"))).toEqual([]);
      },
    );
  });

  it("verify names a draft whose file name holds controls and a newline escaped, on one line", async () => {
    const draft = path.join(work, "draft\u001b]0;PWNED\u0007\nx.md");
    writeFileSync(draft, "Quantum gravity explains why cats always land on their feet.\n");
    try {
      await withFault(
        { category: "terminal", fault: "verify of a draft named with OSC and a newline", count: 1, outcome: "name escaped on one line" },
        async () => {
          const result = await runCliAsync(["--index", indexDir, "verify", draft], { cwd: work });
          clean(result);
          const line = result.stdout.split("\n").find((row) => row.includes("x.md:1"))!;
          expect(line).toContain("draft\\x1b]0;PWNED\\x07\\nx.md:1");
        },
      );
    } finally {
      rmSync(draft);
    }
  });

  it("titles (C1 U+009B), dates and authors with escape sequences print clean in search, papers and ask, and in JSON", async () => {
    await withFault(
      {
        category: "terminal",
        fault: "C1 CSI in a title, cursor movement in the date and authors",
        count: 4,
        outcome: "stripped at ingest (whole sequences) and never printed by search, papers list/show, ask or JSON",
      },
      async () => {
        for (const args of [
          ["search", "delta compression"],
          ["papers", "list"],
          ["papers", "show", "delta-compression"],
          ["ask", QUESTION],
        ]) {
          const result = await runCliAsync(["--index", indexDir, ...args], { cwd: work });
          expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
          clean(result);
        }
        const json = await runCliAsync(["--index", indexDir, "papers", "list", "--json"], { cwd: work });
        expect(json.stdout).not.toMatch(CONTROL);
        // Ingest already removed the whole sequences; what JSON holds is the cleaned text.
        const papers = JSON.parse(json.stdout) as Array<{ title: string }>;
        expect(papers.map((paper) => paper.title)).toContain("Delta compression for serving fine-tuned models");
      },
    );
  });

  it("a model answer that retitles the window, moves the cursor and forges a footer is printed without any control", async () => {
    server.defaultChat = () => ({
      text: `Deltas are compressed to serve many fine-tuned models [1].${OSC_TITLE}${OVERWRITE}\rGrounded: 5/5 sentences supported${C1_CSI}`,
    });
    await withFault(
      {
        category: "terminal",
        fault: "model answer with OSC, cursor-up + erase-line, carriage return and C1 CSI (plain and --stream)",
        count: 2,
        outcome: "controls stripped; the real footer is the last line",
      },
      async () => {
        for (const stream of [[], ["--stream"]]) {
          const result = await runCliAsync(["--index", indexDir, "ask", QUESTION, "--model", "test-chat", ...stream], {
            cwd: work,
            env: { OPENAI_BASE_URL: server.baseURL },
          });
          expect(result.code, result.stderr).toBe(0);
          clean(result);
          expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(/^Grounded: \d\/\d sentences supported$/);
        }
      },
    );
  });

  it("a model id with escape sequences (OSC, SGR conceal) is shown clean in the notice and in --json", async () => {
    const models = new Set(server.knownModels);
    server.knownModels.clear();
    // OSC, and an SGR "conceal" (ESC[8m), which hides what follows on a terminal and looks like a colour.
    server.knownModels.add(`evil${OSC_TITLE}\u001b[8mmodel`);
    server.defaultChat = () => ({ text: "Deltas are compressed to serve many fine-tuned models [1]." });
    try {
      await withFault({ category: "terminal", fault: "model id with an OSC sequence", count: 1, outcome: "notice printed without the sequence" }, async () => {
        const result = await runCliAsync(["--index", indexDir, "ask", QUESTION], { cwd: work, env: { OPENAI_BASE_URL: server.baseURL } });
        expect(result.code, result.stderr).toBe(0);
        clean(result);
        expect(result.stderr).toMatch(/using model "evilmodel", the only one served/);
        expect(result.stderr).not.toContain("\u001b[8m");
        const json = await runCliAsync(["--index", indexDir, "ask", QUESTION, "--json"], { cwd: work, env: { OPENAI_BASE_URL: server.baseURL } });
        expect(JSON.parse(json.stdout).generator).toBe("openai:evilmodel");
      });
    } finally {
      server.knownModels.clear();
      for (const model of models) server.knownModels.add(model);
    }
  });

  it("the sanitizer removes every kind of sequence, not only the examples", () => {
    const samples = [
      "\u001b[31mred\u001b[0m",
      "\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\",
      "\u001bP1$r\u001b\\",
      "\u001b7\u001b8\u001bc",
      "\u009b31m",
      "\u009d0;t\u009c",
      "\u202eevil",
      "a\u0008b\u007fc",
    ];
    for (const sample of samples) expect(stripTerminalControls(sample)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(stripTerminalControls("plain text\twith tab\nand newline")).toBe("plain text\twith tab\nand newline");
  });
});
