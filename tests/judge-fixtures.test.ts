import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { type JudgeFixture, loadJudgeFixtures, scoreJudgeFixtures } from "../src/eval/judge-fixtures.js";
import { FixtureError } from "../src/eval/retrieval-fixtures.js";
import { readPapers } from "../src/index/snapshot.js";
import { ROOT, tempDir } from "./helpers.js";

const DIR = path.join(ROOT, "evals", "judge-fixtures");
const SPLITS = ["dev", "test"] as const;
const KINDS = [
  "paraphrase",
  "synthesis",
  "number-format",
  "verbatim",
  "reversed",
  "persistence",
  "misattribution",
  "wrong-role-number",
  "wrong-number",
  "pooled-citation",
  "quantifier",
  "certainty",
  "invented",
  "uncited",
  "no-claim",
];
const LABELS = ["supported", "contradicted", "not-enough-info", "misattributed", "uncited", "no-claim"];
/** Citation styles each split must exercise, and a marker each one must really contain. */
const STYLES: Record<string, RegExp> = {
  brackets: /\[\d+\]/,
  "bracket-list": /\[\d+, \d+\]/,
  "bracket-run": /\]\[/,
  ranges: /\[\d+-\d+\]/,
  "source-paren": /\(Source \d+\)/,
  "source-bracket": /\[Source \d+\]/,
  "source-prose": /Source \d+/,
  fullwidth: /【\d+】/,
  caret: /\^\d+/,
  footnote: /\[\^\d+\]/,
  "paragraph-end": /^[^[【^]*$/,
  none: /^[^[【^]*$/,
};

const split: Record<string, JudgeFixture[]> = {};
let paperIds: Set<string>;

beforeAll(async () => {
  for (const name of SPLITS) split[name] = await loadJudgeFixtures(path.join(DIR, `${name}.jsonl`));
  paperIds = new Set((await readPapers(inject("corpusIndex"))).map((paper) => paper.id));
});

const sentencesOf = (fixtures: JudgeFixture[]) => fixtures.flatMap((fixture) => fixture.sentences);
const claims = (fixtures: JudgeFixture[]) => sentencesOf(fixtures).filter((sentence) => sentence.label !== "no-claim");

describe("judge fixtures (evals/judge-fixtures)", () => {
  it("cite only papers of the index built from data/", () => {
    for (const name of SPLITS) {
      for (const fixture of split[name]!) {
        expect(fixture.sources.length, fixture.id).toBeGreaterThan(0);
        for (const id of fixture.sources) expect(paperIds.has(id), `${name} ${fixture.id}: source ${id}`).toBe(true);
        for (const sentence of fixture.sentences) {
          for (const id of [...sentence.cites, ...(sentence.better ?? [])]) expect(paperIds.has(id), `${fixture.id}: ${id}`).toBe(true);
        }
      }
    }
  });

  it("quote every sentence exactly from its answer, once per answer", () => {
    for (const fixture of [...split.dev!, ...split.test!]) {
      const texts = fixture.sentences.map((sentence) => sentence.text);
      expect(new Set(texts).size, fixture.id).toBe(texts.length);
      for (const text of texts) expect(fixture.answer.includes(text), `${fixture.id}: ${text}`).toBe(true);
    }
  });

  it("split by answer: no answer id or question in both files, about 60/40 by claim sentences", () => {
    const devIds = new Set(split.dev!.map((fixture) => fixture.id));
    const devQuestions = new Set(split.dev!.map((fixture) => fixture.question));
    for (const fixture of split.test!) {
      expect(devIds.has(fixture.id)).toBe(false);
      expect(devQuestions.has(fixture.question)).toBe(false);
    }
    const dev = claims(split.dev!).length;
    const test = claims(split.test!).length;
    expect(dev + test).toBeGreaterThanOrEqual(150);
    expect(dev / (dev + test)).toBeGreaterThan(0.5);
    expect(dev / (dev + test)).toBeLessThan(0.7);
  });

  it("mix faithful sentences and planted errors roughly 55/45", () => {
    const all = claims([...split.dev!, ...split.test!]);
    const faithful = all.filter((sentence) => sentence.label === "supported").length / all.length;
    expect(faithful).toBeGreaterThan(0.5);
    expect(faithful).toBeLessThan(0.62);
  });

  it("have every kind, label and citation style in both splits", () => {
    for (const name of SPLITS) {
      const sentences = sentencesOf(split[name]!);
      for (const kind of KINDS) expect(sentences.filter((sentence) => sentence.kind === kind).length, `${name}: ${kind}`).toBeGreaterThan(0);
      for (const label of LABELS)
        expect(
          sentences.some((sentence) => sentence.label === label),
          `${name}: ${label}`,
        ).toBe(true);
      for (const style of Object.keys(STYLES))
        expect(
          sentences.some((sentence) => sentence.style === style),
          `${name}: ${style}`,
        ).toBe(true);
      for (const sentence of sentences) expect(Object.keys(STYLES), sentence.text).toContain(sentence.style);
    }
  });

  it("tag each sentence with a style its text shows", () => {
    // No-claim lines ("Sources: [1] …", footnote definitions) may hold markers that cite nothing.
    for (const sentence of claims([...split.dev!, ...split.test!])) {
      expect(STYLES[sentence.style]!.test(sentence.text), `${sentence.style}: ${sentence.text}`).toBe(true);
    }
  });

  it("give misattributed sentences a better paper that is not all they cite", () => {
    for (const sentence of sentencesOf([...split.dev!, ...split.test!])) {
      if (sentence.label !== "misattributed") continue;
      expect(sentence.better!.length, sentence.text).toBeGreaterThan(0);
      if (sentence.kind === "misattribution") {
        for (const id of sentence.better!) expect(sentence.cites, sentence.text).not.toContain(id);
      }
      if (sentence.kind === "pooled-citation") expect(sentence.cites.length, sentence.text).toBeGreaterThan(1);
    }
  });
});

describe("loadJudgeFixtures", () => {
  const valid = {
    id: "x1",
    question: "q?",
    sources: ["p1", "p2"],
    answer: "A claim [1]. Another claim [2].",
    sentences: [{ text: "A claim [1].", label: "supported", kind: "paraphrase", cites: ["p1"], style: "brackets", note: "n" }],
  };
  const write = (lines: string[]) => {
    const file = path.join(tempDir("citewise-judge-fixtures-"), "f.jsonl");
    writeFileSync(file, lines.join("\n"));
    return file;
  };
  const bad = (change: (fixture: typeof valid) => unknown) => write([JSON.stringify(valid), JSON.stringify(change(structuredClone(valid)))]);

  it("reads a valid file", async () => {
    const fixtures = await loadJudgeFixtures(write([JSON.stringify(valid), ""]));
    expect(fixtures).toHaveLength(1);
    expect(fixtures[0]!.sentences[0]!.cites).toEqual(["p1"]);
  });

  it.each([
    ["invalid JSON", () => write([JSON.stringify(valid), "{not json"]), /f\.jsonl:2: invalid JSON/],
    [
      "text not in the answer",
      () => bad((f) => ({ ...f, sentences: [{ ...f.sentences[0], text: "Nowhere." }] })),
      /f\.jsonl:2: x1: sentence 1: "text" is not a substring/,
    ],
    ["unknown label", () => bad((f) => ({ ...f, sentences: [{ ...f.sentences[0], label: "fine" }] })), /f\.jsonl:2: .*"label" must be one of/],
    [
      "label the kind cannot have",
      () => bad((f) => ({ ...f, sentences: [{ ...f.sentences[0], kind: "reversed" }] })),
      /f\.jsonl:2: .*kind "reversed" cannot be labelled "supported"/,
    ],
    ["cites a paper outside sources", () => bad((f) => ({ ...f, sentences: [{ ...f.sentences[0], cites: ["p9"] }] })), /f\.jsonl:2: .*cites "p9"/],
    [
      "misattributed without better",
      () => bad((f) => ({ ...f, sentences: [{ ...f.sentences[0], label: "misattributed", kind: "misattribution" }] })),
      /f\.jsonl:2: .*needs "better"/,
    ],
    ["empty sources", () => bad((f) => ({ ...f, sources: [] })), /f\.jsonl:2: x1: "sources" must be a non-empty array/],
    ["duplicate id", () => write([JSON.stringify(valid), JSON.stringify(valid)]), /f\.jsonl:2: duplicate id "x1"/],
  ])("names file:line for %s", async (_name, file, message) => {
    const promise = loadJudgeFixtures(file());
    await expect(promise).rejects.toThrow(FixtureError);
    await expect(loadJudgeFixtures(file())).rejects.toThrow(message);
  });
});

describe("scoreJudgeFixtures", () => {
  const s = (label: string, kind: string, style = "brackets") => ({ label: label as never, kind, style });

  it("counts false alarms, catches, exact agreement, unparsed sentences and the confusion matrix", () => {
    const score = scoreJudgeFixtures([
      { sentence: s("supported", "paraphrase"), verdict: "supported" },
      { sentence: s("supported", "paraphrase", "fullwidth"), verdict: "contradicted" },
      { sentence: s("supported", "number-format"), verdict: "supported" },
      { sentence: s("supported", "synthesis", "caret"), verdict: null },
      { sentence: s("contradicted", "reversed"), verdict: "contradicted" },
      { sentence: s("contradicted", "wrong-number"), verdict: "not-enough-info" },
      { sentence: s("misattributed", "misattribution", "caret"), verdict: "supported" },
      { sentence: s("uncited", "uncited", "none"), verdict: null },
      { sentence: s("no-claim", "no-claim", "none"), verdict: "supported" },
    ]);
    expect(score.sentences).toBe(8);
    expect(score.faithful).toEqual({ n: 4, flagged: 2, rate: 0.5 });
    expect(score.planted).toEqual({ n: 4, caught: 2, rate: 0.5, exact: 1, exactRate: 0.25 });
    expect(score.unparsed).toBe(2);
    expect(score.byKind.paraphrase).toEqual({ n: 2, correct: 1, exact: 1 });
    expect(score.byKind["wrong-number"]).toEqual({ n: 1, correct: 1, exact: 0 });
    expect(score.byKind["no-claim"]).toBeUndefined();
    expect(score.byStyle.caret).toEqual({ n: 2, correct: 0, exact: 0 });
    expect(score.byStyle.brackets).toEqual({ n: 4, correct: 4, exact: 3 });
    expect(score.confusion.supported).toEqual({ supported: 2, contradicted: 1, "(unparsed)": 1 });
    expect(score.confusion["no-claim"]).toEqual({ supported: 1 });
  });

  it("scores a perfect judge on the real fixtures as 0% flagged and 100% caught", () => {
    const sentences = sentencesOf([...split.dev!, ...split.test!]);
    const score = scoreJudgeFixtures(sentences.map((sentence) => ({ sentence, verdict: sentence.label })));
    expect(score.faithful.rate).toBe(0);
    expect(score.planted.rate).toBe(1);
    expect(score.planted.exactRate).toBe(1);
    expect(score.unparsed).toBe(0);
    expect(score.sentences).toBe(claims([...split.dev!, ...split.test!]).length);
  });

  it("returns zero rates for no sentences", () => {
    const score = scoreJudgeFixtures([]);
    expect(score.faithful.rate).toBe(0);
    expect(score.planted.rate).toBe(0);
  });
});
