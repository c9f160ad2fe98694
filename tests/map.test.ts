import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { runCliAsync, tempDir } from "./helpers.js";

/** `citewise map` and `summarize --map` as a user runs them, on the shared index of the bundled corpus. */
const TOPIC = "efficient inference for large language models";
const map = (args: string[], cwd?: string) => runCliAsync(["--index", inject("corpusIndex"), "map", ...args], { cwd });

const oneLineError = (result: { code: number | null; stderr: string }, pattern: RegExp) => {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^citewise: error: /);
  expect(lines[0]).toMatch(pattern);
};

/** Every reference to somewhere else: the SVG namespace is a name, not a fetch. */
const externalReferences = (text: string) => text.replaceAll('xmlns="http://www.w3.org/2000/svg"', "").match(/https?:\/\/\S*/g) ?? [];

describe("citewise map", () => {
  it("writes a self-contained HTML map and prints every paper's and theme's position with --json", async () => {
    const dir = tempDir();
    const out = path.join(dir, "m.html");
    const result = await map([TOPIC, "-k", "12", "--out", out, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({ topic: TOPIC, answered: true, format: "html", file: out });
    expect(body.papers.length).toBeGreaterThanOrEqual(6);
    expect(body.papers.length).toBeLessThanOrEqual(12);
    for (const paper of body.papers) {
      expect(Object.keys(paper)).toEqual(expect.arrayContaining(["id", "title", "year", "theme", "x", "y"]));
      expect(Number.isFinite(paper.x) && Number.isFinite(paper.y)).toBe(true);
    }
    expect(new Set(body.papers.map((p: { x: number; y: number }) => `${p.x},${p.y}`)).size).toBe(body.papers.length);
    expect(body.themes.reduce((sum: number, t: { count: number }) => sum + t.count, 0)).toBe(body.papers.length);
    expect(new Set(body.papers.map((p: { theme: string }) => p.theme))).toEqual(new Set(body.themes.map((t: { name: string }) => t.name)));

    const html = readFileSync(out, "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(externalReferences(html)).toEqual([]);
    expect(html).not.toMatch(/\s(?:src|href)=/);
    expect(html.match(/<circle class="paper-marker"/g)).toHaveLength(body.papers.length);
    for (const paper of body.papers) expect(html).toContain(`data-id="${paper.id}"`);
  });

  it("writes SVG for a .svg file, and to standard output with --out -", async () => {
    const dir = tempDir();
    const out = path.join(dir, "map.svg");
    const svg = await map([TOPIC, "-k", "8", "--out", out]);
    expect(svg.code, svg.stderr).toBe(0);
    expect(svg.stdout).toMatch(/^Wrote a map of \d+ papers in \d+ themes? to .*map\.svg/);
    const text = readFileSync(out, "utf8");
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(externalReferences(text)).toEqual([]);

    const piped = await map([TOPIC, "-k", "8", "--out", "-", "--format", "svg"]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(/^<\?xml/);
    expect(piped.stderr).toMatch(/Wrote a map of/);
  });

  it("writes ./citewise-map.html by default and replaces it only with --force", async () => {
    const dir = tempDir();
    const file = path.join(dir, "citewise-map.html");
    writeFileSync(file, "my notes\n");
    oneLineError(await map([TOPIC, "-k", "6"], dir), /citewise-map\.html already exists and was not replaced; pass --force/);
    expect(readFileSync(file, "utf8")).toBe("my notes\n");
    const forced = await map([TOPIC, "-k", "6", "--force"], dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^<!DOCTYPE html>/);
  });

  it("refuses a wrong argument with one line naming it, exit 2, before any work", async () => {
    const dir = tempDir();
    oneLineError(await map([TOPIC, "--out", path.join(dir, "map.png")]), /--out .*map\.png: a map is an \.html or \.svg file.*--format html\|svg/);
    oneLineError(await map([TOPIC, "--format", "pdf"]), /--format must be one of html, svg \(got "pdf"\)/);
    oneLineError(await map([TOPIC, "--themes", "9"]), /--themes must be a whole number from 1 to 8/);
    oneLineError(await map([TOPIC, "--out", "-", "--json"]), /--out - and --json would both write to standard output/);
    oneLineError(await map([TOPIC, "--out", dir, "--format", "html"]), /is a folder/);
    oneLineError(await map(["  "]), /the topic is empty/);
    expect(existsSync(path.join(dir, "map.png"))).toBe(false);
  });

  it("writes no map when the corpus does not address the topic", async () => {
    const dir = tempDir();
    const out = path.join(dir, "bread.html");
    const result = await map(["sourdough bread fermentation", "--out", out, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ answered: false, file: null, papers: [] });
    expect(existsSync(out)).toBe(false);
  });
});

describe("citewise summarize --map", () => {
  it("draws the summary's own papers coloured by its outline's themes", async () => {
    const dir = tempDir();
    const out = path.join(dir, "summary-map.svg");
    const result = await runCliAsync(["--index", inject("corpusIndex"), "summarize", "quantization of neural networks", "-k", "10", "--map", out, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.map.file).toBe(out);
    expect(body.map.papers.map((p: { id: string }) => p.id).sort()).toEqual(body.sources.map((s: { paperId: string }) => s.paperId).sort());
    expect(body.map.themes.map((t: { name: string }) => t.name)).toEqual(body.outline.map((node: { name: string }) => node.name));
    expect(readFileSync(out, "utf8")).toMatch(/^<\?xml/);
    expect(result.stderr).toMatch(/wrote the map of \d+ papers/);
  });

  it("refuses --map without a map extension, or naming the --out file, before any work", async () => {
    const dir = tempDir();
    const summarize = (args: string[]) => runCliAsync(["--index", inject("corpusIndex"), "summarize", "quantization", ...args]);
    oneLineError(await summarize(["--map", path.join(dir, "map.txt")]), /--map .*map\.txt: a map is an \.html or \.svg file/);
    oneLineError(await summarize(["--out", path.join(dir, "same.html"), "--map", path.join(dir, "same.html")]), /--out and --map name the same file/);
    oneLineError(await summarize(["--map", "-"]), /--map - would mix the map into the summary/);
  });
});
