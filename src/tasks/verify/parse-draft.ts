import { markerNumbers } from "../../ground/markers.js";
import { splitSentences } from "../../text/sentences.js";
import { CitewiseError } from "../../errors.js";

export const DRAFT_FORMATS = ["markdown", "latex", "auto"] as const;
export type DraftFormat = Exclude<(typeof DRAFT_FORMATS)[number], "auto">;

/** A problem in the draft itself (an environment or code fence never closed), named by file:line. */
export class DraftError extends CitewiseError {}

/** One citation as written: a key (Pandoc `@key`, LaTeX `\cite{key}`, a bracketed paper id) or a number `[n]`. */
export interface DraftCitation {
  kind: "key" | "number" | "id";
  /** The key, paper id, or the number as a string. */
  key: string;
  line: number;
}

export interface DraftSentence {
  /** The sentence as written (citations included, markup removed). */
  text: string;
  /** The sentence without its citations: what is judged. */
  claimText: string;
  line: number;
  citations: DraftCitation[];
  /** False for sentences that state nothing the index can check (see isClaim). */
  claim: boolean;
}

/** An entry of the draft's own reference list: `[n] …` / `n. …` under "References", or a LaTeX `\bibitem{key} …`. */
export interface ReferenceEntry {
  /** "3" for a numbered entry, the key for a \bibitem. */
  label: string;
  text: string;
  line: number;
}

export interface ParsedDraft {
  format: DraftFormat;
  sentences: DraftSentence[];
  references: ReferenceEntry[];
}

/** --format auto: by extension, else by content (a LaTeX command that markdown never has). */
export function detectFormat(name: string | null, text: string): DraftFormat {
  const ext = name ? /\.([A-Za-z]+)$/.exec(name)?.[1]?.toLowerCase() : undefined;
  if (ext && ["tex", "ltx", "latex"].includes(ext)) return "latex";
  if (ext && ["md", "markdown", "qmd", "rmd", "mdown"].includes(ext)) return "markdown";
  return /\\(documentclass|begin\{|(sub)*section\*?\{|cite[pt]?\*?[[{])/.test(text) ? "latex" : "markdown";
}

/** A paragraph or list item: consecutive lines of prose, each with its 1-based line number. */
interface Block {
  lines: Array<{ text: string; line: number }>;
}

const REFERENCES_HEADING = /^(references|bibliography|works cited|literature( cited)?|sources)\s*:?$/i;

/**
 * Splits a draft into sentences with their citations. Structure is handled per item: headings, code, comments,
 * math and tables are not prose; a list item or a LaTeX \item is a block of its own, as is a paragraph.
 */
export function parseDraft(text: string, format: DraftFormat, file = "draft"): ParsedDraft {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const { blocks, references } = format === "latex" ? latexBlocks(lines, file) : markdownBlocks(lines, file);
  const clean = format === "latex" ? cleanLatex : cleanMarkdown;
  return { format, sentences: blocks.flatMap((block) => blockSentences(block, clean)), references };
}

function markdownBlocks(lines: string[], file: string): { blocks: Block[]; references: ReferenceEntry[] } {
  const blocks: Block[] = [];
  const references: ReferenceEntry[] = [];
  let current: Block | null = null;
  let inReferences = false;
  const close = () => {
    if (current?.lines.length) blocks.push(current);
    current = null;
  };
  let i = 0;
  // YAML front matter (title, bibliography: …) is metadata, not prose.
  if (lines[0]?.trim() === "---") {
    const end = lines.findIndex((line, j) => j > 0 && /^(---|\.\.\.)\s*$/.test(line));
    if (end > 0) i = end + 1;
  }
  for (; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    const fence = /^\s*(```+|~~~+)/.exec(raw);
    if (fence) {
      close();
      const end = lines.findIndex((line, j) => j > i && line.trim().startsWith(fence[1]!));
      if (end === -1) throw new DraftError(`${file}:${lineNo}: code fence ${fence[1]} is never closed`);
      i = end;
      continue;
    }
    if (/^\s*<!--/.test(raw)) {
      close();
      const end = lines.findIndex((line, j) => j >= i && line.includes("-->"));
      if (end === -1) throw new DraftError(`${file}:${lineNo}: HTML comment <!-- is never closed`);
      const after = lines[end]!.slice(lines[end]!.indexOf("-->") + 3);
      i = end;
      if (after.trim()) current = { lines: [{ text: after, line: end + 1 }] };
      continue;
    }
    const trimmed = raw.trim();
    if (!trimmed) {
      close();
      continue;
    }
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(trimmed);
    // A setext heading: the text line is followed by === or ---.
    const setext = !heading && /^(=+|-+)\s*$/.test(lines[i + 1]?.trim() ?? "") && current === null;
    if (heading || setext || REFERENCES_HEADING.test(trimmed.replace(/^\*\*|\*\*$/g, ""))) {
      close();
      const title = heading ? heading[1]! : trimmed.replace(/^\*\*|\*\*$/g, "");
      inReferences = REFERENCES_HEADING.test(title.trim());
      if (setext) i++;
      continue;
    }
    const body = trimmed.replace(/^(>\s*)+/, "");
    const item = /^([-*+]|\d+[.)])\s+(.*)$/.exec(body);
    if (inReferences) {
      const numbered = /^(?:[-*+]\s+)?\[(\d+)\]\s*(.*)$/.exec(body) ?? (item && /^\d+[.)]$/.test(item[1]!) ? [body, item[1]!.slice(0, -1), item[2]!] : null);
      if (numbered) references.push({ label: numbered[1]!, text: numbered[2]!, line: lineNo });
      else if (references.length && !item) references[references.length - 1]!.text += ` ${body}`;
      continue;
    }
    if (/^(-{3,}|\*{3,}|_{3,})$/.test(trimmed) || /^\|/.test(trimmed) || (/^\s{4,}\S/.test(raw) && current === null)) {
      // Rules, tables and indented code are not prose.
      close();
      continue;
    }
    if (item) {
      close();
      current = { lines: [{ text: item[2]!, line: lineNo }] };
      continue;
    }
    if (!current) current = { lines: [] };
    (current as Block).lines.push({ text: body, line: lineNo });
  }
  close();
  // Without a "References" heading, a run of `[n] …` lines ending the draft is its reference list.
  if (references.length === 0) {
    while (blocks.length) {
      const last = blocks[blocks.length - 1]!;
      const entries = last.lines.map((entry) => ({ entry, match: /^\[(\d+)\]\s+(.*)$/.exec(entry.text.trim()) }));
      if (!entries.every(({ match }) => match)) break;
      references.unshift(...entries.map(({ entry, match }) => ({ label: match![1]!, text: match![2]!, line: entry.line })));
      blocks.pop();
    }
  }
  return { blocks, references };
}

/** Inline markdown down to its text; citations are kept for extraction. */
function cleanMarkdown(text: string): string {
  return (
    text
      .replace(/<!--.*?-->/g, " ")
      .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
      // A link keeps its text; a Pandoc citation [@key] is not a link.
      .replace(/\[([^\]@]*)\]\([^)]*\)/g, "$1")
      .replace(/`([^`]*)`/g, "$1")
      .replace(/(\*\*|__)(.+?)\1/g, "$2")
      .replace(/(^|[^\w*])[*_]([^*_]+)[*_](?=[^\w*]|$)/g, "$1$2")
      .replace(/<[^>]+>/g, " ")
  );
}

/** Environments whose content is not prose (and never checked). */
const SKIPPED_ENVIRONMENTS =
  /^(equation|align|gather|multline|eqnarray|displaymath|math|figure|table|tabular|tabularx|longtable|verbatim|lstlisting|minted|algorithm|algorithmic|tikzpicture|comment|thebibliography)\*?$/;
const HEADING_COMMAND =
  /\\(part|chapter|section|subsection|subsubsection|paragraph|subparagraph|title|author|date|caption|maketitle|tableofcontents)(?![A-Za-z])\*?(\[[^\]]*\])?(\{([^{}]*(\{[^{}]*\}[^{}]*)*)\})?/g;

function latexBlocks(lines: string[], file: string): { blocks: Block[]; references: ReferenceEntry[] } {
  const stripped = lines.map(stripLatexComment);
  // In a full document the preamble is settings, not prose.
  const begin = stripped.findIndex((line) => /\\begin\{document\}/.test(line));
  const endDoc = stripped.findIndex((line) => /\\end\{document\}/.test(line));
  const from = begin >= 0 ? begin + 1 : 0;
  const to = endDoc >= 0 ? endDoc : stripped.length;
  const blocks: Block[] = [];
  const references: ReferenceEntry[] = [];
  let current: Block | null = null;
  const close = () => {
    if (current?.lines.length) blocks.push(current);
    current = null;
  };
  for (let i = from; i < to; i++) {
    const lineNo = i + 1;
    let text = stripped[i]!;
    const skipped = /\\begin\{([A-Za-z*]+)\}/.exec(text);
    if (skipped && SKIPPED_ENVIRONMENTS.test(skipped[1]!)) {
      close();
      const env = skipped[1]!;
      const closing = `\\end{${env}}`;
      const end = stripped.findIndex((line, j) => j >= i && line.indexOf(closing, j === i ? skipped.index : 0) !== -1);
      if (end === -1) throw new DraftError(`${file}:${lineNo}: \\begin{${env}} is never closed`);
      if (env === "thebibliography") references.push(...bibitems(stripped.slice(i, end + 1), i + 1));
      i = end;
      continue;
    }
    if (/^\s*\\\[/.test(text)) {
      // Display math \[ … \] is not prose either.
      close();
      const end = stripped.findIndex((line, j) => j >= i && line.includes("\\]"));
      i = end === -1 ? i : end;
      continue;
    }
    if (!text.trim()) {
      close();
      continue;
    }
    // A heading or an environment's \begin / \end ends the block; text after it on the line starts the next one.
    const structural = /\\(begin|end)\{[A-Za-z*]+\}(\[[^\]]*\])?/g;
    if (new RegExp(HEADING_COMMAND.source).test(text) || structural.test(text)) {
      close();
      text = text.replace(HEADING_COMMAND, " ").replace(structural, " ");
      if (!text.trim()) continue;
    }
    // Each \item is a block of its own, so a sentence never runs from one item into the next.
    const items = text.split(/\\item\b(?:\s*\[[^\]]*\])?/);
    for (const [j, piece] of items.entries()) {
      if (j > 0) close();
      if (!piece.trim()) continue;
      if (!current) current = { lines: [] };
      (current as Block).lines.push({ text: piece, line: lineNo });
    }
  }
  close();
  return { blocks, references };
}

/** The line without its `%` comment (an escaped `\%` is a percent sign). */
function stripLatexComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === "%") return line.slice(0, i);
  }
  return line;
}

function bibitems(lines: string[], firstLine: number): ReferenceEntry[] {
  const entries: ReferenceEntry[] = [];
  for (const [j, line] of lines.entries()) {
    const item = /\\bibitem(?:\[[^\]]*\])?\{([^}]+)\}(.*)$/.exec(line);
    if (item) entries.push({ label: item[1]!.trim(), text: cleanLatex(item[2]!), line: firstLine + j });
    else if (entries.length && !/\\(begin|end)\{thebibliography\}/.test(line)) entries[entries.length - 1]!.text += ` ${cleanLatex(line)}`;
  }
  return entries;
}

const LATEX_CITE = String.raw`\\(?:cite|citep|citet|citealp|citealt|citeauthor|citeyear|parencite|textcite|autocite|footcite|supercite)\*?(?:\s*\[[^\]]*\]){0,2}\s*\{([^}]*)\}`;

/** LaTeX prose down to text; citations are kept for extraction. */
function cleanLatex(text: string): string {
  return text
    .replace(/\\(?:ref|eqref|autoref|cref|Cref|pageref)\{[^}]*\}/g, "(ref)")
    .replace(/\\(?:label|bibliography|bibliographystyle|printbibliography|index|vspace|hspace|footnotemark)\*?(\{[^}]*\})?/g, " ")
    .replace(/\\(?:url|href)\{([^}]*)\}(\{[^}]*\})?/g, (_, url: string, label?: string) => label?.slice(1, -1) ?? url)
    .replace(/\$\$[^$]*\$\$|\\\([^)]*\\\)/g, "(math)")
    .replace(/\$([^$]*)\$/g, "$1")
    .replace(/``|''/g, '"')
    .replace(/~/g, " ")
    .replace(/\\\\/g, " ")
    .replace(/\\([%&$#_{}])/g, "$1")
    .replace(/\\(?:emph|textbf|textit|texttt|textsc|underline|mbox|text|footnote)\{([^{}]*)\}/g, "$1")
    .replace(new RegExp(`(${LATEX_CITE})|\\\\[A-Za-z]+\\*?`, "g"), (match, cite?: string) => (cite ? match : " "))
    .replace(/[{}]/g, "");
}

/**
 * Citations in prose, each turned into a placeholder word so the sentence splitter keeps it in place:
 * Pandoc `[@a; @b, p. 3]`, LaTeX `\cite{a,b}` (and natbib/biblatex variants), numbers `[1, 3-5]`, and a
 * bracketed citewise paper id `[arxiv:2402.01376]` / `[lotr-low-tensor-rank-weight-adaptation]`.
 */
const CITATION = new RegExp(
  [
    String.raw`\[(?=[^\]]*@)([^\[\]]*)\](?!\()`,
    LATEX_CITE,
    String.raw`\[(\d+(?:\s*[,;–-]\s*\d+)*)\](?!\()`,
    String.raw`\[((?:arxiv:[^\s\];,]+|h-[0-9a-f]{12}|[a-z0-9]+(?:-[a-z0-9]+)+)(?:\s*[;,]\s*(?:arxiv:[^\s\];,]+|h-[0-9a-f]{12}|[a-z0-9]+(?:-[a-z0-9]+)+))*)\](?!\()`,
  ].join("|"),
  "g",
);
const PANDOC_KEY = /@\{([^}]+)\}|@([\p{L}\p{N}_][\p{L}\p{N}_:.#$%&+?<>~/-]*)/gu;
const PLACEHOLDER = /\s*\bCW(?:CITE|TEXT)(\d+)\b/g;

function citationsOf(match: RegExpExecArray, line: number): DraftCitation[] {
  const [, pandoc, latex, numbers, ids] = match;
  if (pandoc !== undefined) {
    // Trailing punctuation is not part of a key (Pandoc's rule): "@doe99." cites doe99.
    return [...pandoc.matchAll(PANDOC_KEY)].map((key) => ({ kind: "key", key: key[1] ?? key[2]!.replace(/[.:,;/?<>~#$%&+-]+$/, ""), line }));
  }
  if (latex !== undefined)
    return latex
      .split(",")
      .map((key) => key.trim())
      .filter(Boolean)
      .map((key) => ({ kind: "key", key, line }));
  if (numbers !== undefined) return markerNumbers(numbers).map((n) => ({ kind: "number", key: String(n), line }));
  return ids!.split(/\s*[;,]\s*/).map((key) => ({ kind: "id", key: key.trim(), line }));
}

function blockSentences(block: Block, clean: (text: string) => string): DraftSentence[] {
  const found: Array<{ written: string; citations: DraftCitation[] }> = [];
  // Citations become placeholder words before the markup is cleaned and the lines are joined, so each
  // keeps its own line number and the sentence splitter leaves it where it was written.
  let joined = "";
  const starts: Array<{ offset: number; line: number }> = [];
  for (const { text, line } of block.lines) {
    const withPlaceholders = text.replace(CITATION, (...args) => {
      const match = args.slice(0, -2) as unknown as RegExpExecArray;
      found.push({ written: args[0] as string, citations: citationsOf(match, line) });
      // A bracketed citation may trail the full stop; a LaTeX one opening a sentence is its subject (\citet{x} show …).
      return match[2] === undefined ? ` CWCITE${found.length - 1} ` : ` CWTEXT${found.length - 1} `;
    });
    const cleaned = clean(withPlaceholders).replace(/\s+/g, " ").trim();
    if (!cleaned) continue;
    if (joined) joined += " ";
    starts.push({ offset: joined.length, line });
    joined += cleaned;
  }
  if (!joined) return [];
  const pieces = splitSentences(joined);
  const sentences: Array<{ text: string; line: number; refs: number[] }> = [];
  let searchFrom = 0;
  for (const piece of pieces) {
    const at = joined.indexOf(piece.slice(0, 20), searchFrom);
    const offset = at === -1 ? searchFrom : at;
    searchFrom = offset + 1;
    // Citations written after the full stop ("claim. [2] Next …") belong to the sentence before.
    const leading = /^(?:CWCITE\d+\s*[.,;]?\s*)+/.exec(piece)?.[0] ?? "";
    const previous = sentences[sentences.length - 1];
    let rest = piece;
    // … unless a lower-case word follows: in "claim. [2] proposes …" the citation is the next sentence's subject.
    if (leading && previous && !/^\p{Ll}/u.test(piece.slice(leading.length))) {
      previous.refs.push(...[...leading.matchAll(/CWCITE(\d+)/g)].map((m) => Number(m[1])));
      rest = piece.slice(leading.length);
    }
    const refs = [...rest.matchAll(/CW(?:CITE|TEXT)(\d+)/g)].map((m) => Number(m[1]));
    if (!rest.replace(PLACEHOLDER, "").trim()) continue;
    sentences.push({ text: rest, line: lineAt(starts, offset + (piece.length - rest.length)), refs });
  }
  return sentences.map(({ text, line, refs }) => {
    const restored = text.replace(/\bCW(?:CITE|TEXT)(\d+)\b/g, (_, n: string) => found[Number(n)]!.written);
    const claimText = tidy(text.replace(PLACEHOLDER, ""));
    const citations = refs.flatMap((n) => found[n]!.citations);
    return { text: tidy(restored), claimText, line, citations, claim: isClaim(claimText, citations.length > 0) };
  });
}

function tidy(text: string): string {
  return text
    .replace(/\s+([.,;:!?)])/g, "$1")
    .replace(/\(\s*\)/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function lineAt(starts: Array<{ offset: number; line: number }>, offset: number): number {
  let line = starts[0]?.line ?? 1;
  for (const start of starts) if (start.offset <= offset) line = start.line;
  return line;
}

/** The writer's roadmap and own contribution: no paper in the index can support or refute it. */
const SELF_REFERENCE =
  /^(?:(?:in|throughout) (?:this|the (?:following|next|remainder of this)) (?:section|chapter|paper|work|article|subsection|part)\b|(?:this|the (?:next|following)) (?:section|chapter|paper|work|article|subsection) (?:\w+ )?(?:describes|presents|introduces|discusses|reviews|outlines|summari[sz]es|is organi[sz]ed|covers|proposes|shows)\b|(?:here,? )?(?:we|our)\b)/i;

/**
 * What counts as a claim: a sentence of prose that is not a question and either has a citation (its writer
 * says the cited paper backs it) or has at least four words and is neither a lead-in ending in ":" nor about
 * the draft itself ("In this section we …", "This paper presents …", "We propose …", "Our method …").
 */
export function isClaim(text: string, cited: boolean): boolean {
  if (/\?$/.test(text)) return false;
  if (cited) return /[\p{L}\p{N}]/u.test(text);
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length < 4 || text.endsWith(":")) return false;
  return !SELF_REFERENCE.test(text.replace(/^[^\p{L}]+/u, ""));
}
