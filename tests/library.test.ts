import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { DATA, FILES, runCli, tempDir } from "./helpers.js";

/**
 * The researcher's own library as the CLI sees it: entries without an abstract, ids that survive better
 * metadata, removing papers, filtering the list, and the bundled sample announced as a demo. The abstracts
 * are real ones from data/; the entries are written the way Zotero's Better BibTeX exports them.
 */
const lines = readFileSync(path.join(DATA, path.basename(FILES.listingB)), "utf8").split("\n");
const abstractAfter = (title: string) => lines[lines.findIndex((line) => line.trim() === title) + 1]!.trim();
const SWIVEL = "Swivel: Improving Embeddings by Noticing What's Missing";
const swivelAbstract = abstractAfter(SWIVEL);

function library(withArxiv: boolean): string {
  return [
    "@inproceedings{shazeer_swivel_2016,",
    "\ttitle = {Swivel: {Improving} {Embeddings} by {Noticing} {What}'s {Missing}},",
    "\tauthor = {Shazeer, Noam and Doherty, Ryan and Evans, Colin and Waterson, Chris},",
    "\tbooktitle = {International Conference on Learning Representations Workshop},",
    "\tyear = {2016},",
    ...(withArxiv ? ["\teprint = {1602.02215},", "\tarchivePrefix = {arXiv},", `\tabstract = {${swivelAbstract}},`] : []),
    "}",
    "",
    "@article{hochreiter_long_1997,",
    "\ttitle = {Long {Short}-{Term} {Memory}},",
    "\tauthor = {Hochreiter, Sepp and Schmidhuber, Jürgen},",
    "\tjournal = {Neural Computation},",
    "\tyear = {1997},",
    "\tdoi = {10.1162/neco.1997.9.8.1735},",
    "}",
    "",
  ].join("\n");
}

describe("the researcher's own library (CLI)", () => {
  const dir = tempDir("citewise-library-");
  const index = path.join(dir, "index");
  const bib = path.join(dir, "library.bib");
  const cli = (...args: string[]) => runCli(["--index", index, ...args]);
  const listed = () => JSON.parse(cli("papers", "list", "--json").stdout) as Array<Record<string, unknown>>;

  it("keeps entries without an abstract: listed, found by title and author, never a source of an answer", () => {
    writeFileSync(bib, library(false));
    const ingest = cli("ingest", bib);
    expect(ingest.code, ingest.stderr).toBe(0);
    const papers = listed();
    expect(papers.map((paper) => [paper.title, paper.abstract, paper.entryType, paper.venue])).toEqual([
      ["Swivel: Improving Embeddings by Noticing What's Missing", "", "inproceedings", "International Conference on Learning Representations Workshop"],
      ["Long Short-Term Memory", "", "article", "Neural Computation"],
    ]);
    expect(cli("papers", "list").stdout).toMatch(/Long Short-Term Memory \(title only\)/);
    expect(cli("papers", "show", "long-short").stdout).toContain("no abstract in the library");
    const search = JSON.parse(cli("search", "Schmidhuber", "--json").stdout) as { results: Array<{ title: string }> };
    expect(search.results[0]?.title).toBe("Long Short-Term Memory");
    // Known by title only: nothing to quote, so the answer abstains rather than citing a title.
    const ask = JSON.parse(cli("ask", "What is long short-term memory?", "--json").stdout) as { answered: boolean; references: unknown[] };
    expect(ask.answered).toBe(false);
    expect(ask.references).toEqual([]);
    // A draft citing it by the user's key resolves to it, and says why the claim cannot be checked.
    const draft = path.join(dir, "draft.tex");
    writeFileSync(draft, "LSTMs keep a memory cell over long time lags \\cite{hochreiter_long_1997}.\n");
    const verify = JSON.parse(cli("verify", draft, "--json").stdout) as { sentences: Array<{ citedPapers?: string[]; reason?: string; verdict: string }> };
    expect(verify.sentences[0]).toMatchObject({
      verdict: "not-enough-info",
      reason: "the cited paper has no abstract in the library (known by its title): nothing to check the claim against",
    });
  });

  it("keeps a paper's id when better metadata arrives (an abstract and an arXiv id)", () => {
    const before = listed().find((paper) => String(paper.title).startsWith("Swivel"))!;
    writeFileSync(bib, library(true));
    expect(cli("ingest", bib).code).toBe(0);
    const after = listed().find((paper) => String(paper.title).startsWith("Swivel"))!;
    expect(after.arxivId).toBe("1602.02215");
    expect(after.abstract).toBe(swivelAbstract);
    expect(after.id).toBe(before.id);
    // The id the arXiv id would have given it is an alias: papers show (and compare, verify) resolve it.
    expect(after.aliases).toEqual(["arxiv:1602.02215"]);
    const shown = cli("papers", "show", "arxiv:1602.02215");
    expect(shown.stdout).toContain(`id ${before.id}`);
    expect(shown.stdout).toContain("also known as arxiv:1602.02215");
    // Now it has an abstract, it answers.
    const ask = JSON.parse(cli("ask", "How does Swivel treat unobserved co-occurrences?", "--json").stdout) as {
      answered: boolean;
      references: Array<{ paperId: string }>;
    };
    expect(ask.answered).toBe(true);
    expect(ask.references.map((reference) => reference.paperId)).toContain(before.id);
  });

  it("filters the list by author, venue and year, and sorts it", () => {
    const titles = (...args: string[]) => (JSON.parse(cli("papers", "list", "--json", ...args).stdout) as Array<{ title: string }>).map((paper) => paper.title);
    expect(titles("--author", "schmidhuber")).toEqual(["Long Short-Term Memory"]);
    expect(titles("--author", "Jurgen")).toEqual(["Long Short-Term Memory"]); // accents ignored
    expect(titles("--venue", "learning representations")).toEqual(["Swivel: Improving Embeddings by Noticing What's Missing"]);
    expect(titles("--year", "-2000")).toEqual(["Long Short-Term Memory"]);
    expect(titles("--sort", "year")).toEqual(["Swivel: Improving Embeddings by Noticing What's Missing", "Long Short-Term Memory"]);
    expect(titles("--sort", "title")).toEqual(["Long Short-Term Memory", "Swivel: Improving Embeddings by Noticing What's Missing"]);
    const bad = cli("papers", "list", "--sort", "cited");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--sort must be one of added, year, title/);
  });

  it("an output file is never one of the files the library was built from; compare refuses title-only papers", () => {
    const before = readFileSync(bib, "utf8");
    const run = cli("related-work", "word embeddings", "--out", bib);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/library\.bib is one of the files your index was built from .*; choose another output file/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(readFileSync(bib, "utf8")).toBe(before);
    const compare = cli("compare", "long-short", "swivel");
    expect(compare.code).toBe(2);
    expect(compare.stderr).toMatch(/long-short-term-memory has no abstract in the library \(title only\)/);
  });

  it("papers rm removes a paper and says which; ingesting its file again brings it back", () => {
    const rm = cli("papers", "rm", "long-short");
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toMatch(/^removed long-short-term-memory \(Long Short-Term Memory\)/m);
    expect(listed().map((paper) => paper.title)).toEqual(["Swivel: Improving Embeddings by Noticing What's Missing"]);
    expect(cli("ingest", bib).code).toBe(0);
    expect(listed()).toHaveLength(2);
  });

  it("papers rm --source says which papers stay because another file also holds them", () => {
    const second = path.join(dir, "second.bib");
    writeFileSync(second, library(false).slice(library(false).indexOf("@article")));
    expect(cli("ingest", bib, second).code).toBe(0);
    const rm = cli("papers", "rm", "--source", second);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).not.toMatch(/^removed/m);
    const line = readFileSync(bib, "utf8").split("\n").indexOf("@article{hochreiter_long_1997,") + 1;
    expect(rm.stdout).toMatch(new RegExp(`^kept long-short-term-memory \\(Long Short-Term Memory\\): also in .*library\\.bib:${line}$`, "m"));
    expect(listed()).toHaveLength(2);
  });

  it("an index of only the bundled sample says it is a demo; the user's own index does not", () => {
    const sample = runCli(["--index", inject("corpusIndex"), "search", "quantization", "-k", "1"]);
    expect(sample.stderr).toMatch(/only the bundled sample corpus .* a demo; add your own papers with: citewise ingest/);
    expect(cli("search", "memory", "-k", "1").stderr).not.toMatch(/bundled sample/);
    // JSON output stays clean for scripts.
    expect(runCli(["--index", inject("corpusIndex"), "search", "quantization", "-k", "1", "--json"]).stderr).not.toMatch(/bundled sample/);
  });
});

describe("BibTeX as the user wrote it (CLI round trip)", () => {
  // Twelve real title/abstract pairs from data/, written the way Better BibTeX exports a Zotero library:
  // tab-indented, title words braced, an @inproceedings with its booktitle, CRLF line endings.
  const pairs: Array<[string, string]> = [];
  for (let i = 4; i < lines.length - 1 && pairs.length < 12; i++) {
    const [title, abstract] = [lines[i]!.trim(), lines[i + 1]!.trim()];
    if (title.length > 10 && title.length < 150 && abstract.length > 400 && !/[{}\\]/.test(title + abstract)) {
      pairs.push([title, abstract]);
      i++;
    }
  }
  const entries = pairs.map(([title, abstract], i) =>
    [
      `@${i % 2 ? "inproceedings" : "article"}{author${i}_${title.split(/\W+/)[0]!.toLowerCase()}_${2020 + (i % 4)},`,
      `\ttitle = {${title.replace(/\b([A-Z][a-z]+)\b/g, "{$1}")}},`,
      `\tauthor = {van Author${i}, Mart and De Sa, Christopher and Müller, Jörg},`,
      i % 2
        ? "\tbooktitle = {Proceedings of the {International} {Conference} on {Learning} {Representations}},"
        : "\tjournal = {Transactions on Machine Learning Research},",
      `\tyear = {${2020 + (i % 4)}},`,
      `\tabstract = {${abstract}},`,
      "\tkeywords = {machine learning, test},",
      "}",
    ].join("\r\n"),
  );
  const dir = tempDir("citewise-bib-");
  const bib = path.join(dir, "zotero.bib");
  writeFileSync(bib, `${entries.join("\r\n\r\n")}\r\n`);
  const index = path.join(dir, "index");

  it("cites the library's papers with its keys and copies their entries byte for byte into --bib-out", () => {
    expect(runCli(["--index", index, "ingest", bib]).code).toBe(0);
    const out = path.join(dir, "out.bib");
    const run = runCli(["--index", index, "related-work", pairs[0]![1].slice(0, 300), "-k", "6", "--bib-out", out, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { references: Array<{ key: string; formatted: string }> };
    expect(result.references.length).toBeGreaterThan(1);
    const written = readFileSync(out, "utf8");
    const source = readFileSync(bib, "utf8");
    for (const { key, formatted } of result.references) {
      const entry = entries.find((text) => text.includes(`{${key},`));
      expect(entry, key).toBeDefined();
      expect(written).toContain(entry!);
      expect(source).toContain(entry!);
      // The reference list knows the year and the particles.
      expect(formatted).toMatch(/^van Author\d+, M\., De Sa, C\., & Müller, J\. \(202\d\)/);
    }
  });
});
