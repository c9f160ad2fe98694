import type { AnswerSource } from "../generate/generator.js";
import { ABSTAIN_TEXT } from "../generate/generator.js";
import { selectSentences, thirdPerson } from "../generate/extractive.js";
import type { ChatModel } from "../llm/chat-model.js";
import { formatSource } from "../generate/llm-answerer.js";
import { renderPrompt } from "../llm/prompts.js";
import { stripReferenceList } from "../ground/citations.js";
import { searchPapers } from "../retrieve/search.js";
import { reference, relevanceOf, type Reference } from "./ask.js";
import { checkCitedText, numberSources, type CheckedText, type LiteratureTaskOptions } from "./cited-document.js";
import { buildThemes, type Theme } from "./themes.js";

export interface SummarizeOptions extends LiteratureTaskOptions {
  onToken?: (token: string) => void;
}

export interface OutlineNode {
  name: string;
  phrases: string[];
  sourceNumbers: number[];
  subthemes: OutlineNode[];
}

export interface SummaryResult extends CheckedText {
  topic: string;
  answered: boolean;
  generator: string;
  outline: OutlineNode[];
  sources: Reference[];
}

/** Retrieve broadly, cluster into a two-level theme outline, summarise each theme with cited sentences. */
export async function summarize(topic: string, options: SummarizeOptions): Promise<SummaryResult> {
  const results = await searchPapers(options.index, options.embedder, topic, { k: options.k ?? 20, filters: options.filters });
  const relevance = relevanceOf(options.index, topic, results);
  const sources = numberSources(results);
  const sourceRefs = sources.map((source) => reference(source.n, source.paper));
  if (results.length === 0 || relevance.score < relevance.threshold) {
    return { topic, answered: false, generator: options.generator.name, outline: [], sources: [], ...checkCitedText(ABSTAIN_TEXT, []) };
  }
  const numberOf = new Map(sources.map((source) => [source.paper.id, source.n]));
  const toNode = (theme: Theme): OutlineNode => ({
    name: theme.name,
    phrases: theme.phrases,
    sourceNumbers: theme.papers.map((paper) => numberOf.get(paper.id)!).sort((a, b) => a - b),
    subthemes: theme.subthemes.map(toNode),
  });
  const outline = (
    await buildThemes(
      options.index,
      results.map((result) => result.paper),
    )
  ).map(toNode);

  const text = options.chat ? await writeWithModel(topic, outline, sources, options.chat, options.onToken) : composeOffline(topic, outline, sources);
  return { topic, answered: true, generator: options.generator.name, outline, sources: sourceRefs, ...checkCitedText(text, sources) };
}

/** Offline: each theme gets the sentences of its own papers that best match the topic and the theme's phrases. */
function composeOffline(topic: string, outline: OutlineNode[], sources: AnswerSource[]): string {
  const lines: string[] = [];
  // A sub-theme must not repeat what its parent section already quoted.
  const used = new Set<string>();
  const section = (node: OutlineNode, level: number, sentences: number) => {
    lines.push(`${"#".repeat(level)} ${node.name}`, "");
    const members = node.sourceNumbers.map((n) => sources[n - 1]!);
    const picked = selectSentences({ question: `${topic} ${node.phrases.join(" ")}`, sources: members, maxSentences: sentences + used.size })
      .filter((candidate) => !used.has(candidate.text))
      .slice(0, sentences);
    for (const candidate of picked) used.add(candidate.text);
    picked.sort((a, b) => a.source.n - b.source.n || a.position - b.position);
    if (picked.length) lines.push(picked.map((candidate) => `${thirdPerson(candidate.text).replace(/([.!?])?$/, ` [${candidate.source.n}]$1`)}`).join(" "), "");
    // Membership is layout, not a claim: plain numbers, so it is neither cited nor scored.
    lines.push(`_Papers in this theme: ${node.sourceNumbers.join(", ")}_`, "");
    for (const sub of node.subthemes) section(sub, level + 1, 2);
  };
  for (const node of outline) section(node, 2, node.subthemes.length ? 2 : 3);
  return lines.join("\n");
}

function outlineText(outline: OutlineNode[], depth = 0): string {
  return outline
    .map(
      (node) =>
        `${"  ".repeat(depth)}- ${node.name} [${node.sourceNumbers.join(", ")}]${node.subthemes.length ? `\n${outlineText(node.subthemes, depth + 1)}` : ""}`,
    )
    .join("\n");
}

async function writeWithModel(
  topic: string,
  outline: OutlineNode[],
  sources: AnswerSource[],
  chat: ChatModel,
  onToken?: (token: string) => void,
): Promise<string> {
  const messages = await renderPrompt("summarize", {
    topic,
    outline: outlineText(outline),
    sources: sources.map(formatSource).join("\n\n"),
    source_count: sources.length,
  });
  // A reference list the model adds anyway is dropped: the references printed are the retrieved papers.
  return stripReferenceList(await chat.complete(messages, { onToken })).text;
}
