import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { describe, it, expect } from "vitest";
import { parseJsonArray, parseJsonLines } from "../src/ingest/parsers/jsonl.js";
import { parseBibtex } from "../src/ingest/parsers/bibtex.js";
import { parseCsv } from "../src/ingest/parsers/csv.js";
import type { Parser } from "../src/ingest/parsers/types.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

describe("parseJsonLines", () => {
  const { records, skipped } = parseJsonLines(fixture("sample.jsonl"), "sample.jsonl");

  it("keeps the good lines and skips the bad ones with line numbers; a title without an abstract is a paper", () => {
    expect(records.map((r) => r.source.line)).toEqual([1, 4, 5, 6]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ file: "sample.jsonl", line: 3 });
    expect(skipped[0]!.reason).toMatch(/^invalid JSON: .*Unterminated string/);
    expect(records[1]).toMatchObject({ title: "LoRA: Low-Rank Adaptation of Large Language Models", abstract: "", arxivId: "2106.09685" });
    expect(parseJsonLines('{"authors": ["A. Author"], "year": 2020}\n', "x.jsonl").skipped).toEqual([
      { file: "x.jsonl", line: 1, reason: "no abstract or title" },
    ]);
  });

  it("reads the arXiv metadata snapshot shape", () => {
    const [attention] = records;
    expect(attention).toMatchObject({
      title: "Attention Is All You Need",
      arxivId: "1706.03762",
      year: 2017,
      date: "Mon, 12 Jun 2017 17:57:34 GMT",
      authorCount: 8,
      categories: ["cs.CL", "cs.LG"],
      source: { file: "sample.jsonl", line: 1, format: "jsonl" },
    });
    expect(attention!.authors!.slice(0, 2)).toEqual(["Ashish Vaswani", "Noam Shazeer"]);
    expect(attention!.authors).toContain("Aidan N. Gomez");
    expect(attention!.abstract).toMatch(/^The dominant sequence transduction models are based on complex recurrent or convolutional/);
    expect(attention!.abstract).not.toMatch(/\n| {2}/);
  });

  it("accepts summary, author objects, arXiv: ids, abs URLs, author strings and journal-ref", () => {
    const [, , llama, bert] = records;
    expect(llama).toMatchObject({
      arxivId: "2302.13971",
      authors: ["Hugo Touvron", "Thibaut Lavril", "Gautier Izacard"],
      year: 2023,
      doi: "10.48550/arXiv.2302.13971",
    });
    expect(llama!.abstract).toMatch(/^We introduce LLaMA/);
    expect(bert).toMatchObject({
      arxivId: "1810.04805",
      authors: ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"],
      authorCount: 4,
      date: "Oct 11, 2018",
      year: 2018,
      venue: "NAACL-HLT 2019",
    });
  });

  it("ignores blank lines and handles CRLF", () => {
    const text = '\r\n{"title": "A", "abstract": "First."}\r\n\r\n{"abstract": "Second."}\r\n';
    const result = parseJsonLines(text, "crlf.jsonl");
    expect(result.skipped).toEqual([]);
    expect(result.records.map((r) => [r.source.line, r.title])).toEqual([
      [2, "A"],
      [4, null],
    ]);
  });

  it("reports lines that are valid JSON but not objects", () => {
    const result = parseJsonLines('[1, 2]\n"text"\n', "x.jsonl");
    expect(result.records).toEqual([]);
    expect(result.skipped.map((s) => [s.line, s.reason])).toEqual([
      [1, "expected a JSON object, got an array"],
      [2, "expected a JSON object, got string"],
    ]);
  });
});

describe("parseJsonArray", () => {
  it("reads a top-level array and gives each element its own line", () => {
    const text = [
      "[",
      '  {"id": "2106.09685", "title": "LoRA", "abstract": "We propose Low-Rank Adaptation.",',
      '   "authors_parsed": [["Hu", "Edward J.", ""], ["Shen", "Yelong", ""]], "update_date": "2021-10-18"},',
      '  {"title": "No abstract here"},',
      '  {"title": "Toolformer", "abstract": "Language models can teach themselves to use tools.", "authors": "Timo Schick and Jane Dwivedi-Yu"}',
      "]",
    ].join("\n");
    const { records, skipped } = parseJsonArray(text, "papers.json");
    expect(records).toHaveLength(3);
    expect(records[1]).toMatchObject({ title: "No abstract here", abstract: "" });
    records.splice(1, 1);
    expect(records[0]).toMatchObject({
      arxivId: "2106.09685",
      authors: ["Edward J. Hu", "Yelong Shen"],
      year: 2021,
      source: { file: "papers.json", line: 2, format: "jsonl" },
    });
    expect(records[1]).toMatchObject({ authors: ["Timo Schick", "Jane Dwivedi-Yu"], source: { line: 5 } });
    expect(skipped).toEqual([]);
  });

  it('reads an object with a "papers" or "records" array', () => {
    const text = '{"meta": {"source": "export", "tags": ["a"]},\n "papers": [\n  {"abstract": "One."},\n  {"abstract": "Two."}\n ]}';
    const { records, skipped } = parseJsonArray(text, "export.json");
    expect(skipped).toEqual([]);
    expect(records.map((r) => [r.abstract, r.source.line])).toEqual([
      ["One.", 3],
      ["Two.", 4],
    ]);
    expect(parseJsonArray('{"records": [{"summary": "Three."}]}', "r.json").records).toHaveLength(1);
  });

  it("keeps the good elements of a broken array and reports the bad one with its line", () => {
    const { records, skipped } = parseJsonArray('[\n  {"abstract": "ok"},\n  {"abstract": oops}\n]', "bad.json");
    expect(records.map((r) => [r.abstract, r.source.line])).toEqual([["ok", 2]]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.line).toBe(3);
    expect(skipped[0]!.reason).toMatch(/^invalid JSON/);
  });

  it("rejects documents of the wrong shape without throwing", () => {
    const { skipped } = parseJsonArray('{"count": 3}', "odd.json");
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.reason).toMatch(/expected a JSON array/);
  });

  it("falls back to JSON Lines when a .json file holds one object per line", () => {
    const { records } = parseJsonArray(fixture("sample.jsonl"), "sample.json");
    expect(records).toHaveLength(4);
  });
});

describe("parseBibtex", () => {
  const { records, skipped } = parseBibtex(fixture("sample.bib"), "sample.bib");

  it("parses good entries, skipping @string, @comment and broken entries", () => {
    expect(records.map((r) => r.citationKey)).toEqual(["devlin2019bert", "vaswani2017attention", "brown2020language", "schoelkopf2021causal"]);
    expect(records.map((r) => r.source)).toEqual([
      { file: "sample.bib", line: 5, format: "bibtex" },
      { file: "sample.bib", line: 17, format: "bibtex" },
      { file: "sample.bib", line: 24, format: "bibtex" },
      { file: "sample.bib", line: 38, format: "bibtex" },
    ]);
    // No abstract: kept by its title, with its type and key, never quoted.
    expect(records[1]).toMatchObject({ abstract: "", entryType: "article", venue: "Advances in Neural Information Processing Systems" });
  });

  it("reports entries with neither abstract nor title, and unbalanced braces", () => {
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ file: "sample.bib", line: 33 });
    expect(skipped[0]!.reason).toMatch(/unbalanced braces/);
    expect(skipped[0]!.reason).toContain("broken2021");
    expect(parseBibtex("@misc{empty2020,\n  year = 2020\n}\n", "x.bib").skipped).toEqual([
      { file: "x.bib", line: 1, reason: "no abstract or title field (entry empty2020)" },
    ]);
  });

  it("reads fields, names, macros and arXiv ids", () => {
    const [bert, , gpt3] = records;
    expect(bert).toMatchObject({
      title: "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
      authors: ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"],
      authorCount: 4,
      year: 2019,
      date: "June 2019",
      arxivId: "1810.04805",
      venue: "Proceedings of the 2019 Conference of the North American Chapter of the ACL",
    });
    expect(bert!.abstract).toBe(
      "We introduce a new language representation model called BERT, which stands for Bidirectional Encoder Representations from Transformers.",
    );
    // "and others" truncates the list, so the count is left unknown.
    expect(gpt3).toMatchObject({
      title: "Language Models are Few-Shot Learners",
      authors: ["Tom B. Brown", "Benjamin Mann"],
      year: 2020,
      arxivId: "2005.14165",
      categories: ["language models", "few-shot learning"],
      abstract: "Recent work has demonstrated substantial gains on many NLP tasks & benchmarks.",
    });
    expect(gpt3!.authorCount).toBeUndefined();
  });

  it("turns LaTeX accents, ~ and formatting commands into plain text", () => {
    const causal = records[3]!;
    expect(causal.authors).toEqual(["Bernhard Schölkopf", "Francesco Locatello", "José Muñoz", "Kurt Gödel"]);
    expect(causal.venue).toBe("Proceedings of the IEEE");
    expect(causal.abstract).toBe(
      "The two fields of machine learning and graphical causality arose and developed separately. We review fundamental concepts of causal inference.",
    );
    const more = parseBibtex(
      '@article{k, author = {Erd{\\H o}s, P{\\\'a}l and {\\AA}str{\\"o}m, Karl and {Barnes and Noble}}, abstract = {Na\\"{\\i}ve {\\c c}a \\ss{} co\\^{u}t.}}',
      "k.bib",
    );
    expect(more.records[0]!.authors).toEqual(["Pál Erdős", "Karl Åström", "Barnes and Noble"]);
    expect(more.records[0]!.abstract).toBe("Naïve ça ß coût.");
  });

  it("reports an entry left open at end of file", () => {
    const text = "@article{ok, abstract = {Fine.}}\n\n@misc{open2020,\n  abstract = {Never closed.\n";
    const result = parseBibtex(text, "eof.bib");
    expect(result.records.map((r) => r.citationKey)).toEqual(["ok"]);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]).toMatchObject({ line: 3 });
    expect(result.skipped[0]!.reason).toMatch(/unbalanced braces: entry open2020.*end of file/);
  });

  it("accepts parenthesised entries, quoted values and @preamble", () => {
    const text = [
      '@preamble{"\\newcommand{\\noop}[1]{}"}',
      "@InProceedings(radford2021clip,",
      '  TITLE = "Learning Transferable Visual Models From Natural Language Supervision (CLIP)",',
      "  AUTHOR = {Radford, Alec and Kim, Jong Wook},",
      "  ABSTRACT = {State-of-the-art computer vision systems are trained to predict a fixed set of categories.},",
      "  doi = {10.48550/arXiv.2103.00020}",
      ")",
    ].join("\n");
    const { records: recs, skipped: skips } = parseBibtex(text, "clip.bib");
    expect(skips).toEqual([]);
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({
      citationKey: "radford2021clip",
      title: "Learning Transferable Visual Models From Natural Language Supervision (CLIP)",
      authors: ["Alec Radford", "Jong Wook Kim"],
      arxivId: "2103.00020",
      source: { line: 2 },
    });
  });
});

describe("parseCsv", () => {
  const { records, skipped } = parseCsv(fixture("sample.csv"), "sample.csv");

  it("keeps line numbers right after a quoted multi-line field", () => {
    expect(records.map((r) => r.source)).toEqual([
      { file: "sample.csv", line: 2, format: "csv" },
      { file: "sample.csv", line: 5, format: "csv" },
      { file: "sample.csv", line: 6, format: "csv" },
      { file: "sample.csv", line: 7, format: "csv" },
    ]);
    // Llama 2's row has a title and no abstract: a paper known by its title.
    expect(records[2]).toMatchObject({ title: "Llama 2: Open Foundation and Fine-Tuned Chat Models", abstract: "" });
    expect(skipped).toEqual([]);
  });

  it("reads quoted fields, doubled quotes and author lists", () => {
    const [instruct, cot, , t5] = records;
    expect(instruct).toMatchObject({
      arxivId: "2203.02155",
      authors: ["Long Ouyang", "Jeff Wu", "Xu Jiang"],
      authorCount: 3,
      year: 2022,
      categories: ["cs.CL", "cs.AI"],
    });
    expect(instruct!.abstract).toBe(
      "Making language models bigger does not inherently make them better at following a user's intent. " +
        'We show an avenue for aligning language models with user intent by fine-tuning with "human feedback".',
    );
    expect(cot!.authors).toEqual(["Jason Wei", "Xuezhi Wang", "Dale Schuurmans"]);
    // A row with an extra field is still used.
    expect(t5).toMatchObject({ title: "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer", year: 2019 });
  });

  it("reports a missing abstract column once, listing the columns found", () => {
    const { records: recs, skipped: skips } = parseCsv("Title,Authors,Year\nAttention Is All You Need,Vaswani,2017\n", "x.csv");
    expect(recs).toEqual([]);
    expect(skips).toEqual([
      { file: "x.csv", line: 1, reason: "no abstract column (expected abstract, summary, text or Abstract Note; found: Title, Authors, Year)" },
    ]);
  });

  it("detects TSV and semicolons, and matches header aliases case-insensitively", () => {
    const tsv =
      "arXiv ID\tTitle\tSummary\tPublished\tKeywords\n2005.11401\tRetrieval-Augmented Generation\tWe explore RAG models.\t2020-05-22\tretrieval, generation\n";
    expect(parseCsv(tsv, "x.tsv").records[0]).toMatchObject({
      arxivId: "2005.11401",
      title: "Retrieval-Augmented Generation",
      abstract: "We explore RAG models.",
      date: "2020-05-22",
      year: 2020,
      categories: ["retrieval", "generation"],
    });
    const semi = 'title;abstract;journal\r\n"Deep Residual Learning; revisited";We revisit ResNets.;CVPR\r\n';
    expect(parseCsv(semi, "x.csv").records[0]).toMatchObject({ title: "Deep Residual Learning; revisited", venue: "CVPR" });
  });

  it("skips a row whose quote never closes", () => {
    const text = 'title,abstract\nGood,Fine abstract.\nBad,"This quote is never closed,\nand runs to the end\n';
    const { records: recs, skipped: skips } = parseCsv(text, "q.csv");
    expect(recs.map((r) => r.title)).toEqual(["Good"]);
    expect(skips).toHaveLength(1);
    expect(skips[0]!.line).toBe(3);
    expect(skips[0]!.reason).toMatch(/unterminated quoted field/);
  });
});

describe("robustness", () => {
  const parsers: Record<string, Parser> = { parseJsonLines, parseJsonArray, parseBibtex, parseCsv };

  for (const [name, parse] of Object.entries(parsers)) {
    it(`${name}: empty input gives nothing and does not throw`, () => {
      expect(parse("", "empty")).toEqual({ records: [], skipped: [] });
      expect(parse("\n\n  \n", "blank").records).toEqual([]);
    });

    it(`${name}: binary garbage does not throw`, () => {
      for (let i = 0; i < 20; i++) {
        const garbage = randomBytes(4096).toString("utf8");
        const result = parse(garbage, "garbage.bin");
        expect(Array.isArray(result.records)).toBe(true);
        for (const s of result.skipped) expect(s.line).toBeGreaterThanOrEqual(1);
      }
      // Pathological but plausible shapes: stray "@", lone quotes and braces.
      for (const text of ["@", "@{", "@article{", '"', '{"a":', '"\n"\n"', "}}}{{{", "@string{x = }", 'a,b\n"', "@misc{k,abstract=}"]) {
        expect(() => parse(text, "odd")).not.toThrow();
      }
    });
  }
});

describe("author lists written BibTeX-style in JSON", () => {
  it('"Last, First and Last, First" is two people, not four', () => {
    const { records } = parseJsonLines('{"title": "T", "abstract": "A.", "authors": "Zhu, Hongyu and Phanishayee, Amar and Pekhimenko, Gennady"}\n', "x.jsonl");
    expect(records[0]!.authors).toEqual(["Hongyu Zhu", "Amar Phanishayee", "Gennady Pekhimenko"]);
  });
});

describe("a BibTeX entry kept as written", () => {
  it("is the entry byte for byte, with the @string definitions it uses before it, in the file's line endings", () => {
    const text = [
      "@string{jmlr = {Journal of Machine Learning Research}}",
      "@string{unused = {Never Used}}",
      "",
      "@article{key1,",
      "  title = {A Paper},",
      "  journal = jmlr,",
      "  year = 2021,",
      "  abstract = {An abstract.}",
      "}",
      "",
    ].join("\r\n");
    const [record] = parseBibtex(text, "lib.bib").records;
    expect(record!.venue).toBe("Journal of Machine Learning Research");
    expect(record!.bibtex).toBe(
      "@string{jmlr = {Journal of Machine Learning Research}}\r\n@article{key1,\r\n  title = {A Paper},\r\n  journal = jmlr,\r\n  year = 2021,\r\n  abstract = {An abstract.}\r\n}",
    );
    // Read on its own, the copy means what the original meant.
    expect(parseBibtex(record!.bibtex!, "copy.bib").records[0]!.venue).toBe("Journal of Machine Learning Research");
  });
});
