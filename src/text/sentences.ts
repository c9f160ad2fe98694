import { createRequire } from "node:module";

// wink-nlp ships CommonJS; loading its model costs ~0.2 s, so it is created on first use.
const require = createRequire(import.meta.url);
type WinkDoc = { sentences(): { out(): string[] } };
let nlp: { readDoc(text: string): WinkDoc } | null = null;

function winkNlp() {
  if (!nlp) {
    const winkNLP = require("wink-nlp");
    const model = require("wink-eng-lite-web-model");
    nlp = winkNLP(model, ["sbd"]);
  }
  return nlp!;
}

/** Abbreviations after which wink's splitter wrongly ends a sentence in academic prose. */
const ABBREVIATION_END = /\b(et al|Fig|Figs|Sec|Secs|Eq|Eqs|Tab|Ref|Refs|i\.e|e\.g|cf|vs|resp|approx|No|Thm|Lem|Def|App|Ch)\.$/i;

/** Splits an abstract into sentences. Scripts without spaces are split on their own full stops. */
export function splitSentences(text: string, language = "en"): string[] {
  if (["zh", "ja", "ko"].includes(language)) {
    return text
      .split(/(?<=[。!?!?])/u)
      .map((s) => s.trim())
      .filter(Boolean);
  }
  const raw = winkNlp().readDoc(text).sentences().out();
  const merged: string[] = [];
  for (const sentence of raw.map((s) => s.trim()).filter(Boolean)) {
    const previous = merged[merged.length - 1];
    // Re-join fragments: after an abbreviation, or when the "sentence" starts in lower case or with a digit.
    if (previous !== undefined && (ABBREVIATION_END.test(previous) || /^[a-z0-9([]/.test(sentence))) {
      merged[merged.length - 1] = `${previous} ${sentence}`;
    } else {
      merged.push(sentence);
    }
  }
  return merged;
}
