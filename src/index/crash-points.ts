import { settings } from "../settings.js";
export type CrashPoint = "after-segments" | "before-pointer-swap" | "after-pointer-swap";

/**
 * Fault injection for the crash-safety tests: with CITEWISE_CRASH_AT=<point>, the process kills itself
 * with SIGKILL at that step of publishing an index version (no cleanup, no finally blocks run).
 */
export function crashPoint(point: CrashPoint): void {
  if (settings().faults.crashAt === point) process.kill(process.pid, "SIGKILL");
}
