/** Field parsing shared by every parser (and by reading a user's .bib): DOIs, years, byte-order marks (arXiv ids: ids.ts). */

const DOI_PREFIX = /^(https?:\/\/(dx\.)?doi\.org\/|doi:)/i;

/** "https://doi.org/10.1/x", "doi:10.1/x" and "10.1/x" are the same DOI: the bare form, or null. */
export function cleanDoi(raw: string | null | undefined): string | null {
  const doi = raw?.trim().replace(DOI_PREFIX, "").trim();
  return doi ? doi : null;
}

/** The first plausible publication year (1800–2099) written in the text, or null. */
export function yearIn(text: string | null | undefined): number | null {
  const match = text ? /\b(1[89]\d\d|20\d\d)\b/.exec(text) : null;
  return match ? Number(match[1]) : null;
}

/** Text without a leading byte-order mark (decoders keep it as U+FEFF). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
