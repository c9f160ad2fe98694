/**
 * Numbers as a claim and its sources state them, in one canonical form so that "4.24 X", "4.24×" and
 * "$4.24\times$" compare equal, and so do "12 %" and "12 percent", "1,200" and "1200", "0.50" and "0.5".
 * Callers pass text without citation markers (a "[2]" would read as the number 2).
 */

/** An integer part (with "," or space thousands groups of exactly three digits) and an optional decimal part. */
const VALUE = String.raw`(\d{1,3}(?:(?:,|[ \u00A0\u2009\u202F])\d{3})+(?!\d)|\d+)(?:\.(\d+))?`;
/** "x", "×", "times", LaTeX "\times" (with or without $…$), or a percent sign / word after the value. */
const SUFFIX = String.raw`(?:[ \u00A0]?(\$?\s*\\times\b\s*\$?|×|[xX](?![\p{L}\d])|times\b)|[ \u00A0]?(\\?%|percent\b|per cent\b))?`;
/** A range whose second value carries the unit: "1.5–3x", "10-20%" (the first value takes it too). */
const RANGE_DASH = /^\s*(?:[–—-]|to)\s*$/;

const NUMBER = new RegExp(String.raw`(?<![\d.])\$?${VALUE}${SUFFIX}`, "gu");

interface Found {
  value: string;
  unit: "" | "x" | "%";
  start: number;
  end: number;
}

function canonical(integer: string, decimals: string | undefined): string {
  const whole = integer.replace(/[^\d]/g, "").replace(/^0+(?=\d)/, "");
  const fraction = (decimals ?? "").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

/** Every number in `text`, canonical: "4.24x", "12%", "1200", "0.5" (years and plain integers as written). */
export function numbersIn(text: string): string[] {
  const found: Found[] = [];
  for (const match of text.matchAll(NUMBER)) {
    const unit = match[3] ? "x" : match[4] ? "%" : "";
    found.push({ value: canonical(match[1]!, match[2]), unit, start: match.index, end: match.index + match[0].length });
  }
  // "1.5–3x": the bare first value of a range shares the unit written once at its end.
  for (let i = found.length - 2; i >= 0; i--) {
    const [first, second] = [found[i]!, found[i + 1]!];
    if (first.unit === "" && second.unit !== "" && RANGE_DASH.test(text.slice(first.end, second.start))) first.unit = second.unit;
  }
  return found.map((number) => number.value + number.unit);
}

/**
 * Numbers of `claim` that none of `evidence` states. A bare number is found in any form of the same
 * value ("6" in "6x"); one with a unit needs the same unit ("6x" is not found in "6 layers").
 */
export function missingNumbers(claim: string, evidence: string[]): string[] {
  const stated = new Set(evidence.flatMap(numbersIn));
  const values = new Set([...stated].map((number) => number.replace(/[x%]$/, "")));
  return [...new Set(numbersIn(claim))].filter((number) => !(stated.has(number) || (/\d$/.test(number) && values.has(number))));
}
