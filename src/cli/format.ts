import pc from "picocolors";
import type { Paper } from "../corpus/paper.js";
import type { PaperResult } from "../retrieve/search.js";

/**
 * JSON.stringify leaves C1 controls and bidi overrides raw; escaped here ("\u009b"), they keep the data
 * exact and cannot reach the terminal (the output guard would otherwise have to remove them).
 */
export function printJson(value: unknown, options: { oneLine?: boolean } = {}): void {
  process.stdout.write(jsonText(value, options));
}

/** What printJson prints, for a file that must hold the same. */
export function jsonText(value: unknown, options: { oneLine?: boolean } = {}): string {
  const json = JSON.stringify(value, null, options.oneLine ? undefined : 2).replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `${json}\n`;
}

export function paperToJson(paper: Paper) {
  return {
    id: paper.id,
    title: paper.title,
    displayTitle: paper.displayTitle,
    titleIsDerived: paper.titleIsDerived,
    abstract: paper.abstract,
    authors: paper.authors,
    authorCount: paper.authorCount,
    date: paper.date,
    year: paper.year,
    arxivId: paper.arxivId,
    doi: paper.doi,
    categories: paper.categories,
    venue: paper.venue,
    citationKey: paper.citationKey,
    url: paper.url ?? null,
    entryType: paper.entryType ?? null,
    aliases: paper.aliases ?? [],
    language: paper.language,
    sources: paper.sources,
  };
}

export function searchResultToJson(result: PaperResult, rank: number) {
  return {
    rank,
    score: Number(result.score.toFixed(6)),
    ...paperToJson(result.paper),
    chunks: result.chunks.map((match) => ({
      id: match.chunk.id,
      text: match.chunk.sentences.join(" "),
      score: Number(match.score.toFixed(6)),
      bm25Rank: match.bm25Rank,
      denseRank: match.denseRank,
    })),
  };
}

export function paperLabel(paper: Paper): string {
  return paper.titleIsDerived ? `${paper.displayTitle} ${pc.dim("(untitled; title derived)")}` : paper.displayTitle;
}

export function paperFacts(paper: Paper): string {
  const facts = [
    paper.date ?? (paper.year ? String(paper.year) : null),
    paper.authors.length ? shortAuthors(paper.authors) : paper.authorCount ? `${paper.authorCount} authors` : null,
    paper.venue,
    paper.language !== "en" && paper.abstract ? `lang ${paper.language}` : null,
    paper.abstract ? null : "no abstract",
    paper.sources.map((source) => `${source.file}:${source.line}`).join(", "),
  ];
  return facts.filter(Boolean).join(" · ");
}

function shortAuthors(authors: string[]): string {
  return authors.length > 3 ? `${authors.slice(0, 3).join(", ")} et al.` : authors.join(", ");
}

export function excerpt(text: string, max = 320): string {
  return text.length > max ? `${text.slice(0, max).replace(/\s+\S*$/, "")}…` : text;
}
