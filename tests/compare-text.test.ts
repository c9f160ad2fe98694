import { describe, expect, it } from "vitest";
import { locateQuote, parseColumnReply } from "../src/tasks/compare/column-reply.js";
import { parseColumns } from "../src/tasks/compare/columns.js";
import { layOut } from "../src/tasks/compare/layout.js";
import { mentions, mentionsOf } from "../src/tasks/compare/mentions.js";
import { displayWidth, wrapDocument, wrapText } from "../src/text/wrap.js";

describe("mentions: does another paper already speak of a phrase?", () => {
  const quanta = mentionsOf(
    "QuanTA: Efficient High-Rank Fine-Tuning of LLMs with Quantum-Informed Tensor Adaptation",
    "We propose a fine-tuning method for large-scale pre-trained language models, surpassing the limitations of Low-Rank Adaptation (LoRA).",
  );
  const lotr = mentionsOf(
    "LoTR: Low Tensor Rank Weight Adaptation",
    "We introduce LoTR, a novel approach for parameter-efficient fine-tuning of large language models.",
  );

  it("by stem, plural or singular, hyphenated or not", () => {
    expect(mentions(quanta, "LLM")).toBe(true);
    expect(mentions(quanta, "low-rank adaptations")).toBe(true);
    expect(mentions(quanta, "finetuning")).toBe(true);
    expect(mentions(quanta, "Tensor Adaptation")).toBe(true);
  });

  it("by acronym and expansion, either way round", () => {
    expect(mentions(lotr, "LLMs")).toBe(true);
    expect(mentions(lotr, "PEFT")).toBe(true);
    expect(mentions(quanta, "LoRA")).toBe(true);
    expect(mentions(mentionsOf("", "We fine-tune LLMs with PEFT."), "parameter-efficient fine-tuning")).toBe(true);
    expect(mentions(mentionsOf("", "We fine-tune LLMs."), "large language models")).toBe(true);
  });

  it("a generic head word does not make a phrase new: 'Adam algorithm' is there when Adam is", () => {
    const adafactor = mentionsOf("Adafactor", "parameter updates are scaled as in Adam, by the inverse square roots of moving averages");
    expect(mentions(adafactor, "Adam algorithm")).toBe(true);
    expect(mentions(adafactor, "square roots")).toBe(true);
  });

  it("what really differs stays different", () => {
    expect(mentions(lotr, "high-rank")).toBe(false);
    expect(mentions(lotr, "quantum circuit")).toBe(false);
    expect(mentions(quanta, "tensor decomposition")).toBe(false);
    // "GAN" must not match any three words starting with g, a, n unless they are there.
    expect(mentions(lotr, "GAN")).toBe(false);
  });
});

describe("locateQuote: a model's quote found in the abstract", () => {
  const abstract = "We  add a parallel path of trainable low-rank matrices,\nnamely a down-projection and an up-projection matrix. Code will be released.";

  it("whitespace, case and curly quotes aside, returned as the abstract writes it", () => {
    expect(locateQuote("we add a parallel path of TRAINABLE low-rank matrices", abstract)).toBe("We  add a parallel path of trainable low-rank matrices");
    expect(locateQuote("“matrices, namely a down-projection”", abstract)).toBe("matrices,\nnamely a down-projection");
    expect(locateQuote("parallel path [2]", abstract)).toBe("parallel path");
  });

  it("pieces joined by an ellipsis must appear in order; a paraphrase or a fixed typo is not found", () => {
    expect(locateQuote("We add … up-projection matrix", abstract)).toBe("We  add … up-projection matrix");
    expect(locateQuote("…an up-projection matrix", abstract)).toBe("…an up-projection matrix");
    expect(locateQuote("up-projection matrix ... We add", abstract)).toBeNull();
    expect(locateQuote("we add a parallel branch of trainable matrices", abstract)).toBeNull();
    expect(locateQuote("", abstract)).toBeNull();
  });
});

describe("parseColumns and parseColumnReply", () => {
  it("names are trimmed, keyed in lower case, and checked", () => {
    expect(parseColumns(" Dataset , metric,,compute ")).toEqual([
      { key: "dataset", label: "Dataset" },
      { key: "metric", label: "metric" },
      { key: "compute", label: "compute" },
    ]);
    expect(parseColumns("")).toMatch(/^--columns needs at least one column name/);
    expect(parseColumns("x".repeat(41))).toMatch(/at most 40 characters/);
  });

  it("reads a fenced reply, matches column names without case, drops rows for sources that do not exist", () => {
    const columns = [{ key: "dataset", label: "dataset" }];
    const reply = [
      "```json",
      JSON.stringify({
        rows: [
          { source: 1, cells: { Dataset: { value: "GLUE", quote: "on GLUE" } } },
          { source: 9, cells: { dataset: { value: "x", quote: "y" } } },
        ],
        common_ground: ["Both fine-tune [1][2]."],
        differences: "Only one uses GLUE [1].",
      }),
      "```",
    ].join("\n");
    const parsed = parseColumnReply(reply, columns, 2);
    expect(parsed.rows.get(1)).toEqual({ dataset: { value: "GLUE", quote: "on GLUE" } });
    expect(parsed.commonGround).toBe("Both fine-tune [1][2].");
    expect(parsed.warnings).toEqual(["ignored a table row for source [9] (only [1]–[2] exist)", "the model's table had no row for [2]"]);
    expect(parseColumnReply("| a | b |", columns, 2).warnings).toEqual(["the model's reply was not the JSON table asked for; every cell is empty"]);
  });
});

describe("text layout within a width", () => {
  it("wraps at spaces, cuts words wider than the line, counts CJK characters as two columns", () => {
    expect(wrapText("a bb ccc dddd", 6)).toEqual(["a bb", "ccc", "dddd"]);
    expect(wrapText("https://example.org/a/very/long/path", 10).every((line) => line.length <= 10)).toBe(true);
    const chinese = wrapText("我们介绍了手电筒这是一个开源库旨在刺激机器学习工具和系统的创新", 20);
    expect(chinese.length).toBeGreaterThan(1);
    expect(chinese.every((line) => displayWidth(line) <= 20)).toBe(true);
  });

  it("wrapDocument indents continuation lines under a list item's text", () => {
    expect(wrapDocument("- [1] one two three four five", 14)).toBe("- [1] one two\n  three four\n  five");
  });

  it("auto takes the table when rows are short, blocks per paper when they would be too tall", () => {
    const grid = (text: string) => ({
      headers: ["Paper", "dataset", "metric"],
      rows: [1, 2].map((n) => ({ label: `[${n}] P${n}`, title: `[${n}] Paper ${n}`, cells: [text, "—"] })),
    });
    const options = { layout: "auto" as const, width: 60, maxPapers: 4, maxRowLines: 6 };
    const table = layOut(grid("GLUE benchmark"), options);
    expect(table.split("\n")[0]).toMatch(/^Paper +│ dataset +│ metric$/);
    const long = layOut(grid("word ".repeat(80)), options);
    expect(long).not.toContain("│");
    expect(long.split("\n")[0]).toBe("[1] Paper 1");
    for (const text of [table, long, layOut(grid("word ".repeat(80)), { ...options, layout: "table" })])
      expect(Math.max(...text.split("\n").map(displayWidth))).toBeLessThanOrEqual(60);
  });
});
