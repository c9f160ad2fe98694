import { createHash } from "node:crypto";

export function sha1(text: string, length = 40): string {
  return createHash("sha1").update(text).digest("hex").slice(0, length);
}

/** Lower-case ASCII slug; words are kept whole so ids stay readable. */
export function slugify(text: string, maxLength = 60): string {
  const words = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  let slug = "";
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > maxLength) break;
    slug = next;
  }
  return slug || (words[0] ?? "").slice(0, maxLength);
}

const ARXIV_NEW = /\b(\d{4}\.\d{4,5})(v\d+)?\b/;
const ARXIV_OLD = /\b([a-z-]+(?:\.[A-Z]{2})?\/\d{7})(v\d+)?\b/i;

/** Extracts a bare arXiv id (no version) from an id, URL or "arXiv:" string. */
export function parseArxivId(text: string | null | undefined): string | null {
  if (!text) return null;
  const match = ARXIV_NEW.exec(text) ?? ARXIV_OLD.exec(text);
  return match ? match[1]! : null;
}

/** Stable paper id: arXiv id, else title slug, else a hash of the abstract. */
export function paperIdFor(input: { arxivId: string | null; title: string | null; abstract: string }): string {
  if (input.arxivId) return `arxiv:${input.arxivId}`;
  if (input.title) {
    const slug = slugify(input.title);
    if (slug) return slug;
  }
  return `h-${sha1(normalizeForHash(input.abstract), 12)}`;
}

/** Text folded for equality checks: case, punctuation and spacing do not matter. */
export function normalizeForHash(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}
