import type { ChatModel } from "../../llm/chat-model.js";
import { fitPassages, type RequestSpend, type ShownText } from "../../llm/budget.js";
import { renderPrompt } from "../../llm/prompts.js";
import { tokenCounter } from "../../llm/tokens.js";
import { replyTokens, settings } from "../../settings.js";
import type { ClaimJudge, EvidencePaper, JudgeOptions, Judgement, Verdict } from "../verdict.js";

const squash = (text: string) =>
  text
    .normalize("NFKC")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();

/**
 * `--judge model`: the configured model decides, and its "supported" counts only with an evidence quote found
 * word for word (spacing and quote marks aside) in a cited abstract — a model that paraphrases or invents its
 * evidence gets not-enough-info. Its "contradicted" needs a quote too. Unparseable replies are not-enough-info.
 */
export class ModelJudge implements ClaimJudge {
  readonly name: string;
  private spent: RequestSpend[] = [];

  constructor(private readonly model: ChatModel) {
    this.name = `model:${model.name}`;
  }

  takeSpending(): RequestSpend[] {
    const spent = this.spent;
    this.spent = [];
    return spent;
  }

  async judge(claim: string, cited: EvidencePaper[], _others: EvidencePaper[] = [], options: JudgeOptions = {}): Promise<Judgement> {
    if (cited.length === 0) return { verdict: "uncited", score: 0, evidence: [], better: [], reason: "a claim without a citation" };
    // Long abstracts are cut to their sentences closest to the claim (settings.ts budgets.verdict); the reply
    // is long enough for a verdict, two quoted sentences and a reason: a judge that rambles is cut off.
    const budget = settings().budgets.verdict;
    const passages = cited.map((paper, i) => ({
      sentences: paper.sentences,
      render: (shown: ShownText) => `Abstract ${i + 1}${paper.title ? ` — ${paper.title}` : ""}:\n${shown.text}`,
    }));
    const counter = await tokenCounter();
    const fitted = fitPassages(passages, budget.sourceTokens, claim, counter);
    const abstracts = fitted.map((passage) => passage.block).join("\n\n");
    const messages = await renderPrompt("verdict", { abstracts, claim });
    const maxTokens = replyTokens(budget, 0);
    this.spent.push({
      prompt: "verdict",
      promptTokens: messages.reduce((sum, message) => sum + counter.count(message.content), 0),
      sourceTokens: budget.sourceTokens,
      sourceTokensUsed: counter.count(abstracts),
      replyTokens: maxTokens,
      truncatedSources: fitted.flatMap((passage, i) => (passage.truncated && options.numbers?.[i] !== undefined ? [options.numbers[i]!] : [])),
    });
    const reply = await this.model.complete(messages, { maxTokens, temperature: 0 });
    const parsed = parseReply(reply);
    if (!parsed) return { verdict: "not-enough-info", score: 0, evidence: [], better: [], reason: "the model's verdict could not be read" };
    const haystack = squash(cited.map((paper) => [paper.title ?? "", ...paper.sentences].join(" ")).join(" "));
    const quotes = parsed.evidence.filter((quote) => quote.trim().length >= 12 && haystack.includes(squash(quote.replace(/^["']|["']$/g, ""))));
    if ((parsed.verdict === "supported" || parsed.verdict === "contradicted") && quotes.length === 0) {
      return {
        verdict: "not-enough-info",
        score: 0,
        evidence: [],
        better: [],
        reason: `the model said ${parsed.verdict} but quoted nothing found in the cited abstracts`,
      };
    }
    const score = parsed.verdict === "supported" ? 1 : 0;
    return {
      verdict: parsed.verdict,
      score,
      evidence: quotes,
      better: [],
      ...(parsed.verdict === "supported" ? {} : { reason: parsed.reason || parsed.verdict }),
    };
  }
}

function parseReply(reply: string): { verdict: Verdict; evidence: string[]; reason: string } | null {
  const json = reply.match(/\{[\s\S]*\}/)?.[0];
  if (!json) return null;
  try {
    const value = JSON.parse(json) as { verdict?: unknown; evidence?: unknown; reason?: unknown };
    const verdict = String(value.verdict ?? "")
      .toLowerCase()
      .replace(/[\s_]+/g, "-");
    if (verdict !== "supported" && verdict !== "contradicted" && verdict !== "not-enough-info") return null;
    const evidence = Array.isArray(value.evidence) ? value.evidence.map(String) : typeof value.evidence === "string" ? [value.evidence] : [];
    return { verdict, evidence, reason: typeof value.reason === "string" ? value.reason.slice(0, 200) : "" };
  } catch {
    return null;
  }
}
