import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { crashPoint } from "../crash-points.js";
import { writeFileAtomic } from "../files.js";

/**
 * An index directory holds numbered generations and a CURRENT pointer. Ingest writes a complete new
 * generation and then swaps the pointer with one atomic rename, so a crash mid-ingest leaves the
 * previous generation intact and readable.
 */
export const CURRENT_FILE = "CURRENT";

export function currentGeneration(indexDir: string): string | null {
  const pointer = path.join(indexDir, CURRENT_FILE);
  if (!existsSync(pointer)) return null;
  const name = readFileSync(pointer, "utf8").trim();
  return name && existsSync(path.join(indexDir, name)) ? path.join(indexDir, name) : null;
}

export function createGenerationDir(indexDir: string): string {
  mkdirSync(indexDir, { recursive: true });
  const numbers = readdirSync(indexDir)
    .map((name) => /^gen-(\d+)$/.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  const name = `gen-${String(Math.max(0, ...numbers) + 1).padStart(6, "0")}`;
  const dir = path.join(indexDir, name);
  mkdirSync(dir);
  return dir;
}

/** Points CURRENT at the new generation, then removes older and abandoned generations. */
export function publishGeneration(indexDir: string, generationDir: string): void {
  const name = path.basename(generationDir);
  writeFileAtomic(path.join(indexDir, CURRENT_FILE), `${name}\n`);
  crashPoint("after-pointer-swap");
  for (const entry of readdirSync(indexDir)) {
    if (/^gen-\d+$/.test(entry) && entry !== name) rmSync(path.join(indexDir, entry), { recursive: true, force: true });
  }
}
