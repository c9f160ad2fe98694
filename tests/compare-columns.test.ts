import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { Paper } from "../src/corpus/paper.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import type { CompareResult } from "../src/tasks/compare/compare.js";
import type { ResultJson } from "../src/tasks/core/json.js";
import { displayWidth } from "../src/text/wrap.js";
import { ROOT, runCli, runCliAsync } from "./helpers.js";
import { startFakeOpenAI, type FakeOpenAI } from "./support/openai-server.js";

let index: IndexSnapshot;
beforeAll(async () => {
  index = await loadIndex(inject("corpusIndex"));
});

function paperTitled(prefix: string): Paper {
  const found = [...index.papers.values()].filter((paper) => paper.title?.startsWith(prefix));
  expect(found, prefix).toHaveLength(1);
  return found[0]!;
}

const cliIndex = () => ["--index", inject("corpusIndex")];
const ids = () => ["LoTR:", "AFLoRA:", "QuanTA:"].map((title) => paperTitled(title).id);
const cellsOf = (body: ResultJson<CompareResult>, title: string) => body.facets[paperTitled(title).id]!;

function expectWithin(text: string, width = 100) {
  const wide = text.split("\n").filter((line) => displayWidth(line) > width);
  expect(wide, wide.join("\n")).toEqual([]);
}

describe("compare --columns, offline", () => {
  it("quotes, per column, the sentence that speaks of it (cue words and synonyms), or nothing", () => {
    const { code, stdout, stderr } = runCli([...cliIndex(), "compare", ...ids(), "--columns", "dataset, metric ,compute", "--json"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const body = JSON.parse(stdout) as ResultJson<CompareResult>;
    expect(body.columns).toEqual([
      { key: "dataset", label: "dataset" },
      { key: "metric", label: "metric" },
      { key: "compute", label: "compute" },
    ]);
    for (const paper of body.papers) {
      const abstract = index.papers.get(paper.paperId)!.abstract;
      const row = body.facets[paper.paperId]!;
      expect(Object.keys(row)).toEqual(["dataset", "metric", "compute"]);
      for (const cell of Object.values(row)) {
        if (cell.quote === null) {
          expect(cell).toMatchObject({ citations: [], supported: null });
          continue;
        }
        for (const piece of cell.quote.split("…").filter((text) => text.trim())) expect(abstract).toContain(piece.trim());
        expect(cell).toMatchObject({ citation: paper.n, supported: true, verbatim: true });
      }
    }
    const aflora = cellsOf(body, "AFLoRA:");
    expect(aflora.dataset!.quote).toContain("GLUE benchmark");
    expect(aflora.metric!.quote).toContain("0.85%");
    // compute → computation, by stem.
    expect(aflora.compute!.quote).toContain("to reduce the computation");
    // compute → parameters, by the synonym list.
    expect(cellsOf(body, "QuanTA:").compute!.quote).toContain("fewer trainable parameters");
    // LoTR names no data set and reports no metric.
    expect(cellsOf(body, "LoTR:").dataset!.quote).toBeNull();
    expect(cellsOf(body, "LoTR:").metric!.quote).toBeNull();
  });

  it("prints a table within 100 columns when three columns fit; a column nothing speaks of is all dashes", () => {
    const { code, stdout } = runCli([...cliIndex(), "compare", ...ids(), "--columns", "dataset,hardware"]);
    expect(code).toBe(0);
    expectWithin(stdout);
    expect(stdout).toMatch(/^Paper +│ dataset +│ hardware$/m);
    expect(stdout).toMatch(/^\[1\] LoTR +│ — +│ —$/m);
    expect(stdout).toMatch(/^\[2\] AFLoRA +│ “….*GLUE/m);
    expect(stdout).toContain("\n— not stated in the abstract\n");
  });

  it("bad --columns, --format and --layout values are one-line errors naming the option, exit 2", () => {
    const cases: Array<[string[], RegExp]> = [
      [["--columns", ""], /--columns needs at least one column name/],
      [["--columns", " , ,"], /--columns needs at least one column name/],
      [["--columns", "a,b,c,d,e,f,g,h,i"], /--columns takes at most 8 columns \(got 9\)/],
      [["--columns", "Dataset,dataset"], /--columns names "dataset" twice/],
      [["--columns", "a|b"], /--columns: column names cannot contain "\|"/],
      [["--format", "xls"], /--format must be one of text, md, csv, json \(got "xls"\)/],
      [["--layout", "grid"], /--layout must be one of auto, table, papers \(got "grid"\)/],
      [["--json", "--format", "csv"], /--json prints the whole result and --format csv the table: give one of them/],
    ];
    for (const [args, message] of cases) {
      const run = runCli([...cliIndex(), "compare", ...ids().slice(0, 2), ...args]);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).not.toMatch(/\n\s+at |unexpected error/);
    }
  });
});

const KEY = "sk-test-columns-0000";
/**
 * The reply written by hand, as a strong model would, to the real request for LoTR, AFLoRA and QuanTA with
 * --columns "dataset,metric,compute" (via shared/tools/manual-model-server.mjs). Like models often do, it
 * fixed the abstract's typo "yeilding" in one quote, so that quote is not verbatim.
 */
const REPLY = readFileSync(path.join(ROOT, "tests/fixtures/compare/columns-reply.json"), "utf8");
let server: FakeOpenAI;

describe("compare --columns with a model (local OpenAI-compatible server)", () => {
  beforeAll(async () => {
    server = await startFakeOpenAI({ apiKey: KEY });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.defaultChat = () => ({ text: REPLY });
  });
  const cli = (args: string[]) =>
    runCliAsync([...cliIndex(), "compare", ...ids(), "--model", "test-chat", "--columns", "dataset,metric,compute", ...args], {
      env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY },
    });

  it("asks once for a value and a verbatim quote per cell; a quote not in the abstract makes the cell unsupported", async () => {
    const { code, stdout, stderr } = await cli(["--json"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const chats = server.requests.filter((request) => request.path === "/chat/completions");
    expect(chats).toHaveLength(1);
    const [system, user] = chats[0]!.body.messages;
    expect(system.content).toContain('these columns: "dataset", "metric", "compute"');
    expect(system.content).toContain('"cells": {"dataset": {"value": "<short answer>", "quote": "<words copied from that abstract>"}');
    expect(system.content).toContain('write {"value": null, "quote": null}');
    expect(user.content).toContain('<source n="3">\nTitle: QuanTA:');

    const body = JSON.parse(stdout) as ResultJson<CompareResult>;
    expect(body.generator).toBe("openai:test-chat");
    const aflora = cellsOf(body, "AFLoRA:");
    expect(aflora.dataset).toMatchObject({ value: "GLUE benchmark", quote: "as evaluated on GLUE benchmark", citation: 2, supported: true, verbatim: true });
    expect(aflora.compute).toMatchObject({
      value: "9.5× fewer trainable parameters; 1.86× faster runtime",
      quote: "yielding up to 9.5× fewer average trainable parameters",
      supported: false,
      verbatim: false,
      reason: "the quote is not in the abstract of [2]",
    });
    expect(cellsOf(body, "QuanTA:").metric).toMatchObject({ value: null, quote: null, supported: null });
    expect(cellsOf(body, "LoTR:").dataset).toMatchObject({ value: null, quote: null });
    // Found whatever the case and spacing, and shown as the abstract writes it.
    expect(cellsOf(body, "LoTR:").compute!.quote).toBe("which allows for extremely cheap and fast downstream fine-tuning");
    expect(body.differences).toMatch(/^LoTR represents the gradient update as a tensor decomposition/);
    // 7 filled cells + 2 common-ground + 3 difference sentences; the one bad quote is the only unsupported claim.
    expect(body.grounded.total).toBe(12);
    expect(body.sentences.filter((sentence) => !sentence.supported).map((sentence) => sentence.text)).toEqual([
      "yielding up to 9.5× fewer average trainable parameters [2]",
    ]);
  });

  it("prints value — quote per cell in a table within 100 columns, the bad cell flagged; csv keeps value and quote apart", async () => {
    const text = await cli([]);
    expect(text.code).toBe(0);
    expectWithin(text.stdout);
    expect(text.stdout).toMatch(/^\[2\] AFLoRA │ GLUE benchmark — “as +│/m);
    expect(text.stdout).toMatch(/\[unsupported\]/);
    expect(text.stdout).toMatch(/"yielding up to 9\.5× fewer average trainable parameters \[2\]" — not in the cited sources: the\s+quote is not in/);

    const csv = await cli(["--format", "csv"]);
    expect(csv.code).toBe(0);
    const [header, , second] = csv.stdout.trim().split("\n");
    expect(header).toBe("n,paper_id,title,dataset,dataset quote,metric,metric quote,compute,compute quote");
    expect(second).toContain(",GLUE benchmark,as evaluated on GLUE benchmark,");
    expect(second).toContain(",9.5× fewer trainable parameters; 1.86× faster runtime [unsupported],yielding up to 9.5× fewer average trainable parameters");
  });

  it("checks each cell on its own: another paper's words, an invented number, or a reply that is not JSON", async () => {
    const edited = JSON.parse(REPLY);
    // AFLoRA's GLUE quote in QuanTA's row; a figure AFLoRA never states.
    edited.rows[2].cells.dataset = { value: "GLUE", quote: "as evaluated on GLUE benchmark" };
    edited.rows[1].cells.metric = { value: "up to 3.2% better", quote: "an average improvement of up to 0.85%" };
    server.defaultChat = () => ({ text: `\`\`\`json\n${JSON.stringify(edited)}\n\`\`\`` });
    const { code, stdout } = await cli(["--json"]);
    expect(code).toBe(0);
    const body = JSON.parse(stdout) as ResultJson<CompareResult>;
    expect(cellsOf(body, "QuanTA:").dataset).toMatchObject({ supported: false, reason: "the quote is not in the abstract of [3]" });
    expect(cellsOf(body, "AFLoRA:").metric).toMatchObject({ supported: false, verbatim: true, reason: "the value states 3.2, which the abstract does not" });

    server.defaultChat = () => ({ text: "Here is the table you asked for: dataset GLUE for [2]." });
    const prose = await cli(["--json"]);
    expect(prose.code).toBe(0);
    const empty = JSON.parse(prose.stdout) as ResultJson<CompareResult>;
    expect(empty.notes).toContain("the model's reply was not the JSON table asked for; every cell is empty");
    expect(Object.values(cellsOf(empty, "AFLoRA:")).every((cell) => cell.quote === null && cell.supported === null)).toBe(true);
  });
});
