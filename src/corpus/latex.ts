/**
 * LaTeX in abstracts (arXiv metadata, BibTeX) rendered to the plain text a reader sees: `$6\times$` → 6×,
 * `40-50\%` → 40-50%, `{\em finite}` → finite, `na\"{\i}ve` → naïve, `~\cite{x}` removed. Applied once at
 * ingest, so chunks, search, the judge, prompts and the terminal all see the same text. Only what is
 * unambiguous is rewritten: a "$" that does not open a short formula (prices, "$5 and $10") stays.
 */
export function latexToText(text: string): string {
  if (!/[\\$~]|\b(?:leq|geq)\b|\dtimes\b/.test(text)) return text;
  let out = renderAccents(
    text
      .replace(CITE, "")
      .replace(/~[a-z][a-z-]*\d{4}[a-z0-9]*\b/g, "")
      .replace(/\{\\(?:em|it|bf|sl|sc|tt|rm)\s+([^{}]*)\}/g, "$1"),
  )
    .replace(/\{\\deg\}|\\deg\b|\^\{?\\circ\}?/g, "°")
    .replace(/\$([^$\s](?:[^$]{0,78}[^$\s])?)\$/g, (_, formula: string) => renderMath(formula))
    .replace(/\\([%&_#$])/g, "$1")
    .replace(/(?<=[\p{L}.])~(?=[\p{L}\d\\])/gu, " ");
  // Backslashes lost upstream ("(p leq 0.01)", "8times", "DNAS~wu2018mixed"): operators only between spaces,
  // before a number or a single letter; "times" only right after a digit; a tie only before a citation key.
  out = out.replace(/ (leq|geq|neq) (?=[\d.]|\p{L}\b)/gu, (_, op: string) => ` ${SYMBOLS[op]} `).replace(/(?<=\d)times\b/g, "×");
  // A macro outside math is a symbol or, when unknown (\hiformer, \causalml: the paper's own name), its name.
  out = out.replace(STYLE, "$1").replace(/\\([A-Za-z]+)\b/g, (_, name: string) => SYMBOLS[name] ?? name);
  return out.replace(/ {2,}/g, " ").replace(/ ([,.;:)])/g, "$1");
}

/**
 * Inside $…$: symbols and styling; grouping braces dropped except those of ^{…} and _{…}. Scripts stay "^2", "_0":
 * Unicode superscripts would not survive NFKC when a paper is normalised again.
 */
function renderMath(formula: string): string {
  return formula
    .replace(/\\(?:left|right|big|Big|,|;|!|quad)\b\s?/g, "")
    .replace(STYLE, "$1")
    .replace(/\\([A-Za-z]+)\b\s?/g, (whole, name: string) => SYMBOLS[name] ?? whole)
    .replace(/(?<![\^_\\])\{([^{}]*)\}/g, "$1")
    .replace(/\\([{}])/g, "$1");
}

/** \cite-like commands with their optional tie and arguments: references mean nothing outside the paper. */
const CITE = /~?\\(?:cite[a-z]*|ref|eqref|autoref|cref|label)\*?(?:\[[^\]]*\])*\{[^}]*\}/g;
/** \textbf{x}, \emph{x}, \mathcal{x}, …: the argument is the text. */
const STYLE = /\\(?:text(?:bf|it|rm|sc|sf|tt|sl|up|normal)?|emph|math(?:rm|bf|it|cal|bb|sf|tt|frak)|operatorname|boldsymbol|bm|mbox|hbox|url)\{([^{}]*)\}/g;
/**
 * Accented and special letters (\"a, \" {a}, \'{\i}, \c{c}, \u a, \ss, \o, \l …) as Unicode: the one decoder for
 * BibTeX fields (ingest/parsers/bibtex.ts) and abstracts.
 */
export function renderAccents(text: string): string {
  const accent = (mark: string, letter: string) => {
    // Dotless i/j carry the accent in LaTeX ('\'{\i}'); Unicode wants the ordinary letter.
    const base = letter === "\\i" ? "i" : letter === "\\j" ? "j" : letter;
    return (base + ACCENTS[mark]).normalize("NFC");
  };
  return text
    .replace(/\\(["'`^~=.])\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))/g, (_, m, a, b) => accent(m, a ?? b))
    .replace(/\\([uvHckr])(?:\s*\{\s*(\\[ij]|[A-Za-z])\s*\}|\s+([A-Za-z]))/g, (_, m, a, b) => accent(m, a ?? b))
    .replace(/\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])\s*(\{\})?/g, (_, name: string) => LETTERS[name]!);
}

const ACCENTS: Record<string, string> = {
  '"': "\u0308",
  "'": "\u0301",
  "`": "\u0300",
  "^": "\u0302",
  "~": "\u0303",
  "=": "\u0304",
  ".": "\u0307",
  u: "\u0306",
  v: "\u030c",
  H: "\u030b",
  c: "\u0327",
  k: "\u0328",
  r: "\u030a",
};
const LETTERS: Record<string, string> = {
  ss: "ß",
  o: "ø",
  O: "Ø",
  ae: "æ",
  AE: "Æ",
  oe: "œ",
  OE: "Œ",
  aa: "å",
  AA: "Å",
  l: "ł",
  L: "Ł",
  i: "ı",
  j: "ȷ",
};

const SYMBOLS: Record<string, string> = {
  times: "×",
  cdot: "·",
  pm: "±",
  mp: "∓",
  leq: "≤",
  le: "≤",
  geq: "≥",
  ge: "≥",
  neq: "≠",
  ne: "≠",
  approx: "≈",
  sim: "~",
  propto: "∝",
  infty: "∞",
  to: "→",
  rightarrow: "→",
  leftarrow: "←",
  Rightarrow: "⇒",
  in: "∈",
  sum: "∑",
  prod: "∏",
  sqrt: "√",
  partial: "∂",
  nabla: "∇",
  ell: "l",
  log: "log",
  exp: "exp",
  ldots: "...",
  dots: "...",
  cdots: "...",
  alpha: "α",
  beta: "β",
  gamma: "γ",
  delta: "δ",
  epsilon: "ε",
  varepsilon: "ε",
  zeta: "ζ",
  eta: "η",
  theta: "θ",
  iota: "ι",
  kappa: "κ",
  lambda: "λ",
  mu: "μ",
  nu: "ν",
  xi: "ξ",
  pi: "π",
  rho: "ρ",
  sigma: "σ",
  tau: "τ",
  upsilon: "υ",
  phi: "φ",
  varphi: "φ",
  chi: "χ",
  psi: "ψ",
  omega: "ω",
  Gamma: "Γ",
  Delta: "Δ",
  Theta: "Θ",
  Lambda: "Λ",
  Xi: "Ξ",
  Pi: "Π",
  Sigma: "Σ",
  Phi: "Φ",
  Psi: "Ψ",
  Omega: "Ω",
};
