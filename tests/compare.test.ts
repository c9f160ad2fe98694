import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { Paper } from "../src/corpus/paper.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import { compare, type CompareResult } from "../src/tasks/compare/compare.js";
import { FACETS, MEASURED } from "../src/tasks/compare/facets.js";
import { displayWidth } from "../src/text/wrap.js";
import { OFFLINE_WRITER } from "../src/generate/writer.js";
import type { ResultJson } from "../src/tasks/core/json.js";
import { runCli, runCliAsync, tempDir } from "./helpers.js";
import { OFFLINE_JUDGE } from "./support/judge.js";
import { startFakeOpenAI, type FakeOpenAI } from "./support/openai-server.js";

let index: IndexSnapshot;
beforeAll(async () => {
  index = await loadIndex(inject("corpusIndex"));
});

/** Papers are found by title so the test does not depend on how ids are derived. */
function paperTitled(prefix: string): Paper {
  const found = [...index.papers.values()].filter((paper) => paper.title?.startsWith(prefix));
  expect(found, prefix).toHaveLength(1);
  return found[0]!;
}

/** Every filled cell quotes its own row's abstract word for word ("…" only marks cuts) and cites that row. */
function expectVerbatimCells(result: CompareResult) {
  for (const paper of result.papers) {
    const abstract = index.papers.get(paper.paperId)!.abstract;
    const row = result.facets[paper.paperId]!;
    expect(Object.keys(row).sort()).toEqual([...FACETS].sort());
    const quotes = FACETS.map((facet) => row[facet]!.quote).filter((quote): quote is string => quote !== null);
    expect(quotes.length, paper.paperId).toBeGreaterThan(0);
    // One sentence serves at most one facet (Data may quote just the benchmark clause of the Results sentence).
    expect(new Set(quotes).size).toBe(quotes.length);
    for (const facet of FACETS) {
      const cell = row[facet]!;
      if (cell.quote === null) {
        expect(cell).toMatchObject({ citation: null, citations: [], supported: null });
        continue;
      }
      // "…" marks words left out: at the ends, or between pieces quoted from several sentences.
      for (const piece of cell.quote
        .split("…")
        .map((text) => text.trim())
        .filter(Boolean))
        expect(abstract).toContain(piece);
      expect(cell.quote.replace(/…/g, "").split(/\s+/).length).toBeLessThanOrEqual(40);
      expect(cell).toMatchObject({ citation: paper.n, citations: [paper.n], supported: true, verbatim: true });
    }
  }
}

const cliIndex = () => ["--index", inject("corpusIndex")];

/** Every line fits the terminal width the text format promises. */
function expectWithin(text: string, width = 100) {
  const wide = text.split("\n").filter((line) => displayWidth(line) > width);
  expect(wide, wide.join("\n")).toEqual([]);
}

/** Lower-cased, hyphens as spaces, plural endings off: "Low-Rank Adaptations" reads "low rank adaptation". */
const plain = (text: string) =>
  ` ${text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .split(" ")
    .map((word) => word.replace(/(?<=[^s])s$/, ""))
    .join(" ")} `;
/** Spelled-out forms of the acronyms these papers use. */
const EXPANSIONS: Record<string, string> = { llm: "large language model", peft: "parameter efficient fine tuning", lora: "low rank adaptation" };

/** Each "Only X [n] is about “P”" is checked against the titles and abstracts of the other compared papers. */
function expectDifferencesTrue(result: CompareResult) {
  const sentences = result.differences.match(/Only [^.]*?\[(\d)\] is about [^.]+\./g) ?? [];
  expect(sentences.length, result.differences).toBeGreaterThan(0);
  for (const sentence of sentences) {
    const n = Number(/\[(\d)\]/.exec(sentence)![1]);
    for (const phrase of [...sentence.matchAll(/“([^”]+)”/g)].map((match) => plain(match[1]!).trim())) {
      for (const other of result.papers.filter((paper) => paper.n !== n)) {
        const text = plain(`${other.title} ${index.papers.get(other.paperId)!.abstract}`);
        expect(text, `${sentence} — but [${other.n}] says it`).not.toContain(` ${phrase} `);
        if (EXPANSIONS[phrase]) expect(text, `${sentence} — [${other.n}] spells it out`).not.toContain(` ${EXPANSIONS[phrase]} `);
      }
    }
  }
}

describe("citewise compare, offline", () => {
  it("compares LoTR, AFLoRA and QuanTA: five facets each, verbatim cited quotes, grounded prose", async () => {
    const papers = [paperTitled("LoTR:"), paperTitled("AFLoRA:"), paperTitled("QuanTA:")];
    const result = await compare({ index, embedder: null, writer: OFFLINE_WRITER, judge: OFFLINE_JUDGE }, { papers });
    expect(result.generator).toBe("extractive");
    expect(result.papers.map((paper) => [paper.n, paper.paperId, paper.label])).toEqual([
      [1, papers[0]!.id, "LoTR"],
      [2, papers[1]!.id, "AFLoRA"],
      [3, papers[2]!.id, "QuanTA"],
    ]);
    expectVerbatimCells(result);
    const [lotr, aflora, quanta] = papers.map((paper) => result.facets[paper.id]!);
    // The sentence with AFLoRA's numbers is its result; Data keeps only the benchmark it was measured on.
    expect(aflora!.results!.quote).toContain("average improvement of up to 0.85% as evaluated on GLUE benchmark");
    expect(aflora!.data!.quote).toBe("…on GLUE benchmark…");
    // QuanTA's experiments sentence is a result too; its tasks are the setting.
    expect(quanta!.data!.quote).toBe("…commonsense reasoning, arithmetic reasoning…");
    expect(quanta!.approach!.quote).toMatch(/^We propose Quantum-informed Tensor Adaptation \(QuanTA\)/);
    expect(lotr!.results!.quote).toMatch(/even better parameter efficiency then LoRA/);
    // "does not depend on original weight dimension" is an advantage, not a limitation.
    expect(lotr!.limitations!.quote).toBeNull();
    for (const row of [lotr, aflora, quanta]) expect(row!.data!.quote ?? "").not.toMatch(MEASURED);

    expect(result.commonGround).toMatch(/^All of them work on “[^”]+”.*\[1\]\[2\]\[3\]\./);
    expect(result.commonGround).toMatch(/fine-tuning|low-rank/i);
    expect(result.differences).toMatch(/Only LoTR \[1\] is about “[^”]+”/);
    expect(result.differences).toMatch(/Only AFLoRA \[2\] is about “[^”]+”/);
    // QuanTA's title says "LLMs" and its abstract "large language models": LoTR's "LLMs" is not its own.
    expect(result.differences).not.toMatch(/“LLMs”|“Transformer architecture”|“PEFT”/);
    expectDifferencesTrue(result);
    const prose = [...result.commonGroundSentences, ...result.differenceSentences];
    expect(prose.length).toBeGreaterThanOrEqual(4);
    expect(prose.every((sentence) => sentence.supported)).toBe(true);

    expect(result.removedCitations).toEqual([]);
    expect(result.references.map((reference) => reference.n)).toEqual([1, 2, 3]);
    expect(result.grounding.total).toBe(result.grounding.sentences.length);
    expect(result.grounding.supported).toBe(result.grounding.total);
  });

  it("optimizer papers: results hold the figures and findings, differences are phrases no other paper uses", async () => {
    const papers = [
      paperTitled("AdaBelief Optimizer"),
      paperTitled("On the Convergence of Adam and Beyond"),
      paperTitled("An Adaptive and Momental Bound"),
      paperTitled("Adafactor:"),
    ];
    const result = await compare({ index, embedder: null, writer: OFFLINE_WRITER, judge: OFFLINE_JUDGE }, { papers });
    expectVerbatimCells(result);
    const [adabelief, adam, adamod, adafactor] = papers.map((paper) => result.facets[paper.id]!);
    expect(adabelief!.data!.quote).toContain("on ImageNet");
    expect(adabelief!.results!.quote).toMatch(/improves the quality of generated samples compared to a well-tuned Adam optimizer/);
    expect(adamod!.results!.quote).toMatch(/^Our experiments verify that AdaMod/);
    expect(adamod!.data!.quote).toBe("…on complex networks such as DenseNet and Transformer…");
    expect(adafactor!.results!.quote).toMatch(/we achieve comparable results to the published Adam regime/);
    expect(adafactor!.data!.quote).toBe("…on the WMT 2014 English-German machine translation task…");
    // The list "RMSProp, Adam, Adadelta, Nadam" is not what the paper proposes.
    expect(adam!.approach!.quote).toMatch(/propose new variants of the Adam algorithm/);
    // Nadam is only named as an example; Adafactor also speaks of square roots; every paper uses Adam.
    expect(result.differences).not.toMatch(/“(Nadam|square roots?|Adam algorithm|Adam)”/i);
    expect(result.differences).toMatch(/Only \[2\] is about “long-term memory”/);
    expectDifferencesTrue(result);
    // "Momental" and "moments" share a stem, not a word: not common ground of AdaMod and Adafactor.
    expect(result.commonGround).not.toMatch(/“Momental”/);
    expect([...result.commonGroundSentences, ...result.differenceSentences].every((sentence) => sentence.supported)).toBe(true);
  });

  it("Data says what a paper was tried on, never a figure; scene-setting sentences are not the paper's approach or results", async () => {
    const papers = [
      paperTitled("Spherical Transformer for LiDAR"),
      paperTitled("QTIP:"),
      paperTitled("Deep Regression Unlearning"),
      paperTitled("PEFT-U:"),
      paperTitled("OLinear:"),
    ];
    const result = await compare({ index, embedder: null, writer: OFFLINE_WRITER, judge: OFFLINE_JUDGE }, { papers });
    expectVerbatimCells(result);
    const [spherical, qtip, unlearning, peftU, olinear] = papers.map((paper) => result.facets[paper.id]!);
    for (const row of [spherical, qtip, unlearning, peftU, olinear]) {
      // A figure belongs to Results; where to download the code is no setting.
      expect(row!.data!.quote ?? "").not.toMatch(MEASURED);
      expect(row!.data!.quote ?? "").not.toMatch(/https?:|available/);
    }
    // "…benchmarks with 81.9% and 74.8% mIoU": the benchmarks without the scores, which stay in Results.
    expect(spherical!.data!.quote).toContain("on both nuScenes and SemanticKITTI semantic segmentation benchmarks");
    expect(spherical!.results!.quote).toMatch(MEASURED);
    // "Recent state-of-the-art PTQ approaches use VQ …, which improves …" is what others did.
    expect(qtip!.results!.quote).toMatch(/these codes achieve state-of-the-art results/);
    expect(qtip!.problem!.quote).toMatch(/^However, VQ requires a codebook|^This limits current VQ-based PTQ works/);
    // "show excellent performance" is a finding, not a setting; the experiments' domains are.
    expect(unlearning!.results!.quote).toMatch(/^Our methods show excellent performance/);
    expect(unlearning!.data!.quote).toMatch(/experiments for computer vision, natural language processing and forecasting/);
    // "This approach emphasizes …" describes the models PEFT-U argues against; its own contribution is a benchmark.
    expect(peftU!.approach!.quote).toMatch(/we introduce the PEFT-U Benchmark/);
    expect(peftU!.data!.quote).toContain("dataset for building and evaluating NLP models");
    // "…24 benchmarks and 140 forecasting tasks", not what those experiments demonstrate.
    expect(olinear!.data!.quote).toContain("on 24 benchmarks and 140 forecasting tasks");
    expect(olinear!.data!.quote).not.toContain("demonstrate");
    expectDifferencesTrue(result);
  });

  it("differences name topics: no list numerals, verbs or vague words, no phrase twice in the singular and plural", async () => {
    const sets = [
      ["Tensor Programs IVb", "AdaBelief Optimizer", "ADAHESSIAN:", "Old Optimizer, New Norm"],
      ["Optimizing Sparse Convolution on GPUs", "3DShape2VecSet:", "Spherical Transformer for LiDAR", "Mosaic-SDF"],
      ["Decoupling the Depth and Scope", "Equivariant Polynomials for Graph", "Graph Convolutional Neural Networks as Parametric"],
    ];
    for (const titles of sets) {
      const result = await compare({ index, embedder: null, writer: OFFLINE_WRITER, judge: OFFLINE_JUDGE }, { papers: titles.map(paperTitled) });
      expectDifferencesTrue(result);
      // ADAHESSIAN lists its results as (i)–(iv); "utilization" and "analysis" say nothing about a paper.
      expect(result.differences, titles[0]).not.toMatch(/“(i|ii|iii|iv|idea|analysis|utilization|solve)”/i);
      for (const sentence of result.differences.match(/Only [^.]*?\] is about [^.]+\./g) ?? []) {
        const phrases = [...sentence.matchAll(/“([^”]+)”/g)].map((match) => match[1]!.toLowerCase().replace(/s$/, ""));
        expect(new Set(phrases).size, sentence).toBe(phrases.length);
      }
    }
  });

  it("prints a text layout within 100 columns: one block per paper, a legend for empty cells, wrapped references", () => {
    const ids = ["LoTR:", "AFLoRA:", "QuanTA:", "Computational Limits of Low-Rank"].map((title) => paperTitled(title).id);
    const { code, stdout } = runCli([...cliIndex(), "compare", ...ids]);
    expect(code).toBe(0);
    expectWithin(stdout);
    // Five long quotes per paper do not fit side by side in 100 columns: blocks.
    expect(stdout).not.toContain("│");
    expect(stdout).toMatch(/^\[2\] AFLoRA: Adaptive Freezing of Low Rank Adaptation in Parameter Efficient Fine-Tuning of Large\n {4}Models$/m);
    expect(stdout).toMatch(/^ {2}Data \/ setting {2}“…on GLUE benchmark…” \[2\]$/m);
    expect(stdout).toMatch(/^ {2}Results {9}“Our experimental results demonstrate that we can achieve state-of-the-art/m);
    expect(stdout).toMatch(/^ {2}Limitations {5}—$/m);
    expect(stdout).toContain("\n— not stated in the abstract\n");
    expect(stdout).toMatch(/^- \[2\] AFLoRA: Adaptive Freezing .*\n {2}\S/m);
    expect(stdout).toMatch(/\nGrounded: (\d+)\/\1 sentences supported\n$/);

    // Forced into a table, the same comparison still fits: cells wrap.
    const table = runCli([...cliIndex(), "compare", ...ids, "--layout", "table"]);
    expect(table.code).toBe(0);
    expectWithin(table.stdout);
    // Headers wrap like cells: "Data /" over "setting".
    expect(table.stdout).toMatch(/^Paper +│ Problem +│ Approach +│ Data \/ +│ Results +│ Limitations$/m);
    expect(table.stdout).toMatch(/^─+┼─+┼/m);
  });

  it("six papers for a query stay within 100 columns, one difference sentence per paper", () => {
    const { code, stdout } = runCli([...cliIndex(), "compare", "--query", "adaptive optimizers Adam", "-k", "6"]);
    expect(code).toBe(0);
    expectWithin(stdout);
    const differences = stdout.split("## Differences")[1]!.split("## References")[0]!;
    // A second "only" in one sentence is a claim no single abstract makes (the judge flags it).
    expect(differences).not.toMatch(/, and only/);
    expect(differences).not.toMatch(/\[(contradicted|not in sources|misattributed)\]/);
  });

  it("--format md prints the Markdown table, prose, references and footer; takes id prefixes; --out FILE.md writes Markdown", () => {
    const out = path.join(tempDir(), "comparison.md");
    const lotr = paperTitled("LoTR:");
    const aflora = paperTitled("AFLoRA:");
    const { code, stdout, stderr } = runCli([...cliIndex(), "compare", lotr.id.slice(0, 8), aflora.id, "--out", out, "--format", "md"]);
    expect(stderr).toBe(`citewise: wrote ${out}\n`);
    expect(code).toBe(0);
    expect(stdout).toContain("| Paper | Problem | Approach | Data / setting | Results | Limitations |");
    expect(stdout).toMatch(/^\| \[1\] LoTR \|.*“.+” \[1\]/m);
    expect(stdout).toMatch(/^\| \[2\] AFLoRA \|.*“.+” \[2\]/m);
    expect(stdout).toMatch(/^## Common ground\n\nBoth work on “.+” \[1\]\[2\]\./m);
    expect(stdout).toMatch(/^## Differences\n\nOnly LoTR \[1\] is about/m);
    expect(stdout).toMatch(/^## References\n\n- \[1\] LoTR: Low Tensor Rank Weight Adaptation/m);
    expect(stdout).not.toMatch(/\[(unsupported|contradicted|not in sources|misattributed|uncited)\]/);
    expect(stdout).not.toContain("Flagged sentences:");
    expect(stdout).not.toContain("Removed citations");
    expect(stdout).toMatch(/\nGrounded: (\d+)\/\1 sentences supported\n$/);
    expect(readFileSync(out, "utf8")).toBe(stdout);

    // Without --format, the terminal gets text and the .md file still gets Markdown.
    const text = runCli([...cliIndex(), "compare", lotr.id, aflora.id, "--out", out]);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain("| Paper |");
    expect(readFileSync(out, "utf8")).toBe(stdout);
  });

  it("--format csv is one row per paper (quotes with commas escaped); --format json is the table alone", () => {
    const ids = [paperTitled("LoTR:").id, paperTitled("AFLoRA:").id];
    const csv = runCli([...cliIndex(), "compare", ...ids, "--format", "csv"]);
    expect(csv.code).toBe(0);
    const rows = parseCsv(csv.stdout);
    expect(rows[0]).toEqual(["n", "paper_id", "title", "Problem", "Approach", "Data / setting", "Results", "Limitations"]);
    expect(rows.slice(1).map((row) => row.slice(0, 2))).toEqual([
      ["1", ids[0]],
      ["2", ids[1]],
    ]);
    expect(rows[2]![4]).toBe("We present a novel Parameter-Efficient Fine-Tuning (PEFT) method, dubbed as Adaptive Freezing of Low Rank Adaptation (AFLoRA).");
    expect(rows[2]![6]).toContain("up to 0.85%");
    expect(rows[1]![3]).toBe("");

    const json = runCli([...cliIndex(), "compare", ...ids, "--format", "json"]);
    expect(json.code).toBe(0);
    const table = JSON.parse(json.stdout);
    expect(Object.keys(table)).toEqual(["query", "generator", "columns", "rows", "commonGround", "differences"]);
    expect(table.columns.map((column: { key: string }) => column.key)).toEqual([...FACETS]);
    expect(table.rows[1].cells.data).toEqual({ quote: "…on GLUE benchmark…", supported: true });
    expect(table.rows[0].cells.problem).toEqual({ quote: null, supported: null });
  });

  it("--query retrieves the papers to compare; --json has the facet table and the checks", () => {
    const { code, stdout } = runCli([...cliIndex(), "compare", "--query", "neural collapse", "-k", "3", "--json"]);
    expect(code).toBe(0);
    const body = JSON.parse(stdout) as ResultJson<CompareResult>;
    expect(body.generator).toBe("extractive");
    expect(body.query).toBe("neural collapse");
    expect(body.papers).toHaveLength(3);
    for (const paper of body.papers) expect(paper.title).toMatch(/Neural Collapse/);
    expect(Object.keys(body.facets).sort()).toEqual(body.papers.map((paper) => paper.paperId).sort());
    expectVerbatimCells(body);
    expect(body.commonGround).toMatch(/“Neural Collapse”/i);
    expect(body.removedCitations).toEqual([]);
    expect(body.grounded.total).toBeGreaterThan(5);
    expect(body.grounded.supported).toBe(body.grounded.total);
    expect(body.references.map((reference) => reference.n)).toEqual([1, 2, 3]);
  });

  it("reports an unknown id in one line (exit 2) with a pointer to papers list, and needs at least two papers", () => {
    const unknown = runCli([...cliIndex(), "compare", paperTitled("LoTR:").id, "no-such-paper-xyz"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toMatch(/^citewise: error: no paper with id "no-such-paper-xyz".*citewise papers list/);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknown.stderr).not.toMatch(/\n\s+at |unexpected error/);

    const one = runCli([...cliIndex(), "compare", "lotr"]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/compare needs 2–6 paper ids \(got 1\)/);
    const same = runCli([...cliIndex(), "compare", "lotr", paperTitled("LoTR:").id]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/at least 2 different papers/);
    const badK = runCli([...cliIndex(), "compare", "--query", "neural collapse", "-k", "1"]);
    expect(badK.code).toBe(2);
    expect(badK.stderr).toMatch(/-k must be a whole number from 2 to 6/);
  });
});

const KEY = "sk-test-compare-0000";
let server: FakeOpenAI;

/** A model reply: a table with one hallucinated citation [7] in a cell and one in the prose. */
const MODEL_TABLE = [
  "| Paper | Problem | Approach | Data / setting | Results | Limitations |",
  "|---|---|---|---|---|---|",
  '| [1] LoTR | not stated in the abstract | "We introduce LoTR, a novel approach for parameter-efficient fine-tuning of LLMs" [1] | not stated in the abstract | "allows LoTR to archive even better parameter efficiency then LoRA especially for deep models" [1] | not stated in the abstract |',
  '| [2] AFLoRA | not stated in the abstract | "we add a parallel path of trainable low-rank matrices" [2] | "as evaluated on GLUE benchmark" [2] | "AFLoRA can yield up to 1.86times improvement" [2] | "It was only tested on the Moon in 1802" [7] |',
  "",
  "## Common ground",
  "Both papers make fine-tuning of large models parameter-efficient with low-rank matrices [1][2].",
  "",
  "## Differences",
  "LoTR shares a low-rank tensor representation across layers [1]. AFLoRA freezes projection matrices during fine-tuning [2][7].",
].join("\n");

describe("citewise compare with a model (local OpenAI-compatible server)", () => {
  beforeAll(async () => {
    server = await startFakeOpenAI({ apiKey: KEY });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.defaultChat = () => ({ text: MODEL_TABLE });
  });
  const cli = (args: string[]) =>
    runCliAsync([...cliIndex(), "compare", paperTitled("LoTR:").id, paperTitled("AFLoRA:").id, "--model", "test-chat", ...args], {
      env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY },
    });

  it("sends the numbered sources and the facet columns, removes the hallucinated [7] and reports it", async () => {
    const { code, stdout, stderr } = await cli(["--format", "md"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const chats = server.requests.filter((request) => request.path === "/chat/completions");
    expect(chats).toHaveLength(1);
    const [system, user] = chats[0]!.body.messages;
    expect(system.content).toContain("| Paper | Problem | Approach | Data / setting | Results | Limitations |");
    expect(system.content).toContain("Cite only the source numbers listed (1 to 2)");
    expect(system.content).toContain("Data / setting = the datasets, benchmarks, models or settings it uses (not its results)");
    expect(user.content).toContain('<source n="1">\nTitle: LoTR: Low Tensor Rank Weight Adaptation');
    expect(user.content).toContain('<source n="2">\nTitle: AFLoRA:');
    expect(user.content).toContain(paperTitled("AFLoRA:").abstract);

    expect(stdout.split("Removed citations")[0]).not.toContain("[7]");
    expect(stdout).toContain("Removed citations to sources that were not provided: [7] (only [1]–[2] existed)");
    expect(stdout).toMatch(/^\| \[2\] AFLoRA \|.*“It was only tested on the Moon in 1802” \[unsupported\] \|$/m);
    expect(stdout).toMatch(/^## References\n\n- \[1\] LoTR.*\n- \[2\] AFLoRA/m);
    expect(stdout).toMatch(/Grounded: \d+\/\d+ sentences supported\n$/);
  });

  it("--json checks every cell as a claim and every prose sentence", async () => {
    const { code, stdout } = await cli(["--json"]);
    expect(code).toBe(0);
    const body = JSON.parse(stdout) as ResultJson<CompareResult>;
    expect(body.generator).toBe("openai:test-chat");
    expect(body.removedCitations).toEqual(["[7]", "[7]"]);
    const [lotr, aflora] = body.papers.map((paper) => body.facets[paper.paperId]!);
    expect(lotr!.approach).toMatchObject({ citation: 1, supported: true, verbatim: true });
    expect(lotr!.problem).toMatchObject({ quote: null, supported: null });
    expect(aflora!.data).toMatchObject({ quote: "as evaluated on GLUE benchmark", citation: 2, supported: true });
    expect(aflora!.limitations).toMatchObject({
      quote: "It was only tested on the Moon in 1802",
      citations: [],
      supported: false,
      verbatim: false,
      reason: "no citation",
    });
    expect(body.differences).toBe("LoTR shares a low-rank tensor representation across layers [1]. AFLoRA freezes projection matrices during fine-tuning [2].");
    // 6 quoted cells + 1 common-ground sentence + 2 difference sentences.
    expect(body.grounded.total).toBe(9);
    expect(body.grounded.supported).toBe(body.sentences.filter((sentence) => sentence.supported).length);
    expect(body.grounded.supported).toBeLessThan(body.grounded.total);
    expect(body.references.map((reference) => reference.n)).toEqual([1, 2]);
  });
});

/** RFC 4180 as csv-stringify writes it: fields in double quotes when they hold a comma, quote or newline. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted && char === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && (char === "," || char === "\n")) {
      row.push(field);
      field = "";
      if (char === "\n") {
        rows.push(row);
        row = [];
      }
    } else field += char;
  }
  return rows;
}
