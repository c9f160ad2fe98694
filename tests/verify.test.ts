import { createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERDICTS, type ClaimJudge, type EvidencePaper } from "../src/ground/verdict.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import { detectFormat, parseDraft } from "../src/tasks/verify/parse-draft.js";
import { verifyDraft } from "../src/tasks/verify/verify.js";
import { FILES, ROOT, runCli, tempDir } from "./helpers.js";
import { buildSmallIndex } from "./support/small-index.js";

const FIXTURES = path.join(ROOT, "tests/fixtures/verify");
const fixture = (name: string) => path.join(FIXTURES, name);
const BIB = fixture("refs.bib");

/** Ids of the indexed copies of papers from data/ (tests/fixtures/verify/papers.jsonl adds arXiv id / DOI). */
const LOTR = "arxiv:2402.01376";
const KORNIA = "kornia-an-open-source-differentiable-computer-vision-library";
const KORNIA_SURVEY = "a-survey-on-kornia-an-open-source-differentiable-computer";
const TPA = "tensor-product-attention-is-all-you-need";
const LOTR_SENTENCE = "Widely used LoRA-like methods of fine-tuning LLMs are based on matrix factorization of gradient update";

interface VerifyJson {
  file: string | null;
  format: string;
  passed: boolean;
  sentences: Array<{ text: string; line: number; citations: string[]; verdict: string; evidence: string[]; better: string[] }>;
  counts: Record<string, number>;
  unresolved: Array<{ key: string; line: number; reason: string }>;
}

let indexDir: string;
const verify = (args: string[], input?: string) => runCli(["--index", indexDir, "verify", ...args], { input });
const verifyJson = (args: string[], input?: string) => {
  const result = verify([...args, "--json"], input);
  return { ...result, json: JSON.parse(result.stdout) as VerifyJson };
};
const sentenceAt = (json: VerifyJson, line: number) => json.sentences.filter((sentence) => sentence.line === line);

beforeAll(async () => {
  indexDir = path.join(tempDir("citewise-verify-"), "index");
  await buildSmallIndex(indexDir, [FILES.plain, "tests/fixtures/verify/papers.jsonl"]);
});

describe("parseDraft: structure and citation styles", () => {
  it("Markdown: front matter, headings, code, comments and lists are handled per item, with line numbers", () => {
    const draft = parseDraft(readFileSync(fixture("draft.md"), "utf8"), "markdown");
    const texts = draft.sentences.map((sentence) => sentence.text);
    // Neither the front matter, nor the headings (ATX and setext), the HTML comment or the code block is prose.
    expect(texts).not.toContain("Tensor methods for efficient models");
    expect(texts.join(" ")).not.toMatch(/Attention and caches|Setext|hiddenkey|codekey|bibliography:/);
    const keysOf = (line: number) => draft.sentences.filter((s) => s.line === line).flatMap((s) => s.citations.map((c) => c.key));
    // A sentence wrapped over two lines starts on the first; the second one starts on its own line.
    expect(keysOf(10)).toEqual(["lotr2024"]);
    expect(keysOf(11)).toEqual(["riba2020kornia", "tpa2025"]);
    // Each list item is its own block: the items do not run into one sentence.
    expect(keysOf(16)).toEqual(["tpa2025"]);
    expect(keysOf(17)).toEqual(["nosuchkey"]);
    expect(draft.sentences.find((s) => s.line === 18)?.citations).toEqual([]);
    expect(draft.sentences.find((s) => s.line === 29)?.citations).toEqual([{ kind: "id", key: LOTR, line: 29 }]);
    // The roadmap sentence and the question are sentences, but not claims.
    expect(draft.sentences.find((s) => s.text.startsWith("In this section"))?.claim).toBe(false);
    expect(draft.sentences.find((s) => s.text.startsWith("Does a question"))?.claim).toBe(false);
    expect(draft.sentences.find((s) => s.line === 18)?.claim).toBe(true);
  });

  it("LaTeX: preamble, % comments, \\section, itemize \\item and equations; \\% is a percent sign", () => {
    const draft = parseDraft(readFileSync(fixture("draft.tex"), "utf8"), "latex");
    const all = draft.sentences.flatMap((sentence) => sentence.citations.map((citation) => citation.key));
    expect(all).toEqual(["lotr2024", "riba2020kornia", "tpa2025", "missing2020", "riba2020kornia"]);
    expect(draft.sentences.map((s) => [s.line, s.claim])).toEqual([
      [6, true],
      [7, false],
      [9, true],
      [11, true],
      [12, true],
      [17, true],
    ]);
    // \citet opening a sentence stays with it (it is the subject), not with the sentence before.
    expect(draft.sentences[2]!.claimText).toBe("present an open source library of differentiable routines.");
    expect(draft.sentences[5]!.text).toBe("Accuracy of around 90% is reported for autoencoders that halve the sequence length.");
    expect(draft.sentences.map((s) => s.text).join(" ")).not.toMatch(/Introduction|Libraries|itemize|equation/);
  });

  it("a numbered reference list: under a References heading (wrapped entries joined), or a run of [n] lines ending the draft", () => {
    const draft = parseDraft(readFileSync(fixture("draft-numbered.md"), "utf8"), "markdown");
    expect(draft.references.map((entry) => [entry.label, entry.line])).toEqual([
      ["1", 9],
      ["2", 10],
      ["3", 12],
      ["5", 13],
    ]);
    expect(draft.references[1]!.text).toContain("computer vision library for PyTorch");
    const trailing = parseDraft("Tensors compress models well [1]. Claims go on [2].\n\n[1] Deep Tensor Network.\n[2] Another paper title here.\n", "markdown");
    expect(trailing.references.map((entry) => entry.label)).toEqual(["1", "2"]);
    expect(trailing.sentences.map((s) => s.text)).toEqual(["Tensors compress models well [1].", "Claims go on [2]."]);
    // A marker after the full stop belongs to the sentence before it.
    const after = parseDraft("Tensors compress models well. [1] Claims go on without one.\n", "markdown");
    expect(after.sentences.map((s) => s.citations.map((c) => c.key))).toEqual([["1"], []]);
    const subject = parseDraft("Tensors compress models well. [2] proposes a tensor format for this.\n", "markdown");
    expect(subject.sentences.map((s) => s.citations.map((c) => c.key))).toEqual([[], ["2"]]);
  });

  it("format auto: by extension, else by content", () => {
    expect(detectFormat("paper.tex", "")).toBe("latex");
    expect(detectFormat("notes.md", "\\section{x}")).toBe("markdown");
    expect(detectFormat(null, "Intro text \\citep{a}.")).toBe("latex");
    expect(detectFormat(null, "# Title\n\nText [@a].")).toBe("markdown");
  });
});

describe("verify against a temporary index of papers from data/", () => {
  it("resolves Pandoc keys via --bib by arXiv id, DOI and title, and bracketed paper ids; lists unresolved keys with lines", () => {
    const { code, json } = verifyJson([fixture("draft.md"), "--bib", BIB]);
    expect(code).toBe(3);
    expect(json.format).toBe("markdown");
    expect(sentenceAt(json, 10)[0]!.citations).toEqual([LOTR]); // arXiv id (the .bib title differs)
    expect(sentenceAt(json, 11)[0]!.citations).toEqual([KORNIA, TPA]); // DOI, then title
    expect(sentenceAt(json, 16)[0]!.citations).toEqual([TPA]);
    expect(sentenceAt(json, 29)[0]!.citations).toEqual([LOTR]);
    expect(json.unresolved.map((entry) => [entry.key, entry.line])).toEqual([
      ["nosuchkey", 17],
      ["no-such-paper-id", 30],
    ]);
    // A sentence citing only unresolved keys is not called uncited; an uncited one is.
    expect(sentenceAt(json, 17)[0]!.verdict).not.toBe("uncited");
    expect(sentenceAt(json, 17)[0]!.citations).toEqual([]);
    expect(sentenceAt(json, 18)[0]!.verdict).toBe("uncited");
    // Copied verbatim from the cited abstract.
    expect(sentenceAt(json, 10)[0]!.verdict).toBe("supported");
    // Headings, the roadmap sentence, the comment, the code block and the question are not listed.
    expect(json.sentences.map((sentence) => sentence.line)).toEqual([10, 11, 16, 17, 18, 29, 30]);
  });

  it("resolves LaTeX \\cite / \\citep / \\citet keys via --bib; commented-out and math citations are ignored", () => {
    const { code, json } = verifyJson([fixture("draft.tex"), "--bib", BIB]);
    expect(code).toBe(3);
    expect(json.format).toBe("latex");
    expect(json.sentences.map((sentence) => [sentence.line, sentence.citations])).toEqual([
      [6, [LOTR]],
      [9, [KORNIA]],
      [11, [TPA]],
      [12, [KORNIA]],
      [17, []],
    ]);
    expect(json.sentences[0]!.verdict).toBe("supported");
    expect(json.sentences[4]!.verdict).toBe("uncited");
    expect(json.unresolved.map((entry) => [entry.key, entry.line])).toEqual([["missing2020", 11]]);
    expect(json.unresolved[0]!.reason).toMatch(/matches no indexed paper/);
  });

  it("matches a numbered reference list to indexed papers by arXiv id and by the longest title an entry contains", () => {
    const { code, json } = verifyJson([fixture("draft-numbered.md")]);
    expect(code).toBe(3);
    expect(json.sentences.map((sentence) => sentence.citations)).toEqual([[LOTR], [KORNIA], [KORNIA_SURVEY], [], []]);
    expect(json.sentences[0]!.verdict).toBe("supported");
    expect(json.unresolved.map((entry) => [entry.key, entry.line])).toEqual([
      ["[4]", 5],
      ["[5]", 5],
    ]);
  });

  it("human output marks each problem, lists unresolved keys with lines and ends with the verdict counts", () => {
    const { code, stdout } = verify([fixture("draft.md"), "--bib", BIB]);
    expect(code).toBe(3);
    expect(stdout).toContain(`${fixture("draft.md")}:18 uncited\n  Key-value caches are what dominates the memory of long-context inference.`);
    expect(stdout).toContain("unresolved citation keys: nosuchkey (line 17), no-such-paper-id (line 30)");
    // Supported claims are counted, not shown.
    expect(stdout).not.toContain(`${fixture("draft.md")}:10 `);
    const footer = stdout.trim().split("\n").at(-1)!;
    expect(footer).toMatch(new RegExp(`^Verdicts: ${VERDICTS.map((verdict) => `\\d+ ${verdict}`).join(", ")} \\(7 claims\\)$`));
  });

  it("--json prints sentences with text, resolved citations, verdict, evidence and better, plus counts of every verdict", () => {
    const { json } = verifyJson([fixture("draft.md"), "--bib", BIB]);
    for (const sentence of json.sentences) {
      expect(Object.keys(sentence)).toEqual(expect.arrayContaining(["text", "citations", "verdict", "evidence", "better"]));
      expect(VERDICTS).toContain(sentence.verdict);
      expect(Array.isArray(sentence.evidence) && Array.isArray(sentence.better)).toBe(true);
    }
    expect(Object.keys(json.counts).sort()).toEqual([...VERDICTS].sort());
    expect(Object.values(json.counts).reduce((a, b) => a + b, 0)).toBe(json.sentences.length);
    expect(json.counts.uncited).toBe(json.sentences.filter((sentence) => sentence.verdict === "uncited").length);
  });

  it("exits 0 when every claim is supported", () => {
    const { code, stdout } = verify([fixture("supported.md")]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Verdicts: 1 supported, 0 contradicted/m);
  });

  it("reads the draft from stdin with - and when no file is given, detecting LaTeX by content", () => {
    const tex = readFileSync(fixture("draft.tex"), "utf8");
    const dash = verifyJson(["-", "--bib", BIB], tex);
    expect(dash.code).toBe(3);
    expect(dash.json.file).toBeNull();
    expect(dash.json.format).toBe("latex");
    expect(dash.json.sentences[0]!.citations).toEqual([LOTR]);
    const piped = verifyJson([], `# Notes\n\n${LOTR_SENTENCE} [@${LOTR}].\n`);
    expect(piped.code).toBe(0);
    expect(piped.json.sentences.map((sentence) => sentence.citations)).toEqual([[LOTR]]);
  });

  it("never writes the --bib file", () => {
    const before = { hash: createHash("sha256").update(readFileSync(BIB)).digest("hex"), mtime: statSync(BIB).mtimeMs };
    verify([fixture("draft.tex"), "--bib", BIB]);
    verify([fixture("draft.md"), "--bib", BIB, "--json"]);
    expect({ hash: createHash("sha256").update(readFileSync(BIB)).digest("hex"), mtime: statSync(BIB).mtimeMs }).toEqual(before);
  });

  it("exits 2 with a one-line message for user errors", () => {
    const dir = tempDir("citewise-verify-errors-");
    const unclosed = path.join(dir, "unclosed.md");
    writeFileSync(unclosed, "# Title\n\nSome text.\n\n```python\nprint(1)\n");
    const badBib = path.join(dir, "bad.bib");
    writeFileSync(badBib, "no entries here\n");
    const cases: Array<[string[], RegExp, string?]> = [
      [[path.join(dir, "missing.md")], /draft .*missing\.md: no such file/],
      [[fixture("draft.md"), "--bib", path.join(dir, "missing.bib")], /--bib file not found/],
      [[fixture("draft.md"), "--bib", badBib], /bad\.bib: no BibTeX entries found/],
      [[unclosed], /unclosed\.md:5: code fence ``` is never closed/],
      [[fixture("draft.md"), "--format", "docx"], /--format must be one of markdown, latex, auto/],
      [[fixture("draft.md"), "--judge", "model"], /--judge model needs a model server/],
      [[fixture("draft.md"), "--model", "llama3"], /--model is for --judge model/],
      [["-"], /the draft on stdin is empty/, "  \n"],
    ];
    for (const [args, message, input] of cases) {
      const { code, stderr } = verify(args, input);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr, args.join(" ")).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe("verifyDraft hands the judge the papers it could have cited", () => {
  let index: IndexSnapshot;
  beforeAll(async () => {
    index = await loadIndex(indexDir);
  });
  afterAll(() => index.close());

  it("others = retrieved papers plus the draft's other citations, never the cited ones; misattributed carries better", async () => {
    const calls: Array<{ claim: string; cited: string[]; others: string[] }> = [];
    const judge: ClaimJudge = {
      name: "stub",
      async judge(claim: string, cited: EvidencePaper[], others: EvidencePaper[] = []) {
        calls.push({ claim, cited: cited.map((paper) => paper.id), others: others.map((paper) => paper.id) });
        return { verdict: "misattributed", score: 0.1, evidence: [], better: others.slice(0, 1).map((paper) => paper.id) };
      },
    };
    const text = `Kornia is an open source differentiable computer vision library [@${KORNIA}]. ${LOTR_SENTENCE} [@${KORNIA}].\n`;
    const result = await verifyDraft({ text, name: "draft.md", format: "auto", bib: null }, { index, embedder: null, judge });
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.cited).toEqual([KORNIA]);
      expect(call.others).not.toContain(KORNIA);
      expect(call.others.length).toBeGreaterThan(0);
      expect(call.others.length).toBeLessThanOrEqual(10);
    }
    // The LoTR sentence retrieves LoTR, which is what a judge should name instead.
    expect(calls[1]!.others).toContain(LOTR);
    expect(calls[1]!.claim).toBe(`${LOTR_SENTENCE}.`);
    expect(result.counts.misattributed).toBe(2);
    expect(result.passed).toBe(false);
    expect(result.sentences[1]!.better).toEqual([calls[1]!.others[0]]);
  });
});
