import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { runCli, tempDir } from "./helpers.js";

const index = () => ["--index", inject("corpusIndex")];

describe("citewise CLI (subprocess, built dist/)", () => {
  it("search --json returns ranked papers with title (null when untitled) and the full abstract", () => {
    const { code, stdout, stderr } = runCli([...index(), "search", "serving many fine-tuned LLMs by compressing model deltas", "-k", "5", "--json"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const body = JSON.parse(stdout);
    expect(body.results).toHaveLength(5);
    const top = body.results[0];
    expect(top.rank).toBe(1);
    expect(top.title).toBeNull();
    expect(top.titleIsDerived).toBe(true);
    expect(top.abstract).toContain("DeltaZip");
    expect(top.abstract.length).toBeGreaterThan(500);
    expect(top.chunks[0].text.length).toBeGreaterThan(50);
    expect(body.results.every((r: { score: number }) => typeof r.score === "number")).toBe(true);
  });

  it("search prints a readable ranked list", () => {
    const { code, stdout } = runCli([...index(), "search", "low tensor rank adaptation of LLMs", "-k", "3"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ 1\. LoTR: Low Tensor Rank Weight Adaptation/m);
    expect(stdout).toContain("data/003_872e44fbd618f8b3.txt:");
  });

  it("papers list and show", () => {
    const list = runCli([...index(), "papers", "list", "--source", "001_", "--json"]);
    expect(list.code).toBe(0);
    const papers = JSON.parse(list.stdout);
    expect(papers).toHaveLength(11);
    const show = runCli([...index(), "papers", "show", "lotr-low"]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("LoTR: Low Tensor Rank Weight Adaptation");
    expect(show.stdout).toContain("id lotr-low-tensor-rank-weight-adaptation");
  });

  it("reports user errors in one line, exit code 2, no stack trace", () => {
    const cases: Array<[string[], RegExp]> = [
      [[...index(), "papers", "show", "no-such-paper-xyz"], /no paper with id "no-such-paper-xyz"/],
      [[...index(), "search", "x", "-k", "0"], /-k must be a whole number from 1 to 200/],
      [[...index(), "search", "x", "--mode", "fuzzy"], /--mode must be one of hybrid, bm25, dense/],
      [[...index(), "search", "x", "--year", "20x3"], /--year takes 2023/],
      [[...index(), "search", "   "], /the query is empty/],
      [[...index(), "ingest", "/no/such/dir"], /no such file or directory: \/no\/such\/dir/],
      [[...index(), "ingest", "--format", "docx", "x"], /unknown format "docx"/],
      [[...index(), "ingest", "--embedder", "magic", "x"], /unknown embedder "magic"/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = runCli(args);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
  });

  it("ingest reports skipped records with file:line and reason, and keeps the rest", () => {
    const dir = tempDir();
    const file = path.join(dir, "mixed.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({
          id: "2401.00001",
          title: "Sparse Experts Route Tokens",
          abstract:
            "We study how sparse mixture-of-experts layers route tokens and show that a load-balancing loss keeps every expert busy while improving perplexity.",
        }),
        "{not json",
        JSON.stringify({ id: "2401.00002", title: "No Abstract Here" }),
        JSON.stringify({ id: "2401.00003", authors: ["Nobody"] }),
      ].join("\n"),
    );
    const { code, stdout } = runCli(["--index", path.join(dir, "index"), "ingest", file, "--json"], { cwd: dir });
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    // A title without an abstract is a paper known by its title; a record with neither is skipped.
    expect(report.added).toEqual(["arxiv:2401.00001", "arxiv:2401.00002"]);
    expect(report.skipped.map((s: { line: number }) => s.line)).toEqual([2, 4]);
    expect(report.skipped[0].file).toBe("mixed.jsonl");
    expect(report.skipped[1].reason).toBe("no abstract or title");
  });

  it("search builds an index from the bundled corpus when none exists", () => {
    const dir = tempDir();
    const { code, stdout, stderr } = runCli(["search", "Kornia differentiable computer vision library", "-k", "1", "--mode", "bm25"], { cwd: dir });
    expect(code).toBe(0);
    expect(stderr).toMatch(/building one from the bundled sample corpus/);
    expect(stderr).toMatch(/indexed 527 papers/);
    expect(stdout).toMatch(/Kornia/i);
  });
});
