import { ASKING_TERMS, CJK, joinedForm, keywordTerms, stemWord, TOKEN } from "./tokenize.js";

/** A text an answer can cite: a paper's title and the sentences given for it. */
export interface CitableText {
  title?: string | null;
  sentences: string[];
}

/**
 * What a question is about, measured against the sources it is answered from: its content terms (not the words
 * that only say what kind of answer is wanted), their weights (the index's IDF, 0 for a term the corpus never
 * uses) and its anchors.
 */
export interface QuestionFocus {
  terms: QuestionTerm[];
  /**
   * The rarest content terms that some source uses ("How does LoTR compare to QuanTA?" → lotr, quanta; "What is
   * xLSTM …" → xlstm): what the question singles out. Empty when every term is common. A rare word no source
   * uses ("cheap GPUs") is no anchor: nothing could be about it.
   */
  anchors: QuestionTerm[];
  /** Each source's terms, by position. */
  sourceTerms: Array<Set<string>>;
  /**
   * By position: whether the source is on the question, i.e. covers its content terms nearly as well as the best
   * source does and mentions an anchor. Answers cite only these: the relevance floor that keeps other papers out.
   */
  onQuestion: boolean[];
}

/**
 * One word of the question. A hyphenated one is there if a text has it whole, joined or in all its parts:
 * "power-law" is in "power law", "HAWQ-V2" in "HAWQV2".
 */
export interface QuestionTerm {
  forms: string[];
  parts: string[];
  /** The index's IDF of its rarest known form (0 when the corpus never uses it). */
  weight: number;
}

export function hasTerm(said: Set<string>, term: QuestionTerm): boolean {
  return term.forms.some((form) => said.has(form)) || (term.parts.length > 0 && term.parts.every((part) => said.has(part)));
}

function termsOfQuestion(question: string, weight: (term: string) => number): QuestionTerm[] {
  const terms = new Map<string, QuestionTerm>();
  const add = (forms: string[], parts: string[]) => {
    const known = [...forms, ...parts].map(weight).filter((w) => w > 0);
    // A compound typed whole counts as rare as its rarest written form, or as its commonest part.
    terms.set(forms.join("|"), { forms, parts, weight: known.length ? Math.max(...forms.map(weight), Math.min(...known)) : 0 });
  };
  for (const match of question.toLowerCase().matchAll(TOKEN)) {
    const token = match[0];
    const all = keywordTerms(token).filter((term) => !ASKING_TERMS.has(term));
    if (all.length === 0) continue;
    if (CJK.test(token) || all.length === 1) {
      for (const term of all) add([term], []);
      continue;
    }
    const joined = joinedForm(token);
    const forms = [all[0]!, ...(joined ? [stemWord(joined)] : [])];
    add(
      forms,
      all.slice(1).filter((term) => !forms.includes(term)),
    );
  }
  return [...terms.values()];
}

/** Terms at most about twice as common as the rarest (IDF within ln 2) anchor too. */
const ANCHOR_SPREAD = Math.LN2;
/** Below this IDF (about 1 text in 50) even the rarest term is too common to anchor on. */
const ANCHOR_MIN_IDF = 3.9;
/** "difference between", "compare", "vs", "better than": a question that sets papers against each other. */
export function isComparison(question: string): boolean {
  return COMPARISON.test(question);
}

const COMPARISON = /\b(differen\w*|differ|compar\w*|versus|vs\.?|contrast\w*|better than|worse than|rather than|against)\b/i;

/** A source is on the question when it covers at least this share of what the best-covering source covers. */
const SOURCE_FOCUS = 0.6;
/** Share of the question's (weighted) content a sentence must mention to address it without an anchor. */
const ADDRESSES_SHARE = 1 / 3;

export function questionFocus(question: string, weight: (term: string) => number, sources: CitableText[]): QuestionFocus {
  const terms = termsOfQuestion(question, weight);
  const sourceTerms = sources.map(termsOf);
  const partial = { terms, anchors: [] as QuestionTerm[], sourceTerms, onQuestion: [] as boolean[] };
  const coverage = sourceTerms.map((said) => focusCoverage(partial, said));
  const best = Math.max(0, ...coverage);
  // A comparison names several things, each paper covering its own: half the usual share is enough.
  const floor = isComparison(question) ? SOURCE_FOCUS / 2 : SOURCE_FOCUS;
  const close = coverage.map((value) => best === 0 || value >= best * floor);
  // Anchors come from the sources that cover the question best: a rare word of a weaker source is incidental.
  const used = terms.filter((term) => term.weight > 0 && sourceTerms.some((said, i) => close[i] && hasTerm(said, term)));
  const rarest = Math.max(0, ...used.map((term) => term.weight));
  const anchors = rarest < ANCHOR_MIN_IDF ? [] : used.filter((term) => term.weight >= rarest - ANCHOR_SPREAD);
  // A name the question spells out in capitals ("Tensor Product Attention") that a close source uses narrows
  // further: a paper on the KV cache in general is not the one asked about.
  const texts = sources.map((source) => `${source.title ?? ""} ${source.sentences.join(" ")}`.toLowerCase());
  const named = namesIn(question).filter((name) => texts.some((text, i) => close[i] && text.includes(name)));
  const onQuestion = sourceTerms.map(
    (said, i) =>
      close[i]! &&
      (anchors.length === 0 || anchors.some((term) => hasTerm(said, term))) &&
      (named.length === 0 || named.some((name) => texts[i]!.includes(name))),
  );
  return { terms, anchors, sourceTerms, onQuestion };
}

const OPENERS =
  /^(how|what|which|why|when|where|who|does|do|did|is|are|was|were|can|could|should|would|will|has|have|compare|explain|describe|summarize|summarise|list|give|tell|show|find|in|for|on|according)$/i;

/** Runs of two or more capitalised words ("Tensor Product Attention", "Vision Transformer"), lower-cased. */
function namesIn(question: string): string[] {
  const names: string[] = [];
  for (const match of question.matchAll(/\b\p{Lu}[\p{L}\d-]*(?:\s+\p{Lu}[\p{L}\d-]*)+/gu)) {
    const words = match[0].split(/\s+/);
    // "What Vision Transformer …": the question word opening the sentence is no part of a name.
    if ((match.index === 0 || /[.?!]\s*$/.test(question.slice(0, match.index))) && OPENERS.test(words[0]!)) words.shift();
    if (words.length >= 2) names.push(words.join(" ").toLowerCase());
  }
  return names;
}

export function termsOf(text: CitableText): Set<string> {
  return new Set(keywordTerms(`${text.title ?? ""} ${text.sentences.join(" ")}`));
}

/** IDF-weighted share of the question's content terms a set of terms contains (0..1). */
export function focusCoverage(focus: Pick<QuestionFocus, "terms">, said: Set<string>): number {
  const total = focus.terms.reduce((sum, term) => sum + term.weight, 0);
  return total > 0 ? focus.terms.filter((term) => hasTerm(said, term)).reduce((sum, term) => sum + term.weight, 0) / total : 0;
}

/**
 * Whether a sentence (without citation markers) speaks to the question: it mentions an anchor, or a third of the
 * weighted content terms (the rarest one when there is no anchor). It is read as its reader reads it, beside the
 * papers it cites: a sentence that shares a question term and cites a paper that mentions an anchor ("The
 * experiments show latency reductions of 25% [1]", [1] being the paper asked about) speaks to it too. A
 * sentence true to its source but about something else (padding) does not. Support is a separate check.
 */
export function addressesQuestion(sentence: string, focus: QuestionFocus, cited: CitableText[] = []): boolean {
  const { terms, anchors } = focus;
  if (terms.length === 0) return true;
  const said = new Set(keywordTerms(sentence));
  if (focusCoverage(focus, said) >= ADDRESSES_SHARE) return true;
  if (anchors.length === 0) {
    const rarest = terms.reduce((best, term) => (term.weight > best.weight ? term : best), terms[0]!);
    return rarest.weight > 0 && hasTerm(said, rarest);
  }
  if (anchors.some((term) => hasTerm(said, term))) return true;
  if (!terms.some((term) => term.weight > 0 && hasTerm(said, term))) return false;
  return cited.some((paper) => {
    const about = termsOf(paper);
    return anchors.some((term) => hasTerm(about, term));
  });
}

/**
 * A question of several parts ("How much does X compress deltas, and what does that buy for throughput?") split at
 * ", and" / "and what|how|which…" / a second question mark. Single-part questions give one part.
 */
export function questionParts(question: string): string[] {
  return question
    .split(
      /\?\s+(?=\S)|,?\s+and\s+(?=(?:what|how|which|why|where|when|who|whether|does|do|did|is|are|was|were|can|could|at what|at which|in what|to what)\b)|,\s+and\s+/i,
    )
    .map((part) => part.replace(/[?.!\s]+$/, "").trim())
    .filter((part) => /\p{L}{3}/u.test(part));
}

/** Parts of a multi-part question that none of the sentences speaks to (a third of its weighted terms, or its rarest). */
export function unansweredParts(question: string, sentences: string[], weight: (term: string) => number): string[] {
  const parts = questionParts(question);
  if (parts.length < 2) return [];
  return parts.filter((part) => {
    const focus = { terms: termsOfQuestion(part, weight), anchors: [], sourceTerms: [], onQuestion: [] };
    // A part whose every word is common or unknown ("and what does that buy") cannot be checked: it is kept quiet.
    if (!focus.terms.some((term) => term.weight > 0)) return false;
    return !sentences.some((sentence) => addressesQuestion(sentence, focus));
  });
}
