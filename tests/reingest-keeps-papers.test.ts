import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Paper } from "../src/corpus/paper.js";
import { loadIndex } from "../src/index/snapshot.js";
import { runCli, tempDir } from "./helpers.js";
import { withFault } from "./support/fault-log.js";
import { lostPapers, paperIdsOf } from "./support/small-index.js";

/**
 * Re-ingesting a file that has gone bad never removes the papers indexed from it before: the report says
 * which papers were kept and why. Papers leave only when the user removes them (papers remove) or their
 * file is gone from a folder being ingested. Sources are keyed by their real path.
 */
let papers: Paper[];
beforeAll(async () => {
  const corpus = await loadIndex(inject("corpusIndex"));
  papers = [...corpus.papers.values()].filter((paper) => paper.title && paper.language === "en" && !/[{}"]/.test(paper.abstract + paper.title)).slice(0, 8);
});

const ingest = (dir: string, args: string[], cwd?: string) => {
  const result = runCli(["--index", path.join(dir, "index"), "ingest", ...args, "--json"], { cwd: cwd ?? dir });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
};
const ids = (dir: string) => paperIdsOf(path.join(dir, "index"));
const bibEntry = (paper: Paper, key: string) => `@article{${key},\n  title = {${paper.title}},\n  abstract = {${paper.abstract}},\n  year = {2023}\n}\n`;

describe("a file that no longer parses keeps its previous papers", () => {
  it("a stray { in one BibTeX entry: that entry's paper is kept, with the line that no longer parses", async () => {
    const dir = tempDir();
    const bib = path.join(dir, "refs.bib");
    writeFileSync(bib, [bibEntry(papers[0]!, "a"), bibEntry(papers[1]!, "b"), bibEntry(papers[2]!, "c")].join("\n"));
    ingest(dir, [bib]);
    const before = await ids(dir);
    await withFault({ category: "reingest", fault: "a stray { in one BibTeX entry", count: 1, outcome: "paper kept; report names the line" }, async () => {
      writeFileSync(bib, [bibEntry(papers[0]!, "a"), bibEntry(papers[1]!, "b").replace("title = {", "title = {{"), bibEntry(papers[2]!, "c")].join("\n"));
      const report = ingest(dir, [bib]);
      expect(report.removed).toEqual([]);
      expect(report.kept).toEqual([
        { file: "refs.bib", papers: 1, reason: expect.stringMatching(/^line \d+ no longer parses \(.*\); fix it and ingest the file again$/) },
      ]);
      const after = await ids(dir);
      expect(lostPapers(before, after)).toBe(0);
      const text = runCli(["--index", path.join(dir, "index"), "ingest", bib], { cwd: dir });
      expect(text.stdout).toMatch(/kept 1 paper\(s\) of refs\.bib from the previous ingest: line \d+ no longer parses/);
      return { dataLost: lostPapers(before, after) };
    });
  });

  it("a CSV whose abstract column was renamed: every row is kept", async () => {
    const dir = tempDir();
    const csv = path.join(dir, "papers.csv");
    const rows = papers.slice(0, 4).map((paper) => `"${paper.title}","${paper.abstract}"`);
    writeFileSync(csv, ["title,abstract", ...rows].join("\n"));
    ingest(dir, [csv]);
    const before = await ids(dir);
    await withFault({ category: "reingest", fault: "CSV abstract column renamed", count: 1, outcome: "all 4 rows kept; report says why" }, async () => {
      writeFileSync(csv, ["title,summary_text", ...rows].join("\n"));
      const report = ingest(dir, [csv]);
      expect(report.removed).toEqual([]);
      expect(report.kept[0]).toMatchObject({ file: "papers.csv", papers: 4 });
      const after = await ids(dir);
      expect(after.size).toBe(4);
      return { dataLost: lostPapers(before, after) };
    });
  });

  it("a CSV row that lost its closing quote swallows the next row: both papers are kept, the line is named", async () => {
    const dir = tempDir();
    const csv = path.join(dir, "papers.csv");
    const rows = papers.slice(0, 3).map((paper) => `"${paper.title}",2023,"${paper.abstract}"`);
    writeFileSync(csv, ["title,year,abstract", ...rows].join("\n"));
    ingest(dir, [csv]);
    const before = await ids(dir);
    await withFault(
      { category: "reingest", fault: "CSV closing quote lost: a row swallows the next", count: 1, outcome: "both papers kept; line named" },
      async () => {
        writeFileSync(csv, ["title,year,abstract", rows[0]!.replace(/"$/, ""), ...rows.slice(1)].join("\n"));
        const report = ingest(dir, [csv]);
        expect(report.removed).toEqual([]);
        expect(report.kept).toEqual([{ file: "papers.csv", papers: 2, reason: expect.stringMatching(/^line 2 no longer parses \(.*closing quote/) }]);
        const after = await ids(dir);
        expect(lostPapers(before, after)).toBe(0);
        return { dataLost: lostPapers(before, after) };
      },
    );
  });

  it("a JSONL file truncated by an interrupted download: all three papers are kept", async () => {
    const dir = tempDir();
    const jsonl = path.join(dir, "papers.jsonl");
    const text = `${papers
      .slice(0, 3)
      .map((paper) => JSON.stringify({ title: paper.title, abstract: paper.abstract }))
      .join("\n")}\n`;
    writeFileSync(jsonl, text);
    ingest(dir, [jsonl]);
    const before = await ids(dir);
    await withFault(
      {
        category: "reingest",
        fault: "JSONL truncated mid-record (interrupted download)",
        count: 2,
        outcome: "every paper kept (cut in the 1st and in the 3rd record)",
      },
      async () => {
        let lost = 0;
        for (const cut of [40, text.length - 30]) {
          writeFileSync(jsonl, text.slice(0, cut));
          const report = ingest(dir, [jsonl]);
          expect(report.removed).toEqual([]);
          lost += lostPapers(before, await ids(dir));
        }
        expect(lost).toBe(0);
        return { dataLost: lost };
      },
    );
  });

  it("--format plaintext forced on a good .bib: the two real papers stay and no junk is added", async () => {
    const dir = tempDir();
    const bib = path.join(dir, "two.bib");
    writeFileSync(bib, [bibEntry(papers[3]!, "d"), bibEntry(papers[4]!, "e")].join("\n"));
    ingest(dir, [bib]);
    const before = await ids(dir);
    await withFault(
      {
        category: "reingest",
        fault: "--format plaintext forced on a good .bib",
        count: 1,
        outcome: "2 papers kept, nothing added; report says how to re-read it another way",
      },
      async () => {
        const report = ingest(dir, [bib, "--format", "plaintext"]);
        expect(report.added).toEqual([]);
        expect(report.removed).toEqual([]);
        expect(report.kept[0].reason).toMatch(/read as bibtex before and as plaintext now, so it was not re-read/);
        const after = await ids(dir);
        expect([...after].sort()).toEqual([...before].sort());
        return { dataLost: lostPapers(before, after) };
      },
    );
  });
});

describe("sources are real paths; papers leave only when the user removes them", () => {
  it("two projects' papers.jsonl ingested from different working folders both stay", async () => {
    const dir = tempDir();
    const write = (project: string, slice: Paper[]) => {
      mkdirSync(path.join(dir, project), { recursive: true });
      writeFileSync(
        path.join(dir, project, "papers.jsonl"),
        `${slice.map((paper) => JSON.stringify({ title: paper.title, abstract: paper.abstract })).join("\n")}\n`,
      );
    };
    write("a", papers.slice(0, 2));
    write("b", papers.slice(2, 3));
    await withFault(
      {
        category: "reingest",
        fault: "papers.jsonl of two projects, each ingested from its own folder",
        count: 1,
        outcome: "both projects' papers kept (keyed by real path)",
      },
      async () => {
        ingest(dir, ["papers.jsonl"], path.join(dir, "a"));
        const before = await ids(dir);
        const report = ingest(dir, ["papers.jsonl"], path.join(dir, "b"));
        expect(report.removed).toEqual([]);
        expect(report.added).toHaveLength(1);
        const after = await ids(dir);
        expect(after.size).toBe(3);
        return { dataLost: lostPapers(before, after) };
      },
    );
  });

  it("refuses to ingest the index folder itself, and skips it inside a folder being ingested", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "one.jsonl"), `${JSON.stringify({ title: papers[0]!.title, abstract: papers[0]!.abstract })}\n`);
    ingest(dir, ["one.jsonl"]);
    await withFault(
      {
        category: "reingest",
        fault: "ingest of the index folder, of a file inside it, and of a folder containing it",
        count: 3,
        outcome: "refused (exit 2) / index folder skipped",
      },
      async () => {
        for (const target of ["index", path.join("index", "CURRENT")]) {
          const result = runCli(["--index", path.join(dir, "index"), "ingest", target], { cwd: dir });
          expect(result.code).toBe(2);
          expect(result.stderr).toMatch(/refusing to ingest .*: it is the index folder \(or inside it\)/);
        }
        const whole = ingest(dir, ["."]);
        expect(whole.files.map((file: { file: string }) => file.file)).toEqual(["one.jsonl"]);
        expect(whole.papers).toBe(1);
        return { dataLost: 1 - whole.papers };
      },
    );
  });

  it("a file gone from a folder being ingested removes its papers, with the reason; papers remove takes papers out by id or by file", async () => {
    const dir = tempDir();
    const folder = path.join(dir, "library");
    mkdirSync(folder);
    const file = (name: string, slice: Paper[]) =>
      writeFileSync(path.join(folder, name), `${slice.map((paper) => JSON.stringify({ title: paper.title, abstract: paper.abstract })).join("\n")}\n`);
    file("keep.jsonl", papers.slice(0, 2));
    file("drop.jsonl", papers.slice(2, 3));
    file("more.jsonl", papers.slice(3, 5));
    ingest(dir, ["library"]);
    await withFault(
      {
        category: "reingest",
        fault: "file deleted from an ingested folder; papers remove by id and by --source",
        count: 3,
        outcome: "only the named papers left, each with its reason; the rest kept",
      },
      async () => {
        rmSync(path.join(folder, "drop.jsonl"));
        const report = ingest(dir, ["library"]);
        expect(report.removals).toEqual([
          {
            id: expect.any(String),
            title: papers[2]!.title,
            reason: expect.stringMatching(/its file library\/drop\.jsonl is gone from the folder being ingested/),
          },
        ]);
        expect((await ids(dir)).size).toBe(4);

        const index = path.join(dir, "index");
        const fromKeep = JSON.parse(runCli(["--index", index, "papers", "list", "--source", "keep.jsonl", "--json"], { cwd: dir }).stdout) as Array<{
          id: string;
        }>;
        expect(fromKeep).toHaveLength(2);
        const byId = runCli(["--index", index, "papers", "remove", fromKeep[0]!.id.slice(0, 12), "--json"], { cwd: dir });
        expect(byId.code, byId.stderr).toBe(0);
        expect(JSON.parse(byId.stdout).removed[0].reason).toBe("removed by you (citewise papers remove)");
        const bySource = runCli(["--index", index, "papers", "remove", "--source", path.join(folder, "more.jsonl"), "--json"], { cwd: dir });
        expect(bySource.code, bySource.stderr).toBe(0);
        expect(JSON.parse(bySource.stdout).removed).toHaveLength(2);
        expect(JSON.parse(bySource.stdout).papers).toBe(1);
        const unknown = runCli(["--index", index, "papers", "remove", "--source", path.join(dir, "nowhere.bib")], { cwd: dir });
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(/no indexed paper came from/);

        // Ingesting the file again brings its papers back.
        const back = ingest(dir, [path.join(folder, "more.jsonl")]);
        expect(back.added).toHaveLength(2);
        expect(readFileSync(path.join(folder, "keep.jsonl"), "utf8")).toContain(papers[0]!.title!);
        // Left: keep.jsonl's other paper and more.jsonl's two; any fewer would be papers lost without being asked.
        const left = await ids(dir);
        expect(left.size).toBe(3);
        return { dataLost: Math.max(0, 3 - left.size) };
      },
    );
  });
});
