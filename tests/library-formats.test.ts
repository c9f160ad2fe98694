import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { detectFormat } from "../src/ingest/detect.js";
import { recordsToPapers } from "../src/ingest/papers.js";
import { parseInputs, parseText } from "../src/ingest/parse-files.js";
import type { RawRecord } from "../src/corpus/paper.js";
import { runCli, tempDir } from "./helpers.js";

/**
 * Library exports as Zotero, Mendeley, the arXiv API and feeds, Semantic Scholar and OpenAlex write them
 * (tests/fixtures/library, made by make.py there from the 61 papers of data/004 with generated metadata),
 * each record checked field by field against expected.jsonl, written by the same script.
 */
const DIR = path.join(import.meta.dirname, "fixtures", "library");
interface Expected {
  file: string;
  index: number;
  title: string;
  authors: string[];
  year: number | null;
  date: string | null;
  doi: string | null;
  arxivId: string | null;
  venue: string | null;
  url: string | null;
  keywords: string[];
  entryType: string | null;
  citationKey: string | null;
  hasAbstract: boolean;
  abstractStart: string | null;
}
const expected = readFileSync(path.join(DIR, "expected.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as Expected);
const FILES = [...new Set(expected.map((record) => record.file))];
const FORMAT: Record<string, string> = { ris: "ris", xml: "xml", json: "jsonl", csv: "csv" };

describe("library exports, field by field", () => {
  it("covers nine exports and several hundred records", () => {
    expect(FILES).toHaveLength(9);
    expect(expected.length).toBeGreaterThanOrEqual(250);
  });

  for (const file of FILES) {
    it(`${file}: every record, with authors, date, DOI, arXiv id, venue, URL, keywords, type and key`, () => {
      const parsed = parseInputs([path.join(DIR, file)]);
      expect(parsed.skipped).toEqual([]);
      expect(parsed.files[0]!.format).toBe(FORMAT[file.split(".").pop()!]);
      const want = expected.filter((record) => record.file === file);
      expect(parsed.records).toHaveLength(want.length);
      const text = readFileSync(path.join(DIR, file), "utf8");
      want.forEach((record, i) => {
        const paper = recordsToPapers([parsed.records[i]!]).papers[0]!;
        const at = `${file} record ${i}`;
        expect(paper.title, at).toBe(record.title);
        expect(paper.authors, at).toEqual(record.authors);
        expect(paper.year, at).toBe(record.year);
        expect(paper.date, at).toBe(record.date);
        expect(paper.doi?.toLowerCase() ?? null, at).toBe(record.doi);
        expect(paper.arxivId, at).toBe(record.arxivId);
        expect(paper.venue, at).toBe(record.venue);
        expect(paper.url ?? null, at).toBe(record.url);
        // Keywords are kept; arXiv categories and Semantic Scholar's fields of study are kept beside them.
        expect(paper.categories, at).toEqual(expect.arrayContaining(record.keywords));
        // Semantic Scholar lists several publication types ("JournalArticle, Conference"): all are kept.
        expect(paper.entryType?.split(", ")[0] ?? null, at).toBe(record.entryType);
        expect(paper.citationKey ?? null, at).toBe(citationKeyOf(record, text));
        expect(paper.abstract.length > 0, at).toBe(record.hasAbstract);
        if (record.abstractStart) expect(paper.abstract.startsWith(record.abstractStart), at).toBe(true);
        // The line points at the record in the file.
        expect(parsed.records[i]!.source.line, at).toBeGreaterThan(0);
      });
    });
  }

  it("detects each format by content too, without its extension", () => {
    for (const file of FILES) {
      const text = readFileSync(path.join(DIR, file), "utf8");
      expect(detectFormat("export", text), file).toBe(FORMAT[file.split(".").pop()!]);
    }
  });
});

/** Better BibTeX's key (Zotero writes it into "Extra") is what the user cites; else the export's own key. */
function citationKeyOf(record: Expected, text: string): string | null {
  if (record.file !== "zotero.csv" || !record.citationKey) return record.citationKey;
  const line = text.split("\n").find((row) => row.startsWith(`"${record.citationKey}"`)) ?? "";
  return /Citation Key: (\S+?)(?:"|\\n|\s)/.exec(line)?.[1] ?? record.citationKey;
}

describe("a file recognised by its extension but damaged is reported, never read as another format", () => {
  const dir = tempDir("citewise-formats-");
  const put = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it("RIS: a record without a title or abstract, a tag outside a record, text that is no RIS at all", () => {
    const result = parseText("AU  - Smith, John\nTY  - JOUR\nAU  - Doe, Jane\nPY  - 2020\nER  - \n", "x.ris", "ris");
    expect(result.records).toEqual([]);
    expect(result.skipped).toEqual([
      { file: "x.ris", line: 1, reason: '"AU" tag outside a record (records start with "TY  -")' },
      { file: "x.ris", line: 2, reason: "no abstract (AB or N2) or title (TI or T1)" },
    ]);
    const junk = parseInputs([put("notes.ris", "Title line\nSome abstract text that is long enough to look like an abstract of a paper.\n")]);
    expect(junk.records).toEqual([]);
    expect(junk.skipped.map((skip) => skip.reason)).toEqual(["no abstracts found (read as ris)"]);
  });

  it("XML: invalid XML with its line, an entity bomb refused, a document that is no feed", () => {
    const broken = parseInputs([put("feed.xml", '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><title>A</title>\n</feed>\n')]);
    expect(broken.records).toEqual([]);
    expect(broken.skipped).toHaveLength(1);
    expect(broken.skipped[0]!.reason).toMatch(/^invalid XML: /);
    expect(broken.skipped[0]!.line).toBeGreaterThan(1);
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">\n]>\n<feed><entry><title>&lol2;</title><summary>x</summary></entry></feed>\n`;
    expect(parseInputs([put("bomb.xml", bomb)]).skipped).toEqual([
      { file: path.join(dir, "bomb.xml"), line: 3, reason: "XML entity declarations (<!ENTITY>) are not read: not a feed" },
    ]);
    expect(parseInputs([put("page.xml", "<html><body>hello</body></html>\n")]).skipped[0]!.reason).toMatch(/no <entry> \(Atom\) or <item> \(RSS\)/);
  });

  it("the CLI ingests every export in one folder, merging the same papers found in several, and says so", () => {
    const folder = tempDir("citewise-library-folder-");
    for (const file of FILES) copyFileSync(path.join(DIR, file), path.join(folder, file));
    const run = runCli(["--index", path.join(folder, ".index"), "ingest", folder, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      papers: number;
      duplicatesMerged: number;
      skipped: unknown[];
      files: Array<{ format: string; records: number }>;
    };
    expect(report.skipped).toEqual([]);
    expect(report.files.map((file) => file.format).sort()).toEqual(["csv", "jsonl", "jsonl", "jsonl", "jsonl", "ris", "ris", "xml", "xml"]);
    expect(report.files.reduce((sum, file) => sum + file.records, 0)).toBe(expected.length);
    // The same 61 papers, at most, exported nine ways.
    expect(report.papers).toBeLessThanOrEqual(61);
    expect(report.duplicatesMerged).toBe(expected.length - report.papers);
  });
});

describe("papers known by their title merge only when it is surely the same paper", () => {
  const record = (title: string, abstract: string, extra: Partial<RawRecord> = {}, line = 1): RawRecord => ({
    title,
    abstract,
    source: { file: "x", line, format: "jsonl" },
    ...extra,
  });
  const TRANSFORMER = "The dominant sequence transduction models are based on complex recurrent networks.";
  const CORTEX = "We study attention in the human visual cortex with functional imaging.";
  const CORTEX_PREFIX = `${CORTEX} A second study.`;

  it("a title-only entry is filled in by one paper of that title, never by two; two abstracts never merge by title", () => {
    const first = recordsToPapers([
      record("Attention Is All You Need", "", { authors: ["Ashish Vaswani"], year: 2017 }),
      record("Attention Is All You Need", TRANSFORMER, { arxivId: "1706.03762" }, 2),
      record("Attention Is All You Need", CORTEX, {}, 3),
    ]).papers;
    expect(first.map((paper) => [paper.abstract, paper.authors, paper.arxivId])).toEqual([
      [TRANSFORMER, ["Ashish Vaswani"], "1706.03762"],
      [CORTEX, [], null],
    ]);
    // The other order: two papers of that title already, so the title-only entry cannot tell which it is.
    const second = recordsToPapers([
      record("Attention Is All You Need", TRANSFORMER),
      record("Attention Is All You Need", CORTEX),
      record("Attention Is All You Need", ""),
    ]).papers;
    expect(second.map((paper) => paper.abstract)).toEqual([TRANSFORMER, CORTEX, ""]);
  });

  it("a DOI or arXiv id that disagrees keeps same-titled entries apart (three editorials stay three)", () => {
    const papers = recordsToPapers([
      record("Editorial", "", { doi: "10.1000/ed2019", venue: "Nature" }),
      record("Editorial", "", { doi: "10.1000/ed2021", venue: "Science" }, 2),
      record("Editorial", "This issue collects work on cell biology.", { doi: "10.1000/ed2023", venue: "Cell" }, 3),
    ]).papers;
    expect(papers.map((paper) => [paper.venue, paper.doi, paper.abstract.length > 0])).toEqual([
      ["Nature", "10.1000/ed2019", false],
      ["Science", "10.1000/ed2021", false],
      ["Cell", "10.1000/ed2023", true],
    ]);
  });

  it("an id a paper had before a merge or an arXiv id stays an alias of it; an alias two papers share is nobody's", () => {
    const first = recordsToPapers([
      record("Attention Is All You Need", TRANSFORMER, {}, 1),
      record("Attention: All You Need Is It", "", { doi: "10.1000/attn" }, 2),
    ]).papers;
    expect(first.map((paper) => paper.id)).toEqual(["attention-is-all-you-need", "attention-all-you-need-is-it"]);
    // The transformer paper gains the DOI (the second entry was the same paper) and an arXiv id.
    const second = recordsToPapers(
      [
        record("Attention Is All You Need", TRANSFORMER, { doi: "10.1000/attn", arxivId: "1706.03762" }, 1),
        record("Attention: All You Need Is It", "", { doi: "10.1000/attn" }, 2),
      ],
      first,
    ).papers;
    expect(second.map((paper) => [paper.id, paper.aliases])).toEqual([["attention-is-all-you-need", ["arxiv:1706.03762", "attention-all-you-need-is-it"]]]);
    // Aliases carry over to the next version even when nothing else changes.
    const third = recordsToPapers([record("Attention Is All You Need", TRANSFORMER, { doi: "10.1000/attn", arxivId: "1706.03762" })], second).papers;
    expect(third[0]!.aliases).toEqual(["arxiv:1706.03762", "attention-all-you-need-is-it"]);
    // Never an alias that is another paper's id.
    const fourth = recordsToPapers(
      [record("Attention Is All You Need", TRANSFORMER, { arxivId: "1706.03762" }), record("Attention: All You Need Is It", CORTEX_PREFIX, {}, 5)],
      third,
    ).papers;
    expect(fourth.find((paper) => paper.abstract === TRANSFORMER)!.aliases).toEqual(["arxiv:1706.03762"]);
  });
});

describe("RIS and XML as tools really write them, and XML that is too deep", () => {
  it("reads one-space and lower-case RIS tags", () => {
    const text = "ty - JOUR\nti - One Space Tags\nab - An abstract written by a tool with one space before the dash.\nau - Doe, Jane\ner - \n";
    const { records, skipped } = parseText(text, "x.ris", "ris");
    expect(skipped).toEqual([]);
    expect(records[0]).toMatchObject({ title: "One Space Tags", authors: ["Jane Doe"], entryType: "JOUR" });
  });

  it("decodes HTML's named entities in a feed, and reads a feed whose comment mentions <!ENTITY>", () => {
    const feed = `<?xml version="1.0"?>\n<!-- no <!ENTITY> here -->\n<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><title>Caf&eacute; Na&iuml;ve &amp;eacute;</title><summary>A&nbsp;caf&eacute; &copy; &#233; &unknownname; R&amp;D.</summary></entry>\n</feed>\n`;
    const { records, skipped } = parseText(feed, "feed.xml", "xml");
    expect(skipped).toEqual([]);
    expect(records[0]).toMatchObject({ title: "Café Naïve &eacute;", abstract: "A caf\u00e9 © é &unknownname; R&D." });
    expect(records[0]!.source.line).toBe(4);
  });

  it("XML nested deeper than the parser allows is a skipped file, not a failed ingest", () => {
    const deep = `<feed><entry><title>x</title><summary>${"<b>".repeat(120)}${"</b>".repeat(120)}</summary></entry></feed>`;
    const { records, skipped } = parseText(deep, "deep.xml", "xml");
    expect(records).toEqual([]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.reason).toMatch(/^unreadable XML: /);
  });
});

describe("CSL dates as exports really write them", () => {
  it("keeps the year of a season or an impossible date, and drops what cannot be a month or day", () => {
    const item = (issued: unknown) =>
      parseText(JSON.stringify([{ type: "article-journal", title: "T", abstract: "An abstract.", issued }]), "x.json", "jsonl").records[0]!;
    expect(item({ "date-parts": [["2023", 5, 12]] })).toMatchObject({ year: 2023, date: "2023-05-12" });
    expect(item({ "date-parts": [[2023, 13, 45]] })).toMatchObject({ year: 2023 });
    expect(item({ "date-parts": [[2023, 13, 45]] }).date).toBeUndefined();
    expect(item({ "date-parts": [[99999]] }).year).toBeUndefined();
  });
});
