/** Site chrome found in page dumps of paper listings; removed before parsing. */
const CHROME_LINES = [
  /^new$/i,
  /^get trending papers in your email inbox( once a day)?!?$/i,
  /^subscribe$/i,
  /^daily papers$/i,
  /^by\s*ak and the research community$/i,
  /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}$/i, // the page's own date header
];

export function isChromeLine(line: string): boolean {
  return CHROME_LINES.some((pattern) => pattern.test(line.trim()));
}

/** "SubscribeNorm of Word..." -> "Norm of Word...": the button label glued to the first title. */
export function stripGluedSubscribe(line: string): string {
  return line.replace(/^Subscribe(?=\p{Lu}|\d)/u, "");
}
