import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AnswerSource } from "../src/generate/generator.js";
import { LlmAnswerer } from "../src/generate/llm-answerer.js";
import { readModelText } from "../src/generate/model-text.js";
import { completeWithSources } from "../src/generate/writer.js";
import { normalizeCitations } from "../src/ground/citation-styles.js";
import { holdBackReferenceList, stripReferenceList } from "../src/ground/citations.js";
import { citationsIn, markersBeforeStop, stripMarkers } from "../src/ground/markers.js";
import { DEFAULT_MAX_TOKENS, OpenAIChat } from "../src/llm/openai-chat.js";
import { missingNumbers, numbersIn } from "../src/text/numbers.js";
import { splitSentences } from "../src/text/sentences.js";
import { type FakeOpenAI, startFakeOpenAI } from "./support/openai-server.js";
import { testPaper } from "./support/paper.js";

describe("normalizeCitations: a model's citation styles become [n] markers", () => {
  const cases: Array<[string, string]> = [
    ["LoRA adds low-rank matrices (Source 1).", "LoRA adds low-rank matrices [1]."],
    ["Both cut memory (Sources 1 and 3).", "Both cut memory [1][3]."],
    ["Both cut memory (Sources 1, 2, and 4).", "Both cut memory [1][2][4]."],
    ["It quantizes weights [Source 2].", "It quantizes weights [2]."],
    ["It quantizes weights (Ref. 2; Ref. 4).", "It quantizes weights [2][4]."],
    ["Source 2 proposes 4-bit adapters.", "[2] proposes 4-bit adapters."],
    ["As Papers 1-3 show, adapters help.", "As [1][2][3] show, adapters help."],
    ["It is fast【1】.", "It is fast[1]."],
    ["It is fast［2］.", "It is fast[2]."],
    ["It is fast [^1].", "It is fast [1]."],
    ["It is fast [ 3 ].", "It is fast [3]."],
    ["It is fast^1 and cheap^2.", "It is fast [1] and cheap [2]."],
    ["It is fast [1 and 3].", "It is fast [1][3]."],
    // A method named with a caret (DeepScholar: "GRaded Generative Retrieval (GR^2)") is not a footnote.
    ["GR^2 extends generative retrieval to multi-graded relevance [3].", "GR^2 extends generative retrieval to multi-graded relevance [3]."],
    ["LoRA^1 is cheap.", "LoRA [1] is cheap."],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      const result = normalizeCitations(input, 5);
      expect(result.text).toBe(expected);
      expect(result.notes).toEqual([]);
    });
  }

  it("keeps the marker forms the grammar already reads", () => {
    const text = "A [1, 3]. B [1][3]. C [1-3]. D [1–3]. E [1;3].";
    const result = normalizeCitations(text, 5);
    expect(result.text).toBe(text);
    expect(citationsIn(result.text)).toEqual([1, 3, 1, 3, 1, 2, 3, 1, 2, 3, 1, 3]);
  });

  it('"Source 2 proposes" no longer reads the 2 as a number of the claim', () => {
    const before = "Source 2 proposes adapters.";
    expect(numbersIn(stripMarkers(before))).toEqual(["2"]);
    const after = normalizeCitations(before, 5).text;
    expect(citationsIn(after)).toEqual([2]);
    expect(numbersIn(stripMarkers(after))).toEqual([]);
    // "[2] proposes …" starts its own sentence and keeps its marker (it is the subject, not a trailing citation).
    expect(splitSentences(markersBeforeStop(`LoRA is cheap [1]. ${after}`))).toEqual(["LoRA is cheap [1].", "[2] proposes adapters."]);
  });

  it("leaves a bare 'Source 9' of 5 sources as written and says so; a bracketed one becomes [9] for validateCitations to report", () => {
    const bare = normalizeCitations("Source 9 proposes adapters.", 5);
    expect(bare.text).toBe("Source 9 proposes adapters.");
    expect(bare.notes).toEqual(['"Source 9" names no source of the 5 provided; it was left as written']);
    expect(normalizeCitations("Adapters help (Source 9).", 5).text).toBe("Adapters help [9].");
  });

  it("notes author-year citations, letters and unreadable brackets instead of ignoring them", () => {
    const result = normalizeCitations("LoRA is cheap (Hu et al., 2021). QLoRA quantizes [a]. DoRA splits weights [1 3]. Released (May 2023) [1].", 5);
    expect(result.notes).toHaveLength(3);
    expect(result.notes[0]).toMatch(/author-year citation "\(Hu et al\., 2021\)"/);
    expect(result.notes[1]).toMatch(/"\[a\]" is not a source number/);
    expect(result.notes[2]).toMatch(/"\[1 3\]" looks like a citation/);
  });

  it("gives citations written once at the end of a paragraph to each of its sentences, with a note", () => {
    const result = normalizeCitations("LoRA adds low-rank matrices. It trains fewer weights. [1][2]\n\nQLoRA quantizes the base model [3].", 5);
    expect(result.text).toBe("LoRA adds low-rank matrices [1][2]. It trains fewer weights [1][2].\n\nQLoRA quantizes the base model [3].");
    expect(result.notes).toEqual([
      'the citations [1][2] at the end of "LoRA adds low-rank matrices." were given to each of its 2 sentences (the model cited the paragraph, not each sentence)',
    ]);
    // Cited once, inside the last sentence: the same.
    expect(normalizeCitations("LoRA adds low-rank matrices. It trains fewer weights [2].", 5).text).toBe(
      "LoRA adds low-rank matrices [2]. It trains fewer weights [2].",
    );
    // A paragraph that already cites its sentences is left alone.
    const cited = "LoRA adds matrices [1]. It trains fewer weights. [2]";
    expect(normalizeCitations(cited, 5).text).toBe(cited);
  });
});

describe("stripReferenceList: the model's own reference list is dropped", () => {
  const answer = "LoRA adds low-rank matrices [1]. QLoRA quantizes the base model [2].";
  const lists = [
    "\n\nReferences:\n[1] Hu et al. LoRA. 2021.\n[2] Dettmers et al. QLoRA. 2023.",
    "\n\n**References**\n1. Hu et al. LoRA.",
    "\n\n### Sources\n- [1] LoRA\n- [2] QLoRA",
    "\n\n**Sources:**\n[1] LoRA",
    " Sources: [1] LoRA; [2] QLoRA",
    "\n\nBibliography\nHu, E. (2021). LoRA.",
    "\n\n---\n\nWorks cited:\n[1] LoRA",
    "\n\n[^1]: Hu et al., 2021.\n[^2]: Dettmers et al., 2023.",
  ];
  for (const list of lists) {
    it(`drops ${JSON.stringify(list.trim().split("\n")[0])}`, () => {
      expect(stripReferenceList(answer + list)).toEqual({ text: answer, dropped: true });
    });
  }

  it('keeps "Sources of error …" and a reply that is nothing but a list', () => {
    const text = `${answer}\nSources of error are discussed in [2].`;
    expect(stripReferenceList(text)).toEqual({ text, dropped: false });
    expect(stripReferenceList("References:\n[1] LoRA").dropped).toBe(false);
  });
});

describe("splitSentences: Markdown and cited full stops", () => {
  it("splits before a digit after a cited full stop", () => {
    expect(splitSentences("Adapters cut memory [1]. 1-bit adapters match full fine-tuning [2].")).toEqual([
      "Adapters cut memory [1].",
      "1-bit adapters match full fine-tuning [2].",
    ]);
  });

  it("keeps list items as sentences (bullet removed) and headings and bold-only lines apart", () => {
    expect(
      splitSentences("## Overview\nLoRA adds matrices [1]. It is cheap [2].\n**Key findings:**\n- First item [2]\n- Second item [3].\n1. Third [1]."),
    ).toEqual(["## Overview", "LoRA adds matrices [1].", "It is cheap [2].", "**Key findings:**", "First item [2]", "Second item [3].", "Third [1]."]);
    // The same list run together on one line (as the grounding check joins lines).
    expect(splitSentences("LoRA is cheap [1]. 2. QLoRA quantizes [2]. - DoRA splits weights [3].")).toEqual([
      "LoRA is cheap [1].",
      "QLoRA quantizes [2].",
      "DoRA splits weights [3].",
    ]);
  });

  it("keeps abbreviations, decimals and uncited numbered prose together as before", () => {
    expect(splitSentences("Smith et al. show that p < 0.05 holds. Fig. 3 shows 0.5 gains. The method is fast.")).toEqual([
      "Smith et al. show that p < 0.05 holds.",
      "Fig. 3 shows 0.5 gains.",
      "The method is fast.",
    ]);
    expect(splitSentences("Our contributions are threefold. 1) We propose X.")).toHaveLength(1);
    // A wrapped line continues its sentence.
    expect(splitSentences("LoRA adds low-rank\nmatrices [1].")).toEqual(["LoRA adds low-rank matrices [1]."]);
  });
});

describe("numbersIn / missingNumbers: numbers compared in one canonical form", () => {
  const cases: Array<[string, string[]]> = [
    ["4.24 X, 4.24x and 4.24×", ["4.24x", "4.24x", "4.24x"]],
    ["9.5times and 9.5 times", ["9.5x", "9.5x"]],
    ["$6\\times$, 6$\\times$, 6× and 6x", ["6x", "6x", "6x", "6x"]],
    ["1.5x–3x and 1.5–3x faster", ["1.5x", "3x", "1.5x", "3x"]],
    ["12 %, 12%, 12 percent, 12\\% and 10-20%", ["12%", "12%", "12%", "12%", "10%", "20%"]],
    ["1,200 and 1 200 and 1200", ["1200", "1200", "1200"]],
    ["0.50 and 3.0", ["0.5", "3"]],
    ["in 2023, 7 models and 12 percentage points", ["2023", "7", "12"]],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => expect(numbersIn(text)).toEqual(expected));
  }

  it("finds a claim's numbers in sources that write them differently, and names the ones none states", () => {
    expect(missingNumbers("It is $6\\times$ faster and uses 12 % less memory.", ["a 6× speedup with 12 percent less memory"])).toEqual([]);
    expect(missingNumbers("It is 8x faster on 3 tasks.", ["a 6x speedup on 3 tasks"])).toEqual(["8x"]);
    // A bare number is found in any form of its value; a multiplier needs a multiplier.
    expect(missingNumbers("It uses 6 GPUs.", ["a 6x speedup"])).toEqual([]);
    expect(missingNumbers("It is 6x faster.", ["6 layers"])).toEqual(["6x"]);
  });
});

describe("readModelText: the sentence limit, Markdown in prose, cut replies", () => {
  it("enforces the sentence limit and says so", () => {
    const read = readModelText("One is cheap [1]. Two is fast [2]. Three is small [3].\n\nFour is big [1]. Five is new [2].", 5, { maxSentences: 3 });
    expect(read.text).toBe("One is cheap [1]. Two is fast [2]. Three is small [3].");
    expect(read.notes).toEqual(["the model wrote 5 sentences; the limit is 3; the rest was dropped"]);
    expect(readModelText("One is cheap [1]. Two is fast [2].", 5, { maxSentences: 3 }).notes).toEqual([]);
  });

  it("keeps list items as sentences, leaves headings out (noted) and removes bold marks", () => {
    const read = readModelText("## Overview\n**LoRA** adds matrices [1].\n\n- It trains *fewer* weights [1]\n- QLoRA quantizes [2]", 5, {
      prose: true,
      maxSentences: 5,
    });
    expect(read.text).toBe("LoRA adds matrices [1].\n\n- It trains fewer weights [1].\n- QLoRA quantizes [2].");
    expect(read.notes).toEqual(['the model wrote headings or label lines ("Overview"); an answer is plain prose, so they were left out']);
    // Joined into one line, as the grounding check reads it, the items are still three sentences.
    expect(splitSentences(read.text.replace(/\n+/g, " "))).toHaveLength(3);
  });

  it("a reply cut at its token limit is incomplete unless the cut fell after the limit or in the reference list", () => {
    expect(readModelText("LoRA adds matrices [1]. QLoRA quant", 5, { cut: true, maxSentences: 5 }).incomplete).toBe(true);
    const long = readModelText("A is cheap [1]. B is fast [2]. C is sm", 5, { cut: true, maxSentences: 2 });
    expect(long).toMatchObject({ incomplete: false, text: "A is cheap [1]. B is fast [2]." });
    expect(readModelText("A is cheap [1].\n\nReferences:\n[1] Hu et al., Lo", 5, { cut: true, maxSentences: 5 })).toMatchObject({
      incomplete: false,
      droppedReferenceList: true,
      text: "A is cheap [1].",
    });
  });
});

function source(n: number, title: string, abstract: string): AnswerSource {
  const paper = testPaper({ id: `p${n}`, title, displayTitle: title, abstract, authors: ["A. Author"], authorCount: 1, year: 2023, contentHash: "x" });
  return { n, paper, sentences: [abstract], strength: 1 };
}

const SOURCES = [
  source(1, "LoRA", "LoRA adds trainable low-rank matrices to frozen weights."),
  source(2, "QLoRA", "QLoRA quantizes the frozen base model to 4 bits."),
];

describe("through a real OpenAI-compatible server on 127.0.0.1", () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI();
    vi.stubEnv("OPENAI_BASE_URL", server.baseURL);
    vi.stubEnv("OPENAI_API_KEY", "sk-test");
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server.close();
  });
  const chat = () => new OpenAIChat({ model: "test-chat", maxRetries: 0 });
  const lastBody = () => server.requests.filter((r) => r.path === "/chat/completions").at(-1)!.body;
  const ANSWER = "LoRA adds low-rank matrices (Source 1). QLoRA quantizes the base model to 4 bits [2].";
  const request = (onToken?: (token: string) => void) => ({ question: "How do adapters save memory?", sources: SOURCES, maxSentences: 4, onToken });

  const tails = [
    "\n\nReferences:\n[1] Hu et al. LoRA. 2021.\n[2] Dettmers et al. QLoRA. 2023.",
    "\n\n**References**\n1. Hu et al. LoRA.",
    "\n### Sources\n- [1] LoRA",
    " Sources: [1] LoRA; [2] QLoRA",
    "\n\n[^1]: Hu et al., 2021.",
  ];
  for (const tail of tails) {
    for (const chunkSize of [1, 4, 9]) {
      it(`--stream never shows ${JSON.stringify(tail.trim().split("\n")[0])} (chunks of ${chunkSize})`, async () => {
        server.defaultChat = () => ({ text: ANSWER + tail, chunkSize });
        let shown = "";
        const reply = await new LlmAnswerer(chat()).reply(request((token) => (shown += token)));
        expect(shown.trimEnd()).toBe(ANSWER);
        expect(reply).toMatchObject({ text: "LoRA adds low-rank matrices [1]. QLoRA quantizes the base model to 4 bits [2].", droppedReferenceList: true });
        expect(lastBody().stream).toBe(true);
      });
    }
  }

  it("answer() hands the dropped list back after the read text, for ask.ts to drop and report itself", async () => {
    server.defaultChat = () => ({ text: `${ANSWER}\n\nReferences:\n[1] Hu et al. LoRA.` });
    const text = await new LlmAnswerer(chat()).answer(request());
    expect(stripReferenceList(text)).toEqual({ text: "LoRA adds low-rank matrices [1]. QLoRA quantizes the base model to 4 bits [2].", dropped: true });
  });

  it("--stream shows a line that only starts like a heading once it is clearly prose", async () => {
    const text = `${ANSWER}\nSources of error are discussed in [2].`;
    server.defaultChat = () => ({ text, chunkSize: 2 });
    let shown = "";
    const reply = await new LlmAnswerer(chat()).reply(request((token) => (shown += token)));
    expect(shown).toBe(text);
    expect(reply.droppedReferenceList).toBe(false);
  });

  it("the answer request sets max_tokens from the sentence limit; the default applies elsewhere", async () => {
    server.defaultChat = () => ({ text: ANSWER });
    const reply = await new LlmAnswerer(chat()).reply(request());
    expect(lastBody().max_tokens).toBe(4 * 60 + 100);
    expect(lastBody().stream).toBeFalsy();
    expect(reply.text).toBe("LoRA adds low-rank matrices [1]. QLoRA quantizes the base model to 4 bits [2].");
    await chat().complete([{ role: "user", content: "hi" }]);
    expect(lastBody().max_tokens).toBe(DEFAULT_MAX_TOKENS);
  });

  it("task replies set a max_tokens sized to the task, and are read like answers", async () => {
    server.defaultChat = () => ({ text: "## Adapters\nLoRA adds matrices [Source 1]. QLoRA quantizes [2].\n\nReferences:\n[1] LoRA" });
    const spec = { prompt: "summarize", budget: "summarize", request: "adapters", replyUnits: SOURCES.length } as const;
    const reply = await completeWithSources(chat(), spec, { topic: "adapters", outline: "1. Adapters [1], [2]" }, SOURCES);
    expect(lastBody().max_tokens).toBe(400 + 150 * SOURCES.length);
    expect(reply).toMatchObject({ text: "## Adapters\nLoRA adds matrices [1]. QLoRA quantizes [2].", droppedReferenceList: true, notes: [] });
  });

  it("a reply cut at max_tokens before the limit is an error; past the limit it is kept and the rest noted", async () => {
    server.defaultChat = () => ({ text: "LoRA adds low-rank matrices [1]. QLoRA quant", finishReason: "length" });
    await expect(new LlmAnswerer(chat()).reply(request())).rejects.toThrow(/stopped at the output token limit \(340 tokens.*incomplete/);
    server.defaultChat = () => ({ text: "A is cheap [1]. B is fast [2]. C is small [1]. D is new [2]. E is ol", finishReason: "length" });
    const reply = await new LlmAnswerer(chat()).reply(request());
    expect(reply.text).toBe("A is cheap [1]. B is fast [2]. C is small [1]. D is new [2].");
    expect(reply.notes).toEqual([]);
    server.defaultChat = () => ({ text: "A is cheap [1]. B is fast [2]. C is small [1]. D is new [2]. E is old [1]. F", finishReason: "length" });
    expect((await new LlmAnswerer(chat()).reply(request())).notes).toEqual(["the model wrote 5 sentences; the limit is 4; the rest was dropped"]);
  });
});

describe("holdBackReferenceList", () => {
  it("passes prose on as it arrives and holds only what may start a heading", () => {
    const shown: string[] = [];
    const screen = holdBackReferenceList((text) => shown.push(text));
    screen.write("LoRA is cheap [1].\nRef");
    expect(shown.join("")).toBe("LoRA is cheap [1].\n");
    screen.write("erences to LoRA abound [1].");
    expect(shown.join("")).toBe("LoRA is cheap [1].\nReferences to LoRA abound [1].");
    screen.write("\n**Refer");
    screen.write("ences**\n[1] Hu et al.");
    screen.end();
    expect(shown.join("")).toBe("LoRA is cheap [1].\nReferences to LoRA abound [1].\n");
  });
});
