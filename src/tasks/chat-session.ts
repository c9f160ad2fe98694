import { usableField } from "../generate/injection.js";
import { type BudgetReport, budgetReport, fitPassages, mergeBudgets, type RequestSpend, type ShownText } from "../llm/budget.js";
import type { ChatMessage } from "../llm/chat-model.js";
import { renderPrompt } from "../llm/prompts.js";
import { tokenCounter } from "../llm/tokens.js";
import { replyTokens, settings } from "../settings.js";
import { splitSentences } from "../text/sentences.js";
import { NAME_LIKE } from "../text/names.js";
import { keywordTerms } from "../text/tokenize.js";
import { type AskOptions, type AskResult, ask } from "./ask.js";
import type { TaskContext } from "./core/context.js";

/** What a turn was about: its subject ("LoTR", "neural collapse") and the short names of the papers it cited. */
export interface Topic {
  subject: string;
  papers: string;
}

export interface ChatTurn {
  question: string;
  /** The question as sent to retrieval, after follow-up rewriting. */
  standalone: string;
  /** What the turn was about, for the next follow-up. */
  topic: Topic;
  result: AskResult;
}

const REFERS_BACK =
  /\b(it|its|they|them|their|this|that|these|those|the (paper|papers|method|approach|model|first|second|third|last|same)|above|former|latter|such)\b/i;

/**
 * A conversation: each follow-up is rewritten into a standalone question before retrieval, by the
 * chat model when there is one, otherwise by carrying over the previous question's topic.
 */
export class ChatSession {
  readonly turns: ChatTurn[] = [];

  constructor(
    private readonly context: Omit<TaskContext, "onToken">,
    private readonly options: AskOptions = {},
  ) {}

  paper(id: string) {
    const paper = this.context.index.papers.get(id);
    if (!paper) throw new Error(`paper ${id} is not in the index`);
    return paper;
  }

  get last(): ChatTurn | undefined {
    return this.turns[this.turns.length - 1];
  }

  /** The follow-up as a standalone question, and the budget of the model request that rewrote it (null offline). */
  async rewrite(question: string): Promise<{ standalone: string; budget: BudgetReport | null }> {
    const previous = this.last;
    if (!previous) return { standalone: question, budget: null };
    const chat = this.context.writer.chat;
    if (!chat) return { standalone: rewriteOffline(question, previous.topic), budget: null };
    const { messages, maxTokens, budget } = await rewritePrompt(this.turns, question);
    const rewritten = (await chat.complete(messages, { maxTokens, temperature: 0 })).trim().split("\n")[0]!.trim();
    return { standalone: rewritten || question, budget };
  }

  async ask(question: string, onToken?: (token: string) => void): Promise<ChatTurn> {
    const rewrite = await this.rewrite(question);
    const standalone = rewrite.standalone;
    const answered = await ask(standalone, { ...this.context, onToken }, this.options);
    // The turn's budget covers both of its requests: the rewrite's and the answer's.
    const result = { ...answered, budget: mergeBudgets([rewrite.budget, answered.budget]) };
    const abstractOf = (id: string) => this.context.index.papers.get(id)?.abstract ?? "";
    const topic = topicOf(result, standalone, standalone !== question ? this.last?.topic : undefined, abstractOf);
    const turn = { question, standalone, topic, result: { ...result, input: question } };
    this.turns.push(turn);
    return turn;
  }
}

/**
 * The rewrite request: the last turns (the oldest dropped first, answers cut to their sentences most relevant
 * to the follow-up when over the budget) and the numbered titles of every source of the last answer, so
 * "what does source 2 propose?" can be resolved.
 */
async function rewritePrompt(turns: ChatTurn[], question: string): Promise<{ messages: ChatMessage[]; maxTokens: number; budget: BudgetReport }> {
  const budget = settings().budgets.rewrite;
  const counter = await tokenCounter();
  const last = turns[turns.length - 1]!;
  const sources = last.result.sources.map((source) => `[${source.n}] ${usableField(source.title ?? source.displayTitle, "title")}`).join("\n") || "(none)";
  const recent = turns.slice(-HISTORY_TURNS);
  const passages = recent.map((turn) => ({
    sentences: splitSentences(turn.result.text),
    render: (shown: ShownText) => `User: ${turn.question}\nAssistant: ${shown.text}`,
  }));
  const fitted = fitPassages(passages, Math.max(0, budget.sourceTokens - counter.count(sources)), question, counter);
  const history = fitted.map((passage) => passage.block).join("\n");
  const messages = await renderPrompt("rewrite-question", { history, sources, question });
  const maxTokens = replyTokens(budget, 0);
  const spend: RequestSpend = {
    prompt: "rewrite-question",
    promptTokens: messages.reduce((sum, message) => sum + counter.count(message.content), 0),
    sourceTokens: budget.sourceTokens,
    sourceTokensUsed: counter.count(`${history}\n${sources}`),
    replyTokens: maxTokens,
    // History is not numbered sources: nothing of the last answer's sources is cut.
    truncatedSources: [],
  };
  return { messages, maxTokens, budget: budgetReport(counter.name, [spend]) };
}

/** Turns of history a rewrite sees. */
const HISTORY_TURNS = 3;

/** Words that point back at the previous turn, and what replaces each ("its" → "LoTR's"); plural ones mean its papers. */
const POINTERS: Array<{ pointer: RegExp; plural: boolean; as: (name: string) => string }> = [
  { pointer: /\b(their)\b/i, plural: true, as: (name) => `${name}'s` },
  { pointer: /\b(its)\b/i, plural: false, as: (name) => `${name}'s` },
  { pointer: /\b(these|those|the) (papers|methods|approaches|models|works|techniques|systems|ones)\b/i, plural: true, as: (name) => name },
  { pointer: /\b(this|that|the) (paper|method|approach|model|work|technique|system|one)\b/i, plural: false, as: (name) => name },
  { pointer: /\b(they|them|these|those)\b/i, plural: true, as: (name) => name },
  { pointer: /\b(it|this|that)\b/i, plural: false, as: (name) => name },
];

/**
 * A follow-up that points back ("what are its limitations?") gets the previous turn's subject in place of the
 * pointer ("what are LoTR's limitations?"), "they"/"these papers" its cited papers; one that says too little on
 * its own ("and the speedup?") gets the subject beside it. Never the history strung together.
 */
export function rewriteOffline(question: string, topic: Topic): string {
  if (!topic.subject && !topic.papers) return question;
  if (REFERS_BACK.test(question)) {
    for (const { pointer, plural, as } of POINTERS) {
      const name = plural ? topic.papers || topic.subject : topic.subject || topic.papers;
      if (pointer.test(question)) return question.replace(pointer, as(name));
    }
  }
  // Two content words of its own ("What is neural collapse?"), or one in a question of its own ("Which papers
  // propose new optimizers?"), stand alone; "and the speedup?" or "what about the speedup?" does not.
  const own = keywordTerms(question).length;
  if (own >= 2 || (own === 1 && OWN_QUESTION.test(question))) return question;
  return `${question.replace(/\s*\?*\s*$/, "")} (${topic.subject || topic.papers})?`;
}

const OWN_QUESTION = /^(?!(?:what|how) about\b)(?:what|which|how|why|where|when|who|is|are|does|do|can|list|name|find)\b/i;

/** At most this many papers name a turn's topic: a follow-up about "them" means the few the answer was about. */
const TOPIC_PAPERS = 3;

/**
 * What a turn was about. Its subject: the names the question used that its cited papers use too ("DeltaZip",
 * "LoTR and QuanTA"), else the subject a rewritten follow-up carried, else what the question asked about
 * ("What is neural collapse?" → "neural collapse"). Its papers: the cited papers' short names.
 */
function topicOf(result: AskResult, standalone: string, carried: Topic | undefined, abstractOf: (id: string) => string): Topic {
  const cited = result.references.slice(0, TOPIC_PAPERS);
  const papers = [...new Set(cited.map((reference) => shortName(reference.title)).filter((name): name is string => name !== null))].join(" and ");
  const named = [...new Set([...standalone.matchAll(NAME_LIKE)].map((match) => match[0]))];
  const used = named.filter((name) => cited.some((reference) => `${reference.title ?? ""} ${abstractOf(reference.paperId)}`.includes(name)));
  const subject = used.length ? used.join(" and ") : (carried?.subject ?? standalone.replace(QUESTION_OPENING, "").replace(/\s*\?+\s*$/, ""));
  return { subject, papers: papers || carried?.papers || "" };
}

const QUESTION_OPENING = /^(?:(?:what|how|which|why|where|when|who)\s+(?:is|are|was|were|does|do|did|can|could)?\s*(?:the\s+)?|tell me about\s+|explain\s+)/i;

/** "LoTR: Low Tensor Rank…" → "LoTR"; "… Networks (HAWQ)" → "HAWQ"; a short title as it is; else null. */
function shortName(title: string | null): string | null {
  if (!title) return null;
  const beforeColon = /^([^:]{2,40}):/.exec(title)?.[1]?.trim();
  if (beforeColon && beforeColon.split(/\s+/).length <= 4) return beforeColon;
  const acronym = /\(([A-Z][A-Za-z0-9-]{1,15})\)/.exec(title)?.[1];
  if (acronym) return acronym;
  return title.split(/\s+/).length <= 6 ? title : null;
}
