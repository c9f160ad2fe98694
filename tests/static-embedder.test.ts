import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dot } from "../src/index/embedder.js";
import { StaticEmbedder, StaticModelError } from "../src/index/embedders/static.js";

const norm = (v: number[]) => Math.sqrt(dot(v, v));

describe("static embedder (USE-Lite distilled)", () => {
  const embedder = new StaticEmbedder();

  it("is named after its dimension and gives unit, deterministic vectors for any text", async () => {
    expect(embedder.name).toBe("use-lite-static-256");
    const texts = ["Graph neural networks for molecules", "", "   ", "机器学习框架的规模和复杂性", "zzqxv 🙂"];
    const a = await embedder.embedDocuments(texts);
    const b = await embedder.embedDocuments(texts);
    expect(a).toEqual(b);
    for (const v of a) {
      expect(v).toHaveLength(256);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it("puts related texts closer than unrelated ones", async () => {
    const [q, near, far] = await embedder.embedDocuments([
      "protein structure prediction with deep learning",
      "predicting the 3D folding of proteins using neural networks",
      "a survey of tax policy in developing economies",
    ]);
    expect(dot(q!, near!)).toBeGreaterThan(dot(q!, far!));
  });

  it("refuses a missing or damaged table with one line", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cw-static-"));
    expect(() => new StaticEmbedder(path.join(dir, "none.bin"))).toThrow(StaticModelError);
    const bad = path.join(dir, "bad.bin");
    writeFileSync(bad, "not a table");
    expect(() => new StaticEmbedder(bad)).toThrow(/damaged.*--embedder use-lite-512/);
  });
});
