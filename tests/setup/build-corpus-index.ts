import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ingest } from "../../src/ingest/pipeline.js";
import { UseLiteEmbedder } from "../../src/index/embedders/use-lite.js";

/** Builds one index of the bundled corpus with the real offline embedder; tests read it via inject("corpusIndex"). */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "citewise-corpus-index-"));
  const embedder = new UseLiteEmbedder();
  const report = await ingest({ inputs: [path.resolve("data")], indexDir: dir, embedder, baseDir: path.resolve(".") });
  await embedder.close();
  project.provide("corpusIndex", dir);
  project.provide("corpusIngestReport", JSON.stringify(report));
  return () => rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    corpusIndex: string;
    corpusIngestReport: string;
  }
}
