import { genericThemeName } from "../src/tasks/theme-quality.js";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { OFFLINE_WRITER } from "../src/generate/writer.js";
import { citationsIn } from "../src/ground/markers.js";
import { stripMarkers } from "../src/ground/markers.js";
import { UseLiteEmbedder } from "../src/index/embedders/use-lite.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import { parseBibtex } from "../src/ingest/parsers/bibtex.js";
import { assignCitationKeys, bibtexFor, formatReferences, personName } from "../src/tasks/related-work/bibliography.js";
import { citeKeys, escapeLatex } from "../src/tasks/related-work/render.js";
import { relatedWork, type RelatedWorkResult } from "../src/tasks/related-work/related-work.js";
import { ROOT, runCli, runCliAsync, tempDir } from "./helpers.js";
import { OFFLINE_JUDGE } from "./support/judge.js";
import { type ChatReply, type ChatRequest, startFakeOpenAI, type FakeOpenAI } from "./support/openai-server.js";
import { testPaper } from "./support/paper.js";

const TOPIC = "quantization of neural networks";
const DRAFT =
  "Serving many fine-tuned large language models is expensive because every variant must be kept in GPU memory. " +
  "We compress the weight deltas between each fine-tuned model and its base model with low-rank factorization and quantization, " +
  "so that many variants can be served concurrently while preserving downstream accuracy.";

let index: IndexSnapshot;
const embedder = new UseLiteEmbedder(1);
const offline = (query: string, options: Parameters<typeof relatedWork>[2] = {}) =>
  relatedWork(query, { index, embedder, writer: OFFLINE_WRITER, judge: OFFLINE_JUDGE }, options);
let quantization: RelatedWorkResult;
let timeSeries: RelatedWorkResult;

beforeAll(async () => {
  index = await loadIndex(inject("corpusIndex"));
  quantization = await offline(TOPIC);
  timeSeries = await offline("time series forecasting with transformers");
});
afterAll(() => embedder.close());

/** A sentence copied from an abstract, with we/our turned into the authors/their, still reads as the abstract does. */
/** "For exogenous variables, the authors …": the phrase naming what sets a paper apart must be its abstract's own. */
function copiedFrom(sentence: string, abstract: string): boolean {
  const opener = /^(?:For|As for) ([^,]+), (?=the (?:authors|work in)\b)/.exec(sentence);
  if (opener) return abstract.toLowerCase().includes(opener[1]!.toLowerCase()) && copiedFrom(sentence.slice(opener[0].length), abstract);
  const fold = (text: string) =>
    text
      .toLowerCase()
      .replace(/\bthe authors'?/g, "X")
      .replace(/\b(we|they|our|their|us|them)\b/g, "X")
      .replace(/\s+/g, " ");
  const body = fold(stripMarkers(sentence))
    .replace(/[.!?]$/, "")
    .replace(/^(x|the work in)\s+/, "");
  return fold(abstract).includes(body);
}

describe("related-work offline on the bundled corpus", () => {
  it("writes 2-5 thematic paragraphs, each citing papers, every sentence grounded", () => {
    const result = quantization;
    expect(result.answered).toBe(true);
    expect(result.generator).toBe("extractive");
    expect(result.themes.length).toBeGreaterThanOrEqual(2);
    expect(result.themes.length).toBeLessThanOrEqual(5);
    for (const theme of result.themes) {
      expect(theme.name.length).toBeGreaterThan(0);
      expect(citationsIn(theme.paragraph).length, theme.name).toBeGreaterThanOrEqual(1);
    }
    expect(result.removedCitations).toEqual([]);
    expect(result.grounding.total).toBeGreaterThanOrEqual(result.themes.length + 2);
    // Paper sentences are copied, so they are supported; what fails is a theme's lead sentence ("Work on bit
    // includes [2]…[5]" was judged misattributed, 2026-12-02: 13 of 15 supported). Theme naming is issue 16's.
    expect(result.grounding.supported / result.grounding.total).toBeGreaterThanOrEqual(0.85);
    // Each paper sentence is the paper's own sentence, in the third person.
    const paperSentences = result.grounding.sentences.filter((s) => !/^(Work on|Other work|Further work|There is)\b/.test(s.text));
    expect(paperSentences.length).toBeGreaterThanOrEqual(result.sources.length - 1);
    for (const sentence of paperSentences) {
      expect(sentence.citations, sentence.text).toHaveLength(1);
      const abstract = index.papers.get(result.sources[sentence.citations[0]! - 1]!.paperId)!.abstract;
      expect(copiedFrom(sentence.text, abstract), sentence.text).toBe(true);
    }
  });

  it("introduces a further paper of a paragraph by a phrase of its title that no other paper there contains", () => {
    const seen: string[] = [];
    for (const result of [quantization, timeSeries]) {
      for (const theme of result.themes) {
        for (const sentence of result.grounding.sentences.filter((s) => theme.paragraph.includes(stripMarkers(s.text).slice(0, 40)))) {
          const opener = /^(?:For|As for) ([^,]+), the (?:authors|work in)\b/.exec(sentence.text);
          if (!opener) continue;
          const phrase = opener[1]!.toLowerCase();
          const own = result.sources[sentence.citations[0]! - 1]!.paperId;
          seen.push(phrase);
          for (const other of theme.paperIds.filter((id) => id !== own)) {
            const paper = index.papers.get(other)!;
            expect(`${paper.title} ${paper.abstract}`.toLowerCase(), phrase).not.toContain(phrase);
          }
        }
      }
    }
    // The sample's quantization and time-series drafts have such papers ("inter-layer dependencies", "exogenous variables").
    expect(seen.length).toBeGreaterThanOrEqual(1);
  });

  it("names each theme by a phrase every paper its lead sentence cites contains", () => {
    // A theme whose papers share no phrase a researcher would use gets no lead rather than "There is work on type".
    const led = quantization.themes.filter((theme) => theme.phrase !== null);
    expect(led.length).toBeGreaterThanOrEqual(Math.ceil(quantization.themes.length / 2));
    for (const theme of led) {
      expect(genericThemeName(theme.phrase!), theme.phrase!).toBe(false);
      const lead = quantization.grounding.sentences.find(
        (s) => theme.phrase && s.text.includes(theme.phrase) && /^(Work on|Other work|Further work|There is)\b/.test(s.text),
      );
      expect(lead, theme.name).toBeDefined();
      for (const n of lead!.citations) {
        expect(index.papers.get(quantization.sources[n - 1]!.paperId)!.abstract.toLowerCase()).toContain(theme.phrase!.toLowerCase());
      }
    }
  });

  it("lists only cited papers as references, formatted by citation-js, with unique keys and matching BibTeX", () => {
    const result = quantization;
    const cited = new Set(result.grounding.sentences.flatMap((s) => s.citations));
    expect(result.references.map((r) => r.n).sort((a, b) => a - b)).toEqual([...cited].sort((a, b) => a - b));
    const keys = result.references.map((r) => r.key);
    expect(new Set(keys.map((key) => key.toLowerCase())).size).toBe(keys.length);
    for (const reference of result.references) {
      expect(reference.formatted).toContain(reference.title ?? reference.displayTitle.slice(0, 20));
      expect(result.document).toContain(`[${reference.n}] ${reference.formatted}`);
    }
    expect(result.document).toMatch(/^## Related Work\n/);
    // The footer closes the last block, after the verdict and relevance lines when there are any.
    expect(result.document.trimEnd()).toMatch(
      /\n\n(?:Verdicts: [^\n]+\n)?(?:Addresses the question: \d+\/\d+ sentences\n)?Grounded: \d+\/\d+ sentences supported$/,
    );

    const parsed = parseBibtex(result.bibtex, "related-work.bib");
    expect(parsed.skipped).toEqual([]);
    expect(parsed.records).toHaveLength(result.references.length);
    expect(parsed.records.map((record) => record.citationKey)).toEqual(keys);
    for (const [i, record] of parsed.records.entries())
      expect(record.abstract.slice(0, 40)).toBe(index.papers.get(result.references[i]!.paperId)!.abstract.slice(0, 40));
  });

  it("takes a draft abstract as the query; untitled papers get id keys and '(untitled)' titles", async () => {
    const result = await offline(DRAFT);
    expect(result.answered).toBe(true);
    // Paper sentences are copied, so they are supported; what fails is a theme's lead sentence ("Work on bit
    // includes [2]…[5]" was judged misattributed, 2026-12-02: 13 of 15 supported). Theme naming is issue 16's.
    expect(result.grounding.supported / result.grounding.total).toBeGreaterThanOrEqual(0.85);
    const untitled = result.references.find((r) => r.title === null);
    expect(untitled).toBeDefined();
    expect(untitled!.key).toBe(untitled!.paperId);
    expect(untitled!.key).toMatch(/^h-[0-9a-f]{12}$/);
    expect(untitled!.formatted).toContain("(untitled)");
  });

  it("abstains on a topic the corpus does not cover, citing nothing", async () => {
    const result = await offline("Which grape varieties are used in Champagne?");
    expect(result.answered).toBe(false);
    expect(result.document).toMatch(/^The indexed papers do not address this\./);
    expect(result.references).toEqual([]);
    expect(result.bibtex).toBe("");
    expect(result.nearest.length).toBeGreaterThan(0);
  });
});

describe("citation keys, LaTeX conversion", () => {
  const paper = testPaper;

  it("reuses user and paper keys, follows citation-js's convention otherwise (title words and year without authors), and keeps keys unique", () => {
    const papers = [
      paper({ id: "a", title: "HAWQ: Hessian AWare Quantization", displayTitle: "HAWQ" }),
      paper({ id: "b", title: "HAWQ-V2: Hessian Aware trace-Weighted Quantization", displayTitle: "HAWQ-V2" }),
      paper({ id: "c", title: "Attention Is All You Need", displayTitle: "Attention", authors: ["Ashish Vaswani"], year: 2017 }),
      paper({ id: "arxiv:2402.01376", title: "LoTR: Low Tensor Rank Weight Adaptation", displayTitle: "LoTR", arxivId: "2402.01376", year: 2024 }),
      paper({ id: "d", title: "Some Paper", displayTitle: "Some Paper", citationKey: "mine2021" }),
      paper({ id: "h-0123456789ab", displayTitle: "Derived title…", titleIsDerived: true }),
      paper({ id: "e", title: "Takes the user key", displayTitle: "x", citationKey: "userKey" }),
    ];
    const keys = assignCitationKeys(papers, [{ key: "userKey", title: null, doi: null, arxivId: "2402.01376" }]);
    expect(papers.map((p) => keys.get(p.id))).toEqual(["HawqHessian", "HawqV2", "Vaswani2017Attention", "userKey", "mine2021", "h-0123456789ab", "TakesUser"]);
  });

  it("names keep their particles and suffixes; entries get the type their venue or source says, and every known field", () => {
    expect(personName("Mart van Baalen")).toEqual({ given: "Mart", family: "Baalen", "non-dropping-particle": "van" });
    expect(personName("Christopher De Sa")).toEqual({ given: "Christopher", family: "Sa", "non-dropping-particle": "De" });
    expect(personName("John Smith Jr.")).toEqual({ given: "John", family: "Smith", suffix: "Jr." });
    expect(personName("Smith, Jr., John")).toEqual({ family: "Smith", given: "John", suffix: "Jr." });
    const bits = paper({
      id: "bits",
      title: "Bayesian Bits",
      displayTitle: "Bayesian Bits",
      authors: ["Mart van Baalen", "Christopher De Sa"],
      venue: "NeurIPS 2020",
      date: "Dec 6, 2020",
      doi: "10.5555/x",
      url: "https://proceedings.neurips.cc/x",
    });
    const lotr = paper({
      id: "lotr",
      title: "LoTR: Low Tensor Rank Weight Adaptation",
      displayTitle: "LoTR",
      authors: ["Daniel Bershatsky"],
      year: 2024,
      arxivId: "2402.01376",
      categories: ["cs.LG", "low-rank adaptation"],
    });
    const journal = paper({
      id: "j",
      title: "Long Short-Term Memory",
      displayTitle: "LSTM",
      authors: ["Sepp Hochreiter"],
      year: 1997,
      venue: "Neural Computation",
      entryType: "JOUR",
    });
    const cited = [bits, lotr, journal].map((p, i) => ({ paper: p, key: `k${i}` }));
    const bib = bibtexFor(cited);
    const first = bib.slice(0, bib.indexOf("\n}\n"));
    expect(first.startsWith("@inproceedings{k0,")).toBe(true);
    for (const field of ["booktitle = {NeurIPS 2020}", "year = {2020}", "doi = {10.5555/x}", "url = {https://proceedings.neurips.cc/x}"])
      expect(first).toContain(field);
    expect(first).not.toContain("howpublished");
    expect(bib).toContain("author = {van Baalen, Mart and De Sa, Christopher}");
    expect(bib).toMatch(
      /@misc\{k1,[^@]*eprint = \{2402\.01376\},\n {2}archiveprefix = \{arXiv\},[^@]*primaryclass = \{cs\.LG\},\n {2}keywords = \{low-rank adaptation\}/s,
    );
    expect(bib).toMatch(/@article\{k2,[^@]*journal = \{Neural Computation\}/s);
    // The reference list knows the year from the date, and the particles.
    expect(formatReferences(cited, "apa").get("bits")).toMatch(/^van Baalen, M\., & De Sa, C\. \(2020\)\. Bayesian Bits/);
  });

  it("escapes LaTeX specials in prose but keeps the abstracts' own math and escapes", () => {
    expect(escapeLatex("50% of a_b & {c} ~ d^2 costs $5")).toBe("50\\% of a\\_b \\& \\{c\\} \\textasciitilde{} d\\textasciicircum{}2 costs \\$5");
    expect(escapeLatex("by $6\\times$ and 2.8\\%")).toBe("by $6\\times$ and 2.8\\%");
    expect(citeKeys("In [1, 2], X [3][4]. Y [2-4].", (n) => `k${n}`)).toBe("In~\\cite{k1,k2}, X~\\cite{k3,k4}. Y~\\cite{k2,k3,k4}.");
  });
});

describe("citewise related-work (CLI)", () => {
  it("reuses the key of a matching --bib entry in \\cite and in the written .bib (latex)", () => {
    const dir = tempDir();
    const target = quantization.references.find((r) => r.title !== null)!;
    // Different capitalisation and braces: matched on the normalised title.
    writeFileSync(
      path.join(dir, "refs.bib"),
      `@article{smith2099unrelated, title = {Nothing in the corpus}, author = {Smith, A.}, year = 2099}\n` +
        `@inproceedings{myOwnKey:2024, title = {{${target.title!.toLowerCase()}}}, author = {Doe, Jane}, year = {2024}}\n`,
    );
    const { code, stdout, stderr } = runCli(
      ["--index", inject("corpusIndex"), "related-work", TOPIC, "--format", "latex", "--bib", "refs.bib", "--bib-out", "out.bib"],
      { cwd: dir },
    );
    expect(stderr).toContain(`wrote BibTeX of ${quantization.references.length} cited papers to ${path.join(dir, "out.bib")}`);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\\section\*\{Related Work\}/);
    expect(stdout).toMatch(/\\cite\{[^}]*myOwnKey:2024[^}]*\}/);
    expect(stdout).not.toMatch(/\[\d+\]/);
    expect(stdout).toContain("\\bibliography{out}");
    expect(stdout.trimEnd()).toMatch(/\n% Grounded: \d+\/\d+ sentences supported$/);
    const bib = readFileSync(path.join(dir, "out.bib"), "utf8");
    const records = parseBibtex(bib, "out.bib").records;
    expect(records.map((r) => r.citationKey)).toContain("myOwnKey:2024");
    // The user's entry is copied as they wrote it (their lower-case title, their type and fields), not rewritten.
    expect(bib).toContain(`@inproceedings{myOwnKey:2024, title = {{${target.title!.toLowerCase()}}}, author = {Doe, Jane}, year = {2024}}\n`);
    expect(bib).not.toContain("smith2099unrelated");
  });

  it("writes ./related-work.bib by default; --json carries the BibTeX instead of writing it; --out writes the text", () => {
    const dir = tempDir();
    const text = runCli(["--index", inject("corpusIndex"), "related-work", TOPIC, "-k", "8", "--style", "vancouver"], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^## References$/m);
    expect(text.stdout.trimEnd()).toMatch(/Grounded: \d+\/\d+ sentences supported$/);
    expect(existsSync(path.join(dir, "related-work.bib"))).toBe(true);

    const jsonDir = tempDir();
    const json = runCli(["--index", inject("corpusIndex"), "related-work", TOPIC, "-k", "8", "--json", "--out", "draft.md"], { cwd: jsonDir });
    expect(json.code).toBe(0);
    expect(existsSync(path.join(jsonDir, "related-work.bib"))).toBe(false);
    const body = JSON.parse(json.stdout);
    expect(body).toMatchObject({ query: TOPIC, answered: true, generator: "extractive", removedCitations: [], bibFile: null });
    expect(body.themes[0]).toEqual(expect.objectContaining({ name: expect.any(String), paragraph: expect.any(String), paperIds: expect.any(Array) }));
    expect(body.references[0]).toEqual(
      expect.objectContaining({ n: expect.any(Number), key: expect.any(String), paperId: expect.any(String), formatted: expect.any(String) }),
    );
    expect(parseBibtex(body.bibtex, "x.bib").records).toHaveLength(body.references.length);
    expect(body.sources.length).toBeLessThanOrEqual(8);
    expect(readFileSync(path.join(jsonDir, "draft.md"), "utf8")).toBe(body.document);
  });

  it("reports a missing --bib file, an unreadable one, and a bad --format with exit code 2", () => {
    const dir = tempDir();
    const missing = runCli(["--index", inject("corpusIndex"), "related-work", TOPIC, "--bib", "nope/refs.bib"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope/refs.bib");
    writeFileSync(path.join(dir, "broken.bib"), "@article{ok, title = {Fine}}\n\n@article{broken, title = {never closed\n");
    const broken = runCli(["--index", inject("corpusIndex"), "related-work", TOPIC, "--bib", "broken.bib"], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.bib:\d+: cannot read BibTeX/);
    const format = runCli(["--index", inject("corpusIndex"), "related-work", TOPIC, "--format", "docx"], { cwd: dir });
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--format must be one of md, latex/);
    expect(existsSync(path.join(dir, "related-work.bib"))).toBe(false);
  });
});

describe("citewise related-work with a model (local OpenAI-compatible server)", () => {
  const KEY = "sk-test-related-work-0000";
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI({ apiKey: KEY });
  });
  afterAll(() => server.close());

  const OUTLINE_SYSTEM = "You plan the related-work section";
  const numbersIn = (text: string) => [...text.matchAll(/<source n="(\d+)">/g)].map((match) => Number(match[1]));
  /**
   * The outline puts HAWQ and HAWQ-V2 (sources 1 and 2) in the first paragraph and the rest in the second; each
   * paragraph reply cites the numbers its prompt lists, the second also an invented [15].
   */
  const script = (request: ChatRequest): ChatReply => {
    const [system, user] = request.messages.map((message) => message.content);
    if (system!.includes(OUTLINE_SYSTEM)) {
      const all = numbersIn(user!);
      return {
        text: JSON.stringify({
          paragraphs: [
            { theme: "Mixed-precision quantization guided by second-order information", sources: [1, 2] },
            { theme: "Low-bit number formats for post-training quantization", sources: all.slice(2) },
          ],
        }),
      };
    }
    const own = numbersIn(user!);
    if (user!.includes("Paragraph 1 of 2."))
      return {
        text:
          `Quantization is an effective method for reducing memory footprint and inference time of neural networks [${own[1]}].\n` +
          `Mixed-precision quantization keeps more sensitive layers at higher precision [${own[0]}][${own[1]}].`,
      };
    return {
      text:
        `Post-training quantization reduces the memory footprint of LLMs by quantizing weights to low-precision datatypes [${own[own.length - 1]}]. ` +
        "It was first demonstrated on the Moon in 1850 [15].",
    };
  };

  it("outline first, then one request per paragraph with only its sources; the hallucinated [15] removed and reported", async () => {
    server.defaultChat = script;
    server.requests.length = 0;
    const dir = tempDir();
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY };
    const { code, stdout, stderr } = await runCliAsync(["--index", inject("corpusIndex"), "related-work", TOPIC, "--model", "test-chat"], { cwd: dir, env });
    expect(stderr).toContain("wrote BibTeX");
    expect(code).toBe(0);
    const prose = stdout.slice(0, stdout.indexOf("## References"));
    expect(prose).not.toContain("[15]");
    expect(stdout).toMatch(/Removed citations to sources that were not provided: \[15\] \(only \[1\]–\[\d+\] existed\)/);
    // Its only citation removed, the invented sentence is an uncited claim: flagged inline and listed.
    expect(prose).toMatch(/on the Moon in 1850\. \[uncited\]/);
    expect(stdout).toMatch(/^Flagged sentences:\n(?: {2}- .*\n(?: {4}source: .*\n)?)*? {2}- "It was first demonstrated on the Moon in 1850\." — uncited/m);
    expect(stdout.trimEnd()).toMatch(/Grounded: \d\/4 sentences supported$/);
    const requests = server.requests.filter((r) => r.path === "/chat/completions");
    expect(requests).toHaveLength(3);
    const [outline, first, second] = requests.map((request) => request.body);
    // The outline request sees every source and citewise's candidate themes with their source numbers.
    const all = numbersIn(outline.messages[1].content);
    expect(all.length).toBeGreaterThan(4);
    expect(stdout).toMatch(new RegExp(`^\\[1\\] .*\\n\\[2\\] .*\\n\\[${all.length}\\] `, "m"));
    expect(outline.messages[1].content).toContain(TOPIC);
    expect(outline.messages[1].content).toMatch(/Candidate themes \(source numbers in brackets\):\n1\. .* \[\d+(, \d+)*\]\n2\. /);
    // Each paragraph request sees only the sources the outline gave it, and its theme.
    expect(numbersIn(first.messages[1].content)).toEqual([1, 2]);
    expect(first.messages[1].content).toContain("Paragraph 1 of 2. Its theme: Mixed-precision quantization guided by second-order information");
    expect(first.messages[0].content).toContain("Cite only the source numbers listed ([1], [2])");
    expect(numbersIn(second.messages[1].content)).toEqual(all.slice(2).map((_, i) => i + 3));
    expect(second.messages[1].content).toContain("The other paragraphs cover: Mixed-precision quantization guided by second-order information");
    for (const request of requests) expect(request.body.max_tokens).toBeGreaterThan(0);
  });

  /**
   * A session answered by hand as a strong instruction-following model would (../shared/tools/manual-model-server.mjs,
   * PEFT topic): the outline as a fenced JSON block, then one paragraph per request, with "[5, 6, 7]" and a
   * marker after the full stop as models write them. The outline's numbers are those of candidates.json,
   * renumbered by title to today's prompt so the fixture survives changes in retrieval order.
   */
  it("replays a hand-answered session: the model's outline is kept, each paragraph cites only its own papers, theme sentences are supported", async () => {
    const FIXTURE = path.join(ROOT, "tests/fixtures/related-work-model");
    const read = (name: string) => readFileSync(path.join(FIXTURE, name), "utf8");
    const candidates = JSON.parse(read("candidates.json")) as Record<string, string>;
    const outline = read("outline.txt");
    const titlesOf = (user: string) => new Map([...user.matchAll(/<source n="(\d+)">\nTitle: ([^\n]+)/g)].map((match) => [match[2]!, Number(match[1])]));
    server.defaultChat = (request) => {
      const [system, user] = request.messages.map((message) => message.content);
      if (system!.includes(OUTLINE_SYSTEM)) {
        const now = titlesOf(user!);
        const renumber = (n: string) => {
          const found = now.get(candidates[n]!);
          if (found === undefined) throw new Error(`the fixture's source ${n} (${candidates[n]}) is not in today's prompt`);
          return String(found);
        };
        return { text: outline.replace(/"sources": \[([\d, ]+)\]/g, (_, list: string) => `"sources": [${list.split(/,\s*/).map(renumber).join(", ")}]`) };
      }
      return { text: read(`paragraph-${/\nParagraph (\d+) of 3\./.exec(user!)![1]}.txt`) };
    };
    server.requests.length = 0;
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY };
    const topic = "parameter-efficient fine-tuning of large language models";
    const { code, stdout, stderr } = await runCliAsync(["--index", inject("corpusIndex"), "related-work", topic, "--model", "test-chat", "--json"], {
      cwd: tempDir(),
      env,
    });
    expect(code, stderr).toBe(0);
    const body = JSON.parse(stdout);
    const planned = JSON.parse(outline.replace(/^```json\n|```\n?$/gm, "")).paragraphs as Array<{ theme: string; sources: number[] }>;
    expect(body.themes.map((theme: { name: string }) => theme.name)).toEqual(planned.map((paragraph) => paragraph.theme));
    // Each theme holds the papers the outline gave it, numbered down the draft: [1]-[4], [5]-[7], [8]-[9].
    const own = [
      [1, 2, 3, 4],
      [5, 6, 7],
      [8, 9],
    ];
    const shown = (n: number) => {
      const source = body.sources[n - 1];
      return source.title ?? `${source.displayTitle} (no title in the source; derived from the abstract's first words)`;
    };
    for (const [g, theme] of body.themes.entries()) {
      expect(theme.paperIds).toEqual(own[g]!.map((n) => body.sources[n - 1].paperId));
      expect(own[g]!.map(shown)).toEqual(planned[g]!.sources.map((n) => candidates[n]));
    }
    for (const [g, theme] of body.themes.entries()) expect([...new Set(citationsIn(theme.paragraph))].sort()).toEqual(own[g]);
    expect(body.removedCitations).toEqual([]);
    expect(body.warnings.join(" ")).not.toMatch(/not among the sources it was given|outline could not be read/);
    // Citation styles as the model wrote them are normalised: "[5, 6, 7]" and "models. [9]".
    expect(body.body).toContain("must be kept [5][6][7].");
    expect(body.body).toContain("general-purpose models [9].");
    // The theme sentences cite every paper of their paragraph and are judged against them together.
    const sentence = (citations: number[]) => body.sentences.find((s: { citations: number[] }) => s.citations.join() === citations.join());
    expect(sentence([1, 2, 3, 4]).verdict).toBe("supported");
    expect(sentence([8, 9]).verdict).toBe("supported");
    expect(body.grounded.total).toBe(12);
    expect(body.grounded.supported).toBeGreaterThanOrEqual(11);
    // One outline request with every source, one per paragraph with its own; each with max_tokens, as --json reports.
    const requests = server.requests.filter((r) => r.path === "/chat/completions");
    expect(requests).toHaveLength(4);
    expect(body.budget.requests.map((r: { prompt: string }) => r.prompt)).toEqual(["related-work-outline", "related-work", "related-work", "related-work"]);
    expect(requests.map((r) => r.body.max_tokens)).toEqual(body.budget.requests.map((r: { replyTokens: number }) => r.replyTokens));
  });

  it("--json --format latex: citations converted after validation, removed ones listed, the requests' budgets reported", async () => {
    server.defaultChat = script;
    const dir = tempDir();
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY };
    const { code, stdout } = await runCliAsync(
      ["--index", inject("corpusIndex"), "related-work", TOPIC, "--model", "test-chat", "--format", "latex", "--json"],
      { cwd: dir, env },
    );
    expect(code).toBe(0);
    const body = JSON.parse(stdout);
    expect(body.generator).toBe("openai:test-chat");
    expect(body.removedCitations).toEqual(["[15]"]);
    expect(body.references.map((r: { n: number }) => r.n)).toEqual([1, 2, body.sources.length]);
    expect(body.themes.map((t: { name: string }) => t.name)).toEqual([
      "Mixed-precision quantization guided by second-order information",
      "Low-bit number formats for post-training quantization",
    ]);
    expect(body.budget.requests.map((r: { prompt: string }) => r.prompt)).toEqual(["related-work-outline", "related-work", "related-work"]);
    const prose = body.document.slice(0, body.document.indexOf("% BibTeX"));
    expect(prose).toMatch(/\\cite\{[^}]+\}/);
    expect(prose).not.toMatch(/\[\d+\]/);
    expect(prose).toMatch(/on the Moon in 1850\. \\textbf\{\[uncited\]\}/);
    expect(body.document).toMatch(/^% {3}- "It was first demonstrated on the Moon in 1850\." — uncited/m);
    expect(body.document).toContain("% Removed citations to sources that were not provided: [15]");
    expect(body.themes.map((t: { paragraph: string }) => t.paragraph).join("\n")).toContain("\\cite{");
    expect(existsSync(path.join(dir, "related-work.bib"))).toBe(false);
  });
});
