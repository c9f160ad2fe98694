import type { DatasetMeta } from "./dataset.js";
import type { LatencyStats } from "./measure.js";
import type { ChildOutcome } from "./run-child.js";
import { BENCH_MODES, type BenchMode, type InsertStats } from "./systems/types.js";

export interface SizeReport {
  label: string;
  corpus: DatasetMeta;
  prepSeconds: number;
  systems: Record<string, ChildOutcome>;
}

export interface RatioRow {
  label: string;
  peer: string;
  /** citewise / peer; null where either side has no figure. */
  insertChunksPerSecond: number | null;
  peakRss: number | null;
  latency: Partial<Record<BenchMode, { p50: number | null; p95: number | null; peerMode: string }>>;
}

export interface BenchReport {
  startedAt: string;
  wallSeconds: number;
  machine: { cpus: number; memoryGiB: number; node: string };
  options: {
    sizes: string[];
    systems: string[];
    queries: number;
    seed: number;
    k: number;
    warmup: number;
    rounds: number;
    budgetSeconds: number;
    timeoutMinutes: number;
    heapMiB: number;
    /** Peers run only at sizes up to this one. */
    peersUpTo?: string;
  };
  versions: Record<string, string>;
  sentenceCache: { file: string; texts: number; embeddedThisRun: number; seconds: number; textsPerSecond: number | null };
  bundled: ChildOutcome | null;
  sizes: SizeReport[];
  ratios: RatioRow[];
  notes: string[];
}

type Result = {
  insert?: InsertStats;
  latencyMs?: Partial<Record<BenchMode, LatencyStats & { peerMode?: string }>>;
  memory?: { peakMiB: number };
  baselineRssMiB?: number;
} & Record<string, unknown>;
const resultOf = (outcome: ChildOutcome | undefined) => (outcome?.result ?? {}) as Result;
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 && Number.isFinite(a) ? a / b : null);

export function computeRatios(sizes: SizeReport[]): RatioRow[] {
  const rows: RatioRow[] = [];
  for (const size of sizes) {
    const ours = resultOf(size.systems.citewise);
    if (!size.systems.citewise) continue;
    for (const [peer, outcome] of Object.entries(size.systems)) {
      if (peer === "citewise") continue;
      const theirs = resultOf(outcome);
      const latency: RatioRow["latency"] = {};
      for (const mode of BENCH_MODES) {
        const t = theirs.latencyMs?.[mode];
        if (!t) continue;
        const o = ours.latencyMs?.[mode];
        latency[mode] = { p50: ratio(o?.p50, t.p50), p95: ratio(o?.p95, t.p95), peerMode: t.peerMode ?? mode };
      }
      rows.push({
        label: size.label,
        peer,
        insertChunksPerSecond: ratio(ours.insert?.chunksPerSecond, theirs.insert?.chunksPerSecond),
        peakRss: ratio(ours.memory?.peakMiB, theirs.memory?.peakMiB),
        latency,
      });
    }
  }
  return rows;
}

function table(header: string[], rows: string[][], rightAlignFrom = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    "  " +
    cells
      .map((cell, i) => (i >= rightAlignFrom ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

const num = (value: number | undefined | null, digits = 1) => (value === undefined || value === null || !Number.isFinite(value) ? "-" : value.toFixed(digits));
/** "p50 / p95", marked with the number of timed queries when the time budget stopped timing within round one. */
const pair = (l: LatencyStats | undefined, fullRound = 0) => (l ? `${num(l.p50)} / ${num(l.p95)}${l.queries < fullRound ? ` (${l.queries}q)` : ""}` : "-");
const x = (value: number | null | undefined) =>
  value === null || value === undefined
    ? "-"
    : value >= 100
      ? value.toFixed(0)
      : value >= 10
        ? value.toFixed(1)
        : value >= 0.01
          ? value.toFixed(2)
          : value.toPrecision(2);
const duration = (s: number) => (s >= 90 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

export function renderReport(report: BenchReport): string {
  let out = "";
  const { options: o } = report;
  out += `citewise bench — ${report.machine.cpus} cores, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}; run took ${duration(report.wallSeconds)}\n`;
  out += `peers: ${Object.entries(report.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(", ")}\n`;
  out += `queries: ${o.queries} fixture queries (evals/retrieval.jsonl), ${o.warmup} warm-up (≤10 s), up to ${o.rounds} timed rounds, a mode stops once it used ${o.budgetSeconds} s (after ≥10 queries); top-${o.k}; query vectors precomputed with USE-Lite and shared\n`;
  out += `each system × size runs in its own Node process (limit ${o.timeoutMinutes} min, heap ${o.heapMiB} MiB); peak RSS = max(50 ms samples, kernel VmHWM)\n`;
  const loads = [report.bundled, ...report.sizes.flatMap((size) => Object.values(size.systems))].flatMap((outcome) => (outcome ? [outcome.loadBefore] : []));
  if (loads.length)
    out += `1-min load average before each run: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${report.machine.cpus} cores (well above ~1 means other processes competed for the CPU)\n`;
  out += "\n";

  const b = report.bundled;
  const sc = report.sentenceCache;
  out += `[A] REAL EMBEDDER, END TO END — USE-Lite 512-d on the bundled corpus data/\n`;
  if (b) {
    const r = resultOf(b);
    const corpus = r.corpus as { records: number; papers: number; chunks: number } | undefined;
    const embed = r.embedderOnly as { seconds: number; chunksPerSecond: number } | undefined;
    if (corpus) out += `  corpus: ${corpus.records} abstracts → ${corpus.papers} papers, ${corpus.chunks} chunks\n`;
    if (r.insert)
      out += `  ingest: ${num(r.insert.seconds)} s = ${num(r.insert.abstractsPerSecond)} abstracts/s, ${num(r.insert.chunksPerSecond)} chunks/s   (embedding alone: ${num(embed?.seconds)} s = ${num(embed?.chunksPerSecond)} chunks/s)\n`;
    out += `  re-ingest, nothing changed: ${num(r.reingestUnchangedSeconds as number | undefined, 2)} s;  index load: ${num(r.indexLoadMs as number | undefined, 0)} ms;  peak RSS ${num(r.memory?.peakMiB, 0)} MiB (embedding worker threads included)\n`;
    out += `  search p50 / p95 ms: bm25 ${pair(r.latencyMs?.bm25)}, dense ${pair(r.latencyMs?.dense)}, hybrid ${pair(r.latencyMs?.hybrid)};  hybrid incl. query embedding ${pair(r.hybridEndToEndMs as LatencyStats | undefined)}\n`;
    out += denseLine(r);
    if (b.status !== "ok") out += `  ${b.status}: ${b.reason}\n`;
  } else {
    out += `  not run (citewise not among --systems)\n`;
  }
  out += `  sentence-vector cache (${sc.file}): ${sc.texts} texts (sentences + titles of data/, queries); embedded this run: ${sc.embeddedThisRun}`;
  out += sc.embeddedThisRun > 0 ? ` in ${num(sc.seconds)} s = ${num(sc.textsPerSecond)} texts/s\n\n` : ` (all cached)\n\n`;

  out += `[B] SYNTHETIC CORPORA (seed ${o.seed}; real sentences of data/ recombined, real titles) — INDEX-SIDE figures with CACHED vectors\n`;
  out += `  citewise insert = its full ingest (records → papers → chunks → cached sentence-mean vectors → index files on disk), no model runs;\n`;
  out += `  peers insert the same chunks with the same vectors, in memory only.  latency: citewise returns ${o.k} papers (100 chunk candidates per retriever, RRF, MMR), peers ${o.k} chunks.\n`;
  const rows: string[][] = [];
  for (const size of report.sizes) {
    for (const [system, outcome] of Object.entries(size.systems)) {
      const r = resultOf(outcome);
      const lat = (mode: BenchMode) => pair(r.latencyMs?.[mode], o.queries);
      rows.push([
        size.label,
        String(size.corpus.records),
        String(size.corpus.chunks),
        system,
        outcome.status,
        num(r.insert?.chunksPerSecond, 0),
        num(r.insert?.abstractsPerSecond, 0),
        num(r.insert?.seconds, 1),
        system === "citewise" ? num(r.indexLoadMs as number | undefined, 0) : "",
        system === "citewise" ? num(r.reingestUnchangedSeconds as number | undefined, 1) : "",
        lat("bm25"),
        lat("dense"),
        lat("hybrid"),
        `${num(r.baselineRssMiB, 0)} / ${r.memory ? num(r.memory.peakMiB, 0) : `>${num(outcome.observedPeakRssMiB, 0)}`}`,
        system === "citewise" ? num((r.ingestMemory as { peakMiB?: number } | undefined)?.peakMiB, 0) : "",
        system === "citewise" ? num(r.diskMiB as number | undefined, 0) : "",
      ]);
    }
  }
  out += table(
    [
      "size",
      "records",
      "chunks",
      "system",
      "status",
      "chunks/s",
      "abstr/s",
      "insert s",
      "load ms",
      "re-ingest s",
      "bm25 p50/p95 ms",
      "dense p50/p95 ms",
      "hybrid p50/p95 ms",
      "RSS base/peak MiB",
      "ingest RSS",
      "disk MiB",
    ],
    rows,
    1,
  );
  for (const size of report.sizes) {
    const r = resultOf(size.systems.citewise);
    if (size.systems.citewise && r.denseRecall) out += `  ${size.label} citewise:${denseLine(r).slice(1)}`;
  }
  out += `  citewise runs twice: ingest + unchanged re-ingest in one process ("ingest RSS" = its peak), then open ("load ms") and queries in a\n`;
  out += `   fresh process ("RSS base/peak" = that process: what querying costs); disk = the index folder after ingest.\n`;
  if (o.peersUpTo) out += `  peers run up to ${o.peersUpTo} chunks (--peers-up-to): beyond that they hold every vector in JavaScript arrays.\n`;
  out += `  (orama: bm25 = its full-text BM25, dense = vector mode, hybrid = full text + vector; langchain: dense only;\n`;
  out += `   "(Nq)": the ${o.budgetSeconds} s budget per mode ran out after N of the ${o.queries} queries, so the figure covers those only)\n`;

  const bundledEmbed = b ? (resultOf(b).embedderOnly as { chunksPerSecond: number } | undefined)?.chunksPerSecond : undefined;
  const projections = report.sizes
    .map((size) => {
      const index = resultOf(size.systems.citewise).insert?.chunksPerSecond;
      if (!index || !bundledEmbed) return null;
      const rate = 1 / (1 / index + 1 / bundledEmbed);
      return `${size.label} ≈ ${num(rate)} chunks/s (${duration(size.corpus.chunks / rate)})`;
    })
    .filter(Boolean);
  if (projections.length)
    out += `  PROJECTED (not measured) citewise ingest with the real embedder = index side + ${num(bundledEmbed)} chunks/s embedding from [A]: ${projections.join("; ")}\n`;
  const e2e = report.sizes
    .map((size) => ({ size, l: resultOf(size.systems.citewise).hybridEndToEndMs as LatencyStats | undefined }))
    .filter(({ l }) => l)
    .map(({ size, l }) => `${size.label} ${pair(l)}`);
  if (e2e.length) out += `  citewise hybrid incl. query embedding by USE-Lite, p50 / p95 ms: ${e2e.join("; ")}\n`;
  out += "\n";

  out += `[C] RATIOS citewise / peer — insert: >1 means citewise inserts faster; p50, p95, peak RSS: <1 means citewise is faster / smaller\n`;
  const ratioRows = report.ratios.map((row) => [
    row.label,
    row.peer,
    x(row.insertChunksPerSecond),
    x(row.peakRss),
    ...BENCH_MODES.flatMap((mode) => {
      const l = row.latency[mode];
      return l ? [`${x(l.p50)} / ${x(l.p95)}`] : ["-"];
    }),
  ]);
  out += table(["size", "peer", "insert", "peak RSS", "bm25 vs full-text p50/p95", "dense p50/p95", "hybrid p50/p95"], ratioRows, 2);

  const problems = report.sizes.flatMap((size) =>
    Object.entries(size.systems)
      .filter(([, o]) => o.status !== "ok")
      .map(([system, o]) => `  ${size.label} ${system}: ${o.status} — ${o.reason}`),
  );
  if (b && b.status !== "ok") problems.unshift(`  bundled citewise-real: ${b.status} — ${b.reason}`);
  if (problems.length) out += `\nnot measured:\n${problems.join("\n")}\n`;
  if (report.notes.length) out += `\nnotes:\n${report.notes.map((note) => `  - ${note}`).join("\n")}\n`;
  return out;
}

/** citewise's default dense search (int8 scan, exact re-rank) against exact brute force: recall and what exact costs. */
function denseLine(r: Result): string {
  const recall = r.denseRecall as { queries: number; recallAt10: number; recallAt10Of100: number } | undefined;
  const exact = r.exactLatencyMs as Partial<Record<BenchMode, LatencyStats>> | undefined;
  if (!recall) return "";
  return (
    `  dense recall@10 vs exact (${recall.queries} queries): ${recall.recallAt10.toFixed(3)} at k 10, ${recall.recallAt10Of100.toFixed(3)} within the 100 candidates;` +
    `  with exact dense search (--exact) p50 / p95 ms: dense ${pair(exact?.dense)}, hybrid ${pair(exact?.hybrid)}\n`
  );
}
