import type { IndexSnapshot } from "../../index/snapshot.js";
import { nounPhrases } from "../../text/noun-phrases.js";
import type { Draft } from "./draft.js";
import { methodPhrase } from "./method.js";
import { phraseKey, salientPhrases } from "./parts.js";
import { problemPhrase } from "./problem.js";

/** "## Idea 2: proposal" headings split a model's answer into ideas. */
export function splitIdeas(text: string): Array<{ title: string; body: string }> {
  const ideas: Array<{ title: string; body: string }> = [];
  for (const block of text.split(/^##\s+/m).slice(1)) {
    const [heading, ...rest] = block.split("\n");
    const title = heading!.replace(/^Idea\s*\d+\s*[:.–-]\s*/i, "").trim();
    if (title) ideas.push({ title, body: rest.join("\n").trim() });
  }
  return ideas;
}

/** "Problem: …", "- **Method**: …", "Why it might work — …": a labelled line of the prompt's format, unlabelled. */
function labelled(body: string, label: string): string | null {
  const match = new RegExp(String.raw`^[\s>*-]*\**${label}\**\s*(?:\*\*)?\s*[:—–-]\s*(?:\*\*)?\s*(.+)$`, "im").exec(body);
  return match ? match[1]!.trim() : null;
}

const citedIn = (text: string, sourceCount: number) =>
  [...new Set([...text.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1])))].filter((n) => n >= 1 && n <= sourceCount).sort((a, b) => a - b);

/** "Lightning Attention accelerates …", "CSR converts …": a method line that opens with the method's name. */
function leadingName(line: string): string | null {
  const { words, phrases } = nounPhrases(line);
  const first = phrases.filter((phrase) => phrase.start === 0).sort((a, b) => b.end - a.end)[0];
  return first && words.slice(0, first.end).some((word) => /^.+[A-Z0-9]/.test(word.text)) ? first.text : null;
}

const withoutMarkers = (text: string) => text.replace(/\s*\[\d+\]/g, "").trim();

/**
 * A model's idea as a draft: its problem and method lines (the prompt asks for them) give the phrases the
 * novelty check searches for, and every source the idea cites is one of its own. A reply without those
 * lines still gets a check, on the most specific phrases of its proposal line.
 */
export function modelDraft(index: IndexSnapshot, idea: { title: string; body: string }, sourceCount: number): Draft {
  const problemLine = labelled(idea.body, "Problem");
  const methodLine = labelled(idea.body, "Method(?: to transfer)?");
  const why = labelled(idea.body, "Why(?: it might work)?");
  const part = (line: string | null, pick: (text: string) => string | null) =>
    line
      ? { phrase: pick(withoutMarkers(line)) ?? salientPhrases(index, withoutMarkers(line), 1)[0] ?? "", sentence: line, sources: citedIn(line, sourceCount) }
      : null;
  const problem = part(problemLine, (text) => problemPhrase(index, text)?.text ?? null);
  const method = part(methodLine, (text) => methodPhrase(index, text)?.text ?? leadingName(text));
  return {
    title: idea.title,
    kind: "model",
    body: idea.body,
    problem: problem?.phrase ? problem : null,
    method: method?.phrase ? method : null,
    why,
    sources: citedIn(`${idea.title}\n${idea.body}`, sourceCount),
  };
}

/**
 * The prompt asks for distinct ideas; a model may still repeat itself. An idea whose problem and method are
 * those of an earlier one, or that rests on one of its sentences again, is dropped (and counted).
 */
export function distinctDrafts(drafts: Draft[]): { drafts: Draft[]; dropped: number } {
  const pairs = new Set<string>();
  const sentences = new Set<string>();
  const kept: Draft[] = [];
  const normal = (text: string) => withoutMarkers(text).toLowerCase().replace(/\s+/g, " ");
  for (const draft of drafts) {
    const pair = draft.problem && draft.method ? `${phraseKey(draft.problem.phrase)}|${phraseKey(draft.method.phrase)}` : null;
    const own = [draft.problem?.sentence, draft.method?.sentence, draft.why].filter((text): text is string => !!text).map(normal);
    if ((pair && pairs.has(pair)) || own.some((sentence) => sentences.has(sentence))) continue;
    if (pair) pairs.add(pair);
    for (const sentence of own) sentences.add(sentence);
    kept.push(draft);
  }
  return { drafts: kept, dropped: drafts.length - kept.length };
}
