import type { SourceFormat } from "../corpus/paper.js";
import { isChromeLine } from "./parsers/chrome.js";
import { looksLikeAbstract } from "./parsers/listing.js";

const EXTENSION_FORMATS: Record<string, SourceFormat> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "jsonl",
  ".bib": "bibtex",
  ".bibtex": "bibtex",
  ".csv": "csv",
  ".tsv": "csv",
  ".ris": "ris",
  ".xml": "xml",
  ".atom": "xml",
  ".rss": "xml",
};

/** Picks a parser from the extension, then from the content of the first lines. */
export function detectFormat(fileName: string, text: string): SourceFormat {
  const extension = /\.[a-z]+$/i.exec(fileName)?.[0]?.toLowerCase() ?? "";
  const byExtension = EXTENSION_FORMATS[extension];
  if (byExtension) return byExtension;

  const head = text.slice(0, 20_000);
  const trimmed = head.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return "jsonl";
  if (/^\s*@\w+\s*\{/m.test(head)) return "bibtex";
  if (/^(?:\uFEFF)?\s*TY {1,2}- /m.test(head.slice(0, 2_000))) return "ris";
  if (/^<(?:\?xml|feed|rss|rdf:RDF)\b/i.test(trimmed)) return "xml";

  const lines = head.split(/\r\n|\r|\n/).map((line) => line.trim());
  const header = (lines[0] ?? "").replace(/^\uFEFF/, "");
  if (/^"?title"?\s*[,;\t]/i.test(header) || /[,;\t]\s*"?(abstract|abstract note|summary)"?\s*([,;\t]|$)/i.test(header)) return "csv";
  if (lines.some((line) => /^[•·]?\s*\d+\s+authors?$/i.test(line))) return "daily";
  if (lines.some((line) => isChromeLine(line) && line.length > 3)) return "listing";

  // No chrome: listings alternate short title lines and long abstract lines; plain text is all long lines.
  const content = lines.filter(Boolean).slice(0, 40);
  const shortLines = content.filter((line) => !looksLikeAbstract(line)).length;
  return shortLines >= content.length / 3 ? "listing" : "plaintext";
}
