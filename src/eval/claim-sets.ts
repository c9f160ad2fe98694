import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { readJsonLines } from "../corpus/json-lines.js";
import { UserError } from "../errors.js";
import { splitSentences } from "../text/sentences.js";

/** A claim-verification label as the SciFact format writes it (NEI: the doc is cited without evidence). */
export type ClaimLabel = "SUPPORT" | "CONTRADICT" | "NEI";
export const CLAIM_LABELS: ClaimLabel[] = ["SUPPORT", "CONTRADICT", "NEI"];

export interface ClaimDoc {
  id: string;
  title: string;
  sentences: string[];
}

/** One (claim, cited abstract) pair with its gold label and rationale sentence indices. */
export interface ClaimPair {
  claimId: string;
  claim: string;
  doc: ClaimDoc;
  label: ClaimLabel;
  rationale: number[];
}

interface CorpusLine {
  doc_id?: number | string;
  _id?: string;
  title?: string;
  abstract?: string[];
  text?: string;
}

interface ClaimLine {
  id: number | string;
  claim: string;
  doc_ids?: (number | string)[];
  cited_doc_ids?: (number | string)[];
  evidence?: Record<string, { sentences: number[]; label: string }[]>;
}

function readMaybeGzip(dir: string, name: string): { bytes: Buffer; file: string } | null {
  for (const file of [join(dir, name), join(dir, `${name}.gz`)]) {
    if (existsSync(file)) {
      const raw = readFileSync(file);
      return { bytes: file.endsWith(".gz") ? gunzipSync(raw) : raw, file };
    }
  }
  return null;
}

/**
 * Reads a SciFact-format claim set: `corpus.jsonl[.gz]` (SciFact `{doc_id, title, abstract: [sentences]}` or
 * BEIR `{_id, title, text}`, whose text is split into sentences here) and `claims_<split>.jsonl`. Each cited
 * doc becomes one pair; a cited doc without evidence is NEI.
 */
export function loadClaimSet(dir: string, split: string): ClaimPair[] {
  const corpusFile = readMaybeGzip(dir, "corpus.jsonl");
  if (!corpusFile) throw new UserError(`${dir}: no corpus.jsonl (or corpus.jsonl.gz): not a SciFact-format claim set`);
  const claimsFile = join(dir, `claims_${split}.jsonl`);
  if (!existsSync(claimsFile)) throw new UserError(`${claimsFile}: no such file (--split ${split})`);
  const docs = new Map<string, ClaimDoc>();
  for (const { value, line } of readJsonLines<CorpusLine>(corpusFile.bytes, corpusFile.file)) {
    const id = String(value.doc_id ?? value._id ?? "");
    if (!id) throw new UserError(`${corpusFile.file}:${line}: a document without doc_id or _id`);
    const sentences = Array.isArray(value.abstract) ? value.abstract.map(String) : splitSentences(String(value.text ?? ""));
    docs.set(id, { id, title: String(value.title ?? ""), sentences });
  }
  const pairs: ClaimPair[] = [];
  for (const { value, line } of readJsonLines<ClaimLine>(readFileSync(claimsFile), claimsFile)) {
    if (typeof value.claim !== "string") throw new UserError(`${claimsFile}:${line}: no "claim" string`);
    for (const cited of value.doc_ids ?? value.cited_doc_ids ?? []) {
      const doc = docs.get(String(cited));
      if (!doc) throw new UserError(`${claimsFile}:${line}: cites doc ${cited}, which is not in the corpus`);
      const evidence = value.evidence?.[String(cited)] ?? [];
      const label = evidence.length === 0 ? "NEI" : evidence[0]!.label === "CONTRADICT" ? "CONTRADICT" : "SUPPORT";
      pairs.push({ claimId: String(value.id), claim: value.claim.trim(), doc, label, rationale: [...new Set(evidence.flatMap((e) => e.sentences))] });
    }
  }
  return pairs;
}
