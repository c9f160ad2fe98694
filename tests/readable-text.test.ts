import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readableText } from "../src/corpus/normalize.js";
import { splitSentences } from "../src/text/sentences.js";
import { DATA, FILES } from "./helpers.js";

const lines = Object.values(FILES).flatMap((file) => readFileSync(path.join(DATA, path.basename(file)), "utf8").split("\n"));
const abstracts = lines.filter((line) => line.length > 200);
const lineWith = (text: string) => abstracts.find((line) => line.includes(text))!;

describe("text as the author wrote it", () => {
  it("LaTeX in the bundled abstracts is rendered: figures, percent signs, accents, emphasis, degrees", () => {
    expect(readableText(lineWith("$6\\times$"))).toContain("6× to 8×");
    expect(readableText(lineWith("40-50\\%"))).toContain("40-50% of the tokens");
    expect(readableText(lineWith("p leq 0.01"))).toContain("(p ≤ 0.01)");
    expect(readableText(lineWith('na\\"{\\i}ve'))).toContain("naïve ensembling");
    expect(readableText(lineWith("{\\em geometrically}"))).toContain("to geometrically select");
    expect(readableText(lineWith("300{\\deg}C"))).toContain("300°C");
    expect(readableText("as shown by~\\cite{smith2020}, see Fig.~3")).toBe("as shown by, see Fig. 3");
    // A "$" that opens no formula is money, not math.
    expect(readableText("It costs $5 and $10 per run.")).toBe("It costs $5 and $10 per run.");
  });

  it("rendering is a fixed point over every bundled abstract (a paper normalised again comes out the same)", () => {
    for (const line of abstracts) {
      const once = readableText(line);
      expect(readableText(once)).toBe(once);
      expect(once).not.toMatch(/\\(times|%|em\b|textbf)/);
    }
  });

  it("structured-abstract labels leave the prose", () => {
    const text = "BACKGROUND Sleep matters. METHODS We enrolled 40 adults. RESULTS Combining the ingredients helped. Conclusions: It works.";
    expect(readableText(text)).toBe("Sleep matters. We enrolled 40 adults. Combining the ingredients helped. It works.");
    expect(readableText("RESULTS are shown in Table 2.")).toBe("RESULTS are shown in Table 2.");
  });

  it("sentences are cut at sentence ends only, and come back exactly as written", () => {
    const watermark = readableText(lineWith("OPT-1.3B, LLaMA-7B"));
    const sentences = splitSentences(watermark);
    for (const sentence of sentences) expect(watermark).toContain(sentence);
    expect(sentences.some((s) => s.includes("three language models -- OPT-1.3B, LLaMA-7B and Alpaca-7B"))).toBe(true);
    expect(splitSentences("We release v2.1.3 today. We evaluate LLaMA-2 7B. It reaches 3.5 points.")).toEqual([
      "We release v2.1.3 today.",
      "We evaluate LLaMA-2 7B.",
      "It reaches 3.5 points.",
    ]);
    // A missing space after a full stop still ends the sentence ("stability.We propose"), initials do not.
    expect(splitSentences("Methods are stable.We propose AdaBelief. Work by J. Smith and Dr. Lee helps.")).toEqual([
      "Methods are stable.",
      "We propose AdaBelief.",
      "Work by J. Smith and Dr. Lee helps.",
    ]);
  });
});
