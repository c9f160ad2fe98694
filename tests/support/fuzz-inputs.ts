/**
 * Building blocks for the parser fuzz test: a seeded PRNG, encoders for the encodings a dump may arrive in,
 * and small valid samples of every structured format built from real abstracts.
 */
import type { RawRecord } from "../../src/corpus/paper.js";

/** mulberry32: tiny, fast, deterministic; good enough to pick offsets and bytes. */
export function createRng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)]! };
}
export type Rng = ReturnType<typeof createRng>;

export function utf16(text: string, endian: "le" | "be", bom: boolean): Buffer {
  const body = Buffer.from(text, "utf16le");
  if (endian === "be") body.swap16();
  const mark = endian === "le" ? [0xff, 0xfe] : [0xfe, 0xff];
  return bom ? Buffer.concat([Buffer.from(mark), body]) : body;
}

/** Windows-1252 bytes 0x80-0x9F (0 where the code page leaves a hole). */
const CP1252_HIGH = "€\0‚ƒ„…†‡ˆ‰Š‹Œ\0Ž\0\0‘’“”•–—˜™š›œ\0žŸ";

/** Text -> Windows-1252 bytes; characters the code page lacks must have been replaced first. */
export function cp1252(text: string): Buffer {
  const bytes = [...text].map((c) => {
    const code = c.codePointAt(0)!;
    const high = CP1252_HIGH.indexOf(c);
    if (high >= 0 && c !== "\0") return 0x80 + high;
    if (code <= 0xff && (code < 0x80 || code > 0x9f)) return code;
    throw new Error(`not in Windows-1252: ${c}`);
  });
  return Buffer.from(bytes);
}

/** Replaces what Windows-1252 cannot encode (CJK, some symbols) with "?". */
export function cp1252Safe(text: string): string {
  return [...text]
    .map((c) => (c.codePointAt(0)! <= 0x7f || (c.codePointAt(0)! >= 0xa0 && c.codePointAt(0)! <= 0xff) || (CP1252_HIGH.includes(c) && c !== "\0") ? c : "?"))
    .join("");
}

export interface SampleEntry {
  title: string | null;
  abstract: string;
  year: number;
}

/** Real records spread over the corpus (the first is the Chinese abstract, so every sample has multi-byte UTF-8). */
export function sampleEntries(records: RawRecord[], count = 13): SampleEntry[] {
  const step = Math.floor(records.length / count);
  return Array.from({ length: count }, (_, i) => records[i * step]!).map((r, i) => ({
    title: r.title ?? null,
    abstract: r.abstract,
    year: r.year ?? 2019 + (i % 6),
  }));
}

/** Splits text into lines of about `width` characters at spaces (as editors and exporters do). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    if (current && current.length + word.length + 1 > width) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  return current ? [...lines, current] : lines;
}

export const jsonl = (entries: SampleEntry[]) => `${entries.map((e) => JSON.stringify(e)).join("\n")}\n`;

export const jsonArray = (entries: SampleEntry[]) => `${JSON.stringify(entries, null, 2)}\n`;

/** One entry per record; braces and backslashes are taken out of the text so every entry is valid BibTeX. */
export function bibtex(entries: SampleEntry[]): string {
  const plain = (text: string) => text.replace(/[{}]/g, "").replace(/\\/g, "/");
  const entry = (e: SampleEntry, i: number) =>
    [
      `@article{fuzz${i},`,
      ...(e.title ? [`  title = {${plain(e.title)}},`] : []),
      `  year = {${e.year}},`,
      `  abstract = {${wrap(plain(e.abstract), 100).join("\n    ")}}`,
      "}",
    ].join("\n");
  return `% exported by a reference manager\n\n${entries.map(entry).join("\n\n")}\n`;
}

/** RFC 4180: every other abstract is a multi-line quoted field. */
export function csv(entries: SampleEntry[]): string {
  const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;
  const rows = entries.map((e, i) => {
    const abstract = i % 2 ? wrap(e.abstract, 160).join("\n") : e.abstract;
    return [e.title ? quote(e.title) : "", quote(abstract), String(e.year)].join(",");
  });
  return `${["title,abstract,year", ...rows].join("\n")}\n`;
}

export function tsv(entries: SampleEntry[]): string {
  const field = (text: string) => text.replace(/[\t"]/g, " ");
  return `${["title\tabstract\tyear", ...entries.map((e) => [field(e.title ?? ""), field(e.abstract), e.year].join("\t"))].join("\n")}\n`;
}

/** Lines that make one record in a file with extension `ext`, for inserting at a record boundary. */
export function recordLines(ext: string, entry: SampleEntry): string[] {
  const plain = entry.abstract.replace(/[{}\\]/g, "");
  switch (ext) {
    case ".jsonl":
      return [JSON.stringify(entry)];
    case ".json":
      return [`  ${JSON.stringify(entry)},`];
    case ".bib":
      return [`@misc{inserted, ${entry.title === null ? "" : `title = {${entry.title}}, `}abstract = {${plain}}}`, ""];
    case ".csv":
      return [`${[entry.title ?? "", entry.abstract].map((f) => `"${f.replace(/"/g, '""')}"`).join(",")},${entry.year}`];
    case ".tsv":
      return [`${entry.title ?? ""}\t${entry.abstract.replace(/[\t"]/g, " ")}\t${entry.year}`];
    default:
      // Text dumps: plaintext is one abstract per line; listing and daily dumps put the title first.
      return entry.title === null ? [entry.abstract] : [entry.title, entry.abstract];
  }
}
