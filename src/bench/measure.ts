import { readFileSync } from "node:fs";

export interface LatencyStats {
  p50: number;
  p95: number;
  max: number;
  /** Timed queries (rounds × fixture queries, fewer if the time budget ran out). */
  queries: number;
  /** Timed queries / fixture queries (fractional when the budget ran out mid-round). */
  rounds: number;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface LatencyPlan {
  warmup: number;
  rounds: number;
  /**
   * Time allowed per mode: timing stops once it is used up (after at least MIN_TIMED queries), so a very slow
   * system is measured on the first queries of round one instead of running for many minutes.
   */
  budgetMs: number;
}

const MIN_TIMED = 10;
/** Warm-up stops early after this long (at least one call): a slow system is warm after one query. */
const WARMUP_MAX_MS = 10_000;

/** Times `run` over the queries: a few warm-up calls, then up to `rounds` timed passes within the time budget. */
export async function measureLatency<Q>(queries: Q[], run: (query: Q) => Promise<unknown>, plan: LatencyPlan): Promise<LatencyStats> {
  const warmupStarted = performance.now();
  for (const query of queries.slice(0, plan.warmup)) {
    await run(query);
    if (performance.now() - warmupStarted > WARMUP_MAX_MS) break;
  }
  const times: number[] = [];
  const started = performance.now();
  timing: for (let round = 0; round < plan.rounds; round++) {
    for (const query of queries) {
      const t = performance.now();
      await run(query);
      times.push(performance.now() - t);
      if (performance.now() - started > plan.budgetMs && times.length >= Math.min(MIN_TIMED, queries.length)) break timing;
    }
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), max: Math.max(...times), queries: times.length, rounds: times.length / queries.length };
}

/** Peak resident memory of the current process (worker threads included), in MiB. */
export class RssMonitor {
  private sampledPeak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 50) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): number {
    const rss = process.memoryUsage().rss;
    this.sampledPeak = Math.max(this.sampledPeak, rss);
    return rss / 2 ** 20;
  }

  /**
   * Max of the 50 ms samples and the kernel's high-water mark (VmHWM), which also catches peaks inside
   * long synchronous stretches where the timer cannot fire.
   */
  peak(): { peakMiB: number; sampledPeakMiB: number; kernelPeakMiB: number | null } {
    this.sample();
    const kernel = kernelPeakRss();
    const sampledPeakMiB = this.sampledPeak / 2 ** 20;
    return { peakMiB: Math.max(sampledPeakMiB, kernel ?? 0), sampledPeakMiB, kernelPeakMiB: kernel };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** VmHWM from /proc/self/status in MiB (null where /proc is missing). */
export function kernelPeakRss(pid: number | "self" = "self"): number | null {
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Current VmRSS of another process in MiB (null once it is gone). */
export function currentRss(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export const seconds = (since: number) => (performance.now() - since) / 1000;
