import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATA, runCli, tempDir } from "./helpers.js";

/** Three bundled papers (title line + abstract line of the listing file) as a user's BibTeX library. */
function library(authorsOfXlstm: string): string {
  const lines = readFileSync(path.join(DATA, "002_8a505376c0e6a202.txt"), "utf8").split("\n");
  const entry = (title: string, key: string, authors: string, venue: string) => {
    const at = lines.indexOf(title);
    return `@inproceedings{${key},\n  title = {${title}},\n  author = {${authors}},\n  booktitle = {${venue}},\n  year = {2024},\n  abstract = {${lines[at + 1]}}\n}\n`;
  };
  return [
    entry("xLSTM: Extended Long Short-Term Memory", "beck2024xlstm", authorsOfXlstm, "NeurIPS"),
    entry("HAWQ-V2: Hessian Aware trace-Weighted Quantization of Neural Networks", "dong2020hawqv2", "Dong, Zhen and Keutzer, Kurt", "NeurIPS"),
    entry("HAWQ: Hessian AWare Quantization of Neural Networks with Mixed-Precision", "dong2019hawq", "Dong, Zhen and Yao, Zhewei", "ICCV"),
  ].join("\n");
}

const top = (index: string, query: string, mode = "hybrid") => {
  const { code, stdout } = runCli(["--index", index, "search", query, "--json", "-k", "3", "--mode", mode]);
  expect(code, query).toBe(0);
  return JSON.parse(stdout).results.map((r: { title: string }) => r.title) as string[];
};

describe("authors and venues are searchable as fields", () => {
  it("finds a paper by an author's name and by its venue, and follows an edit of the authors on re-ingest", () => {
    const dir = tempDir();
    const bib = path.join(dir, "library.bib");
    const index = path.join(dir, "index");
    writeFileSync(bib, library("Beck, Maximilian and Hochreiter, Sepp"));
    expect(runCli(["--index", index, "ingest", bib]).code).toBe(0);
    expect(top(index, "Hochreiter")[0]).toBe("xLSTM: Extended Long Short-Term Memory");
    expect(top(index, "Keutzer")[0]).toMatch(/^HAWQ-V2/);
    expect(top(index, "ICCV")[0]).toMatch(/^HAWQ: /);
    // The abstract is unchanged, only the authors: the saved term counts must not hide the edit.
    writeFileSync(bib, library("Beck, Maximilian and Schmidhuber, Juergen"));
    expect(runCli(["--index", index, "ingest", bib]).code).toBe(0);
    expect(top(index, "Schmidhuber")[0]).toBe("xLSTM: Extended Long Short-Term Memory");
    // Keyword search no longer matches the removed author (hybrid still lists every paper of a 3-paper library).
    expect(top(index, "Hochreiter", "bm25")).not.toContain("xLSTM: Extended Long Short-Term Memory");
    expect(top(index, "Schmidhuber", "bm25")).toEqual(["xLSTM: Extended Long Short-Term Memory"]);
  });
});
