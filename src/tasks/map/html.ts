import { createHash } from "node:crypto";
import type { MapLayout } from "./layout.js";
import { escapeXml, renderSvg, SVG_STYLE } from "./svg.js";

export const MAP_FORMATS = ["html", "svg"] as const;
export type MapFormat = (typeof MAP_FORMATS)[number];

/** The map as a file: a standalone SVG document, or an HTML page that needs nothing but itself. */
export function renderMap(layout: MapLayout, format: MapFormat): string {
  return format === "svg" ? `<?xml version="1.0" encoding="UTF-8"?>\n${renderSvg(layout)}` : renderHtml(layout);
}

const PAGE_STYLE = [
  `body { margin: 0; padding: 16px; background: #f3f3f3; color: #1a1a1a; font-family: "Segoe UI", "DejaVu Sans", Verdana, sans-serif; }`,
  "main { max-width: 1040px; margin: 0 auto; }",
  "svg.literature-map { display: block; width: 100%; height: auto; border-radius: 8px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.15); }",
  ".tooltip { position: fixed; z-index: 2; max-width: 360px; padding: 6px 9px; border-radius: 5px; background: #1f1f1f; color: #fff; font-size: 13px; line-height: 1.35; pointer-events: none; box-shadow: 0 2px 6px rgba(0, 0, 0, 0.3); }",
  ".tooltip .facts { color: #cfcfcf; font-size: 12px; }",
  ".legend-item { cursor: default; }",
].join("\n");

/**
 * Hover and keyboard focus show a tooltip (title, year · id, theme) built with textContent, so no text from a
 * paper is ever parsed as markup; hovering a legend entry dims the other themes. The SVG <title>s are turned
 * into aria-labels, so the browser does not show its own tooltip on top.
 */
const PAGE_SCRIPT = `(() => {
  const map = document.querySelector("svg.literature-map");
  const tip = document.getElementById("tooltip");
  if (!map || !tip) return;
  const papers = [...map.querySelectorAll("g.paper")];
  for (const paper of papers) {
    const title = paper.querySelector("title");
    if (title) {
      paper.setAttribute("aria-label", title.textContent.replace(/\\n/g, ", "));
      title.remove();
    }
  }
  const themeName = (index) => map.querySelector('.legend-item[data-theme="' + index + '"] text')?.textContent ?? "";
  let active = null;
  const show = (paper, x, y) => {
    if (active) active.classList.remove("active");
    active = paper;
    paper.classList.add("active");
    const title = document.createElement("strong");
    title.textContent = paper.dataset.title;
    const facts = document.createElement("div");
    facts.className = "facts";
    facts.textContent = paper.dataset.year + " · " + paper.dataset.id;
    const theme = document.createElement("div");
    theme.className = "facts";
    theme.textContent = themeName(paper.dataset.theme);
    tip.replaceChildren(title, facts, theme);
    tip.hidden = false;
    const left = Math.min(x + 14, window.innerWidth - tip.offsetWidth - 8);
    const top = y + 14 + tip.offsetHeight > window.innerHeight ? y - tip.offsetHeight - 10 : y + 14;
    tip.style.left = Math.max(8, left) + "px";
    tip.style.top = Math.max(8, top) + "px";
  };
  const hide = () => {
    tip.hidden = true;
    if (active) active.classList.remove("active");
    active = null;
  };
  map.addEventListener("pointermove", (event) => {
    const paper = event.target.closest && event.target.closest("g.paper");
    if (paper) show(paper, event.clientX, event.clientY);
    else hide();
  });
  map.addEventListener("pointerleave", hide);
  for (const paper of papers) {
    paper.addEventListener("focus", () => {
      const box = paper.getBoundingClientRect();
      show(paper, box.right, box.top);
    });
    paper.addEventListener("blur", hide);
  }
  const themed = [...map.querySelectorAll("g.paper, .theme-label")];
  for (const item of map.querySelectorAll(".legend-item")) {
    item.addEventListener("pointerenter", () => {
      for (const element of themed) element.classList.toggle("dimmed", element.dataset.theme !== item.dataset.theme);
    });
    item.addEventListener("pointerleave", () => {
      for (const element of themed) element.classList.remove("dimmed");
    });
  }
})();`;

/** A Content-Security-Policy source for one inline block: only these exact bytes may run or style the page. */
const hashSource = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * One self-contained page: inline SVG, style and script, no external reference. The Content-Security-Policy
 * forbids every fetch and admits only citewise's own script and styles by hash, so even text that slipped past
 * escaping could neither run nor load anything.
 */
function renderHtml(layout: MapLayout): string {
  const policy = [
    "default-src 'none'",
    `style-src ${hashSource(PAGE_STYLE)} ${hashSource(`\n${SVG_STYLE}\n`)}`,
    `script-src ${hashSource(PAGE_SCRIPT)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return [
    "<!DOCTYPE html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta name="generator" content="citewise map">`,
    `<title>${escapeXml(`Literature map: ${layout.topic}`)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    "</head>",
    "<body>",
    "<main>",
    renderSvg(layout).trimEnd(),
    "</main>",
    `<div id="tooltip" class="tooltip" role="tooltip" hidden></div>`,
    `<script>${PAGE_SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
