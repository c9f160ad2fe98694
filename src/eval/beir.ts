import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import type { RawRecord } from "../corpus/paper.js";
import type { ParsedInputs } from "../ingest/parse-files.js";
import { FixtureError } from "./retrieval-fixtures.js";
import { readJsonLines } from "../corpus/json-lines.js";

/** A BEIR dataset folder: corpus.jsonl(.gz), queries.jsonl, qrels/<split>.tsv. */
export interface BeirDataset {
  corpus: Array<{ id: string; title: string; text: string }>;
  queries: Map<string, string>;
  /** query id -> (doc id -> graded relevance) */
  qrels: Map<string, Map<string, number>>;
}

function readMaybeGzip(dir: string, name: string): string {
  const plain = path.join(dir, name);
  if (existsSync(plain)) return readFileSync(plain, "utf8");
  if (existsSync(`${plain}.gz`)) return gunzipSync(readFileSync(`${plain}.gz`)).toString("utf8");
  throw new FixtureError(`BEIR dataset ${dir} has no ${name} (or ${name}.gz)`);
}

function jsonLines(text: string, file: string): Array<Record<string, unknown>> {
  return readJsonLines<Record<string, unknown>>(text, file, (line, message) => {
    throw new FixtureError(`${file}:${line}: ${message}`);
  }).map((row) => row.value);
}

export function loadBeir(dir: string, split = "test"): BeirDataset {
  const corpus = jsonLines(readMaybeGzip(dir, "corpus.jsonl"), "corpus.jsonl").map((doc) => ({
    id: String(doc._id),
    title: String(doc.title ?? ""),
    text: String(doc.text ?? ""),
  }));
  const queries = new Map<string, string>(jsonLines(readMaybeGzip(dir, "queries.jsonl"), "queries.jsonl").map((q) => [String(q._id), String(q.text)]));
  const qrels = new Map<string, Map<string, number>>();
  const qrelsText = readMaybeGzip(path.join(dir, "qrels"), `${split}.tsv`);
  qrelsText
    .split("\n")
    .slice(1)
    .filter((line) => line.trim())
    .forEach((line) => {
      const [query, doc, score] = line.split("\t");
      if (!query || !doc) return;
      if (!qrels.has(query)) qrels.set(query, new Map());
      qrels.get(query)!.set(doc, Number(score ?? 1));
    });
  return { corpus, queries, qrels };
}

/** BEIR documents as ingest records; the BEIR id travels in citationKey so results map back to qrels. */
export function beirAsParsedInputs(dataset: BeirDataset): ParsedInputs {
  const records: RawRecord[] = dataset.corpus
    .filter((doc) => doc.text.trim())
    .map((doc, i) => ({
      title: doc.title || null,
      abstract: doc.text,
      citationKey: doc.id,
      // The path is what a re-ingest matches records by: without it every record reads as a leftover of a
      // file not given this time, and none is kept (0 documents).
      source: { file: "beir:corpus.jsonl", path: "beir:corpus.jsonl", line: i + 1, format: "jsonl" },
    }));
  return {
    records,
    skipped: [],
    files: [{ file: "beir:corpus.jsonl", path: "beir:corpus.jsonl", format: "jsonl", records: records.length, skipped: 0 }],
    folders: [],
  };
}
