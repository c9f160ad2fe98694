import { LAYOUT, type MapLabel, type MapLayout, type PlacedPaper } from "./layout.js";

/**
 * Okabe & Ito's palette, which people with any common colour-vision deficiency can tell apart; ordered so
 * the largest themes get the most distinct colours. Markers carry a dark outline so yellow reads on white.
 */
export const THEME_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"] as const;

export const themeColour = (theme: number) => THEME_COLOURS[theme % THEME_COLOURS.length]!;

/** A darker shade of a theme's colour for its name: yellow or sky-blue text is unreadable on white. */
function textColour(theme: number): string {
  const hex = themeColour(theme);
  const channel = (at: number) => Math.round(Number.parseInt(hex.slice(at, at + 2), 16) * 0.62);
  return `rgb(${channel(1)}, ${channel(3)}, ${channel(5)})`;
}

/**
 * Text from abstracts as XML character data or an attribute value: markup characters escaped, and the
 * characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF) dropped, since one of them would make
 * the whole .svg unreadable.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const FONTS = `"Segoe UI", "DejaVu Sans", Verdana, Helvetica, Arial, sans-serif`;

/** The SVG's own style sheet (also what the HTML page's Content-Security-Policy hashes). */
export const SVG_STYLE = [
  `svg.literature-map { font-family: ${FONTS}; background: #fff; }`,
  ".heading { font-size: 20px; font-weight: 700; fill: #1a1a1a; }",
  ".subheading, .note { font-size: 12px; fill: #555; }",
  ".plot-frame { fill: #fafafa; stroke: #e4e4e4; }",
  ".paper circle { stroke: #222; stroke-width: 0.8px; }",
  ".paper:hover circle, .paper:focus circle, .paper.active circle { stroke-width: 2.5px; }",
  ".paper:focus { outline: none; }",
  ".paper-label { font-size: 11px; fill: #2b2b2b; }",
  ".theme-label { font-size: 15px; font-weight: 700; paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; pointer-events: none; }",
  ".legend-item text { font-size: 12px; fill: #1a1a1a; }",
  ".dimmed { opacity: 0.18; }",
].join("\n");

const round = (value: number) => Math.round(value * 10) / 10;

/** The map as one SVG document: standalone (tooltips are SVG <title>s) and inlined as-is by the HTML page. */
export function renderSvg(layout: MapLayout): string {
  const { width, height, plot } = layout;
  const heading = `Literature map: ${layout.topic.length > 90 ? `${layout.topic.slice(0, 89)}…` : layout.topic}`;
  const subheading = `${layout.papers.length} papers in ${layout.themes.length} ${layout.themes.length === 1 ? "theme" : "themes"}, retrieved by citewise for this topic`;
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="literature-map" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="map-title">`,
    `<title id="map-title">${escapeXml(heading)}</title>`,
    `<style>\n${SVG_STYLE}\n</style>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text class="heading" x="${LAYOUT.margin}" y="${LAYOUT.margin + 18}">${escapeXml(heading)}</text>`,
    `<text class="subheading" x="${LAYOUT.margin}" y="${LAYOUT.margin + 40}">${escapeXml(subheading)}</text>`,
    `<rect class="plot-frame" x="${plot.x0}" y="${plot.y0}" width="${plot.x1 - plot.x0}" height="${round(plot.y1 - plot.y0)}" rx="6"/>`,
    `<g class="papers">`,
    ...layout.papers.map((paper) => paperGroup(paper, layout)),
    "</g>",
    `<g class="themes">`,
    ...layout.themes.map(
      (theme, t) => `<text class="theme-label" data-theme="${t}" fill="${textColour(t)}"${labelAttributes(theme.label)}>${escapeXml(theme.label.text)}</text>`,
    ),
    "</g>",
    `<g class="legend">`,
    ...layout.themes.map(
      (theme, t) =>
        `<g class="legend-item" data-theme="${t}"><title>${escapeXml(`${theme.name}: ${theme.count} ${theme.count === 1 ? "paper" : "papers"}`)}</title>` +
        `<rect x="${round(theme.legend.x)}" y="${round(theme.legend.y - 10)}" width="12" height="12" rx="2" fill="${themeColour(t)}" stroke="#222" stroke-width="0.8"/>` +
        `<text x="${round(theme.legend.x + 18)}" y="${round(theme.legend.y)}">${escapeXml(theme.legend.text)}</text></g>`,
    ),
    "</g>",
    ...layout.note.map((line) => `<text class="note" x="${LAYOUT.margin}" y="${round(line.y)}">${escapeXml(line.text)}</text>`),
    "</svg>",
  ];
  return `${lines.join("\n")}\n`;
}

function paperGroup(placed: PlacedPaper, layout: MapLayout): string {
  const { paper } = placed;
  const year = paper.year === null ? "n.d." : String(paper.year);
  const theme = layout.themes[placed.theme]?.name ?? "";
  const tooltip = `${paper.displayTitle} (${year})\n${paper.id}\n${theme}`;
  const data = `data-id="${escapeXml(paper.id)}" data-title="${escapeXml(paper.displayTitle)}" data-year="${year}" data-theme="${placed.theme}"`;
  const label = placed.label ? `<text class="paper-label"${labelAttributes(placed.label)}>${escapeXml(placed.label.text)}</text>` : "";
  return (
    `<g class="paper" tabindex="0" ${data}><title>${escapeXml(tooltip)}</title>` +
    `<circle class="paper-marker" cx="${round(placed.x)}" cy="${round(placed.y)}" r="${LAYOUT.markerRadius}" fill="${themeColour(placed.theme)}"/>${label}</g>`
  );
}

function labelAttributes(label: MapLabel): string {
  return ` x="${round(label.x)}" y="${round(label.y)}"${label.anchor === "start" ? "" : ` text-anchor="${label.anchor}"`}`;
}
