/**
 * The citation-marker grammar, in one place: "[3]", "[1, 2]", "[2-4]", "[1; 3]", and runs such as
 * "[1][3]". Everything that parses, strips, moves, converts or defuses markers uses these definitions,
 * so the answer checker, the grounding check, the LaTeX renderer and the injection filter agree on what a
 * citation is.
 */

/** Numbers separated by commas, semicolons or a dash (en dash or hyphen). */
const NUMBER_LIST = String.raw`\d+(?:\s*[,;–-]\s*\d+)*`;

/** One marker; group 1 holds its numbers. */
export const MARKER = new RegExp(String.raw`\[(${NUMBER_LIST})\]`, "g");
/** One marker with the spaces before it (stripped with it, so "claim [2]." becomes "claim."). */
const SPACED_MARKER = new RegExp(String.raw`\s*\[${NUMBER_LIST}\]`, "g");
/** Adjacent markers with the space before them: "[1, 2][4]" is one run. */
export const MARKER_RUN = new RegExp(String.raw`\s*\[${NUMBER_LIST}\](?:\s*\[${NUMBER_LIST}\])*`, "g");
/**
 * A full stop followed by markers: "claim. [2]" (the marker belongs to the sentence before the stop),
 * unless a lower-case word follows: in "claim. [2] proposes …" the marker is the next sentence's subject.
 */
const MARKERS_AFTER_STOP = new RegExp(String.raw`([.!?])((?:\s*\[${NUMBER_LIST}\])+)(?!\s*(?:\p{Ll}|\[))\s*`, "gu");

/** The source numbers a marker's inside names: "1, 3-5" → [1, 3, 4, 5] (a reversed or huge range stays two numbers). */
export function markerNumbers(inner: string): number[] {
  const numbers: number[] = [];
  for (const part of inner.split(/\s*[,;]\s*/)) {
    const range = /^(\d+)\s*[–-]\s*(\d+)$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (to >= from && to - from < 50) for (let n = from; n <= to; n++) numbers.push(n);
      else numbers.push(from, to);
    } else if (part) numbers.push(Number(part));
  }
  return numbers;
}

/** The source numbers each marker in `text` cites, in order. */
export function citationsIn(text: string): number[] {
  return [...text.matchAll(MARKER)].flatMap((match) => markerNumbers(match[1]!));
}

export function hasMarker(text: string): boolean {
  return new RegExp(MARKER.source).test(text);
}

/** Text without markers: spaces before them and before the punctuation they left are tidied unless `keepSpacing`. */
export function stripMarkers(text: string, options: { keepSpacing?: boolean } = {}): string {
  if (options.keepSpacing) return text.replace(SPACED_MARKER, "");
  return text
    .replace(MARKER, "")
    .replace(/\s+([.,;:!?])/g, "$1")
    .trim();
}

/** "claim. [2] Next" → "claim [2]. Next": how the grounding check reads a marker written after the full stop. */
export function markersBeforeStop(text: string): string {
  return text.replace(MARKERS_AFTER_STOP, (_, stop: string, markers: string) => ` ${markers.trim()}${stop} `).trimEnd();
}

/** True when a line ends a sentence, with or without markers after the stop. */
export function endsSentence(line: string): boolean {
  return new RegExp(String.raw`[.!?](?:\s*\[${NUMBER_LIST}\])*$`).test(line);
}

/** Replaces every marker run with `convert(numbers, run)` (e.g. "[1, 2][4]" → "~\cite{a,b,d}"). */
export function replaceMarkerRuns(text: string, convert: (numbers: number[], run: string, offset: number) => string): string {
  return text.replace(MARKER_RUN, (run, offset: number) => convert([...new Set(citationsIn(run))], run, offset));
}

/** Rewrites each marker from its numbers (used to drop citations to sources that do not exist). */
export function mapMarkers(text: string, rewrite: (numbers: number[]) => string): string {
  return text.replace(MARKER, (_marker, inner: string) => rewrite(markerNumbers(inner)));
}

/**
 * Marker look-alikes in source text that a reader (or a model) could take for citations: any bracket
 * style ("[", "【", "［", "〔"), any decimal digits (Arabic-Indic too), any dash, spaces, a footnote caret —
 * "[7]", "[ 2 ]", "[4‐5]", "【1】", "[^1]", "[٢]". Group 1 holds the inside.
 */
const OPEN = "\\[【［〔〖⟦〘";
const CLOSE = "\\]】］〕〗⟧〙";
export const MARKER_LOOKALIKE = new RegExp(`[${OPEN}]\\s*\\^?\\s*(\\p{Nd}+(?:\\s*[,;\\p{Pd}~]\\s*\\^?\\s*\\p{Nd}+)*)\\s*[${CLOSE}]`, "gu");
