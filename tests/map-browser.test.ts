import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCliAsync, tempDir } from "./helpers.js";

/**
 * The maps `citewise map` writes, opened in a real browser (Debian's chromium, driven by playwright-core; no
 * browser download). Without chromium the suite is skipped on a developer's machine and fails in CI, which
 * installs it (.ci/run).
 */
const WANTED = process.env.CITEWISE_TEST_CHROMIUM;
/** CITEWISE_TEST_CHROMIUM names the browser to use (only it); otherwise Debian's. */
const CHROMIUM = (WANTED !== undefined ? [WANTED] : ["/usr/bin/chromium", "/usr/bin/chromium-browser"]).find((file) => file && existsSync(file)) ?? null;
const REQUIRED = Boolean(process.env.CI);

interface MapJson {
  file: string;
  papers: Array<{ id: string; displayTitle: string; year: number | null; theme: string }>;
  themes: Array<{ name: string; count: number }>;
}

let browser: Browser;
const dir = tempDir("citewise-map-browser-");

async function writeMap(index: string, topic: string, file: string, extra: string[] = []): Promise<MapJson> {
  const result = await runCliAsync(["--index", index, "map", topic, "--out", file, "--json", ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as MapJson;
}

/** Opens a file and records everything that went wrong: console errors (CSP violations too), page errors, requests, dialogs. */
async function open(file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => {
    if (request.url() !== pathToFileURL(file).href) problems.push(`request: ${request.url()}`);
  });
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return { page, problems };
}

const yearOf = (paper: { year: number | null }) => (paper.year === null ? "n.d." : String(paper.year));

describe.skipIf(!CHROMIUM && !REQUIRED)("the literature map in headless Chromium", () => {
  let html: string;
  let svg: string;
  let drawn: MapJson;

  beforeAll(async () => {
    if (!CHROMIUM)
      throw new Error(
        `chromium not found (${WANTED ?? "/usr/bin/chromium"}): CI must run the browser test of the map (.ci/run installs Debian's chromium package)`,
      );
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    html = path.join(dir, "map.html");
    svg = path.join(dir, "map.svg");
    drawn = await writeMap(inject("corpusIndex"), "efficient inference for large language models", html);
    await writeMap(inject("corpusIndex"), "efficient inference for large language models", svg);
  });
  afterAll(() => browser?.close());

  it("the HTML page loads with no error and no request, and shows every paper and theme", async () => {
    const { page, problems } = await open(html);
    expect(drawn.papers.length).toBeGreaterThanOrEqual(10);
    expect(await page.locator("circle.paper-marker").count()).toBe(drawn.papers.length);
    const ids = await page.locator("g.paper").evaluateAll((groups) => groups.map((g) => (g as SVGGElement).dataset.id));
    expect(ids.sort()).toEqual(drawn.papers.map((p) => p.id).sort());
    expect(await page.locator(".theme-label").count()).toBe(drawn.themes.length);
    const legend = await page.locator(".legend-item text").allTextContents();
    for (const [t, theme] of drawn.themes.entries()) expect(legend[t]).toContain(theme.name.slice(0, 30));
    // Every marker is on screen inside the picture.
    const outside = await page.locator("circle.paper-marker").evaluateAll((circles) => {
      const frame = document.querySelector("svg.literature-map")!.getBoundingClientRect();
      return circles.filter((c) => {
        const box = c.getBoundingClientRect();
        return box.width === 0 || box.left < frame.left || box.right > frame.right || box.top < frame.top || box.bottom > frame.bottom;
      }).length;
    });
    expect(outside).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("hovering each paper shows its title, year and id in the tooltip", async () => {
    const { page, problems } = await open(html);
    for (const paper of drawn.papers) {
      await page.locator(`g.paper[data-id="${paper.id}"] circle`).hover();
      const tip = page.locator("#tooltip");
      await expect.poll(() => tip.isVisible()).toBe(true);
      const text = await tip.textContent();
      expect(text).toContain(paper.displayTitle);
      expect(text).toContain(`${yearOf(paper)} · ${paper.id}`);
      expect(text).toContain(paper.theme.slice(0, 30));
    }
    await page.mouse.move(2, 2);
    await expect.poll(() => page.locator("#tooltip").isVisible()).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("no two labels overlap as the browser draws them", async () => {
    const { page } = await open(html);
    const boxes = await page.locator(".paper-label, .theme-label").evaluateAll((labels) =>
      labels.map((label) => {
        const box = (label as SVGTextElement).getBBox();
        return { text: label.textContent, x0: box.x, y0: box.y, x1: box.x + box.width, y1: box.y + box.height };
      }),
    );
    expect(boxes.length).toBeGreaterThan(drawn.themes.length);
    // The browser's box includes the font's full line height; 2 units of slack keep touching rows apart.
    const slack = 2;
    const overlaps = boxes.flatMap((a, i) =>
      boxes
        .slice(i + 1)
        .flatMap((b) => (a.x0 < b.x1 - slack && b.x0 < a.x1 - slack && a.y0 < b.y1 - slack && b.y0 < a.y1 - slack ? [`${a.text} × ${b.text}`] : [])),
    );
    expect(overlaps).toEqual([]);
    await page.close();
  });

  it("the SVG file opens on its own, with a <title> tooltip naming each paper", async () => {
    const { page, problems } = await open(svg);
    expect(await page.evaluate(() => document.documentElement.localName)).toBe("svg");
    // An XML error would still show a partial picture, with a parsererror element in it.
    expect(await page.locator("parsererror").count()).toBe(0);
    expect(await page.locator("circle.paper-marker").count()).toBe(drawn.papers.length);
    const titles = await page.locator("g.paper > title").allTextContents();
    for (const paper of drawn.papers) expect(titles.some((title) => title.startsWith(`${paper.displayTitle} (${yearOf(paper)})\n${paper.id}`))).toBe(true);
    expect(await page.locator(".theme-label").count()).toBe(drawn.themes.length);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("hostile titles from an ingested file stay text: no script runs, no element is injected", async () => {
    const hostile = [
      { title: `<script>window.__pwned = 1</script> Tensor & "low-rank" adaptation`, id: "2401.00001" },
      { title: `"><img src=x onerror="window.__pwned=2"> Tensor decomposition for 'fine-tuning'`, id: "2401.00002" },
      { title: `<svg onload="window.__pwned=3"> Tensor networks & low-rank weights`, id: "2401.00003" },
      { title: `Tensor cores </title><script>window.__pwned=4</script> for low-rank training`, id: "2401.00004" },
    ];
    const abstract = (i: number) =>
      `We study low-rank tensor decomposition of weight updates for parameter-efficient fine-tuning of language models, variant ${i}. ` +
      "Tensor factorisation reduces the number of trained parameters while keeping accuracy on reasoning benchmarks.";
    const file = path.join(dir, "hostile.jsonl");
    writeFileSync(file, `${hostile.map((paper, i) => JSON.stringify({ ...paper, abstract: abstract(i), authors: "A. Author" })).join("\n")}\n`);
    const index = path.join(dir, "hostile-index");
    const ingest = await runCliAsync(["--index", index, "ingest", file]);
    expect(ingest.code, ingest.stderr).toBe(0);
    for (const format of ["html", "svg"]) {
      const out = path.join(dir, `hostile.${format}`);
      const body = await writeMap(index, "low-rank tensor decomposition for fine-tuning", out);
      expect(body.papers).toHaveLength(hostile.length);
      expect(readFileSync(out, "utf8").match(/<script/g)?.length ?? 0).toBe(format === "html" ? 1 : 0);
      const { page, problems } = await open(out);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.locator("parsererror").count()).toBe(0);
      expect(await page.locator("svg svg").count()).toBe(0);
      expect(await page.locator("circle.paper-marker").count()).toBe(hostile.length);
      const titles = await page.locator("g.paper").evaluateAll((groups) => groups.map((g) => (g as SVGGElement).dataset.title));
      expect(titles.sort()).toEqual(hostile.map((paper) => paper.title).sort());
      if (format === "html") {
        await page.locator("circle.paper-marker").first().hover();
        expect(hostile.map((paper) => paper.title)).toContain(await page.locator("#tooltip strong").textContent());
      }
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});
