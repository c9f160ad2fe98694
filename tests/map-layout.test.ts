import { describe, expect, it } from "vitest";
import { renderMap } from "../src/tasks/map/html.js";
import { labelBox } from "../src/tasks/map/labels.js";
import { compressRadially, LAYOUT, layoutMap, type MapPoint } from "../src/tasks/map/layout.js";
import { projectTo2d } from "../src/tasks/map/projection.js";
import { escapeXml } from "../src/tasks/map/svg.js";
import { shortTitle } from "../src/tasks/map/text-width.js";
import { testPaper } from "./support/paper.js";

/** Points of a plane, written into 16 dimensions along two fixed orthonormal directions plus an offset. */
function planeIn16d(points: Array<[number, number]>): number[][] {
  const u = Array.from({ length: 16 }, (_, k) => (k % 4 === 0 ? 0.5 : 0));
  const v = Array.from({ length: 16 }, (_, k) => (k % 4 === 1 ? 0.5 : 0));
  return points.map(([a, b]) => u.map((_, k) => 0.3 + a * u[k]! + b * v[k]!));
}

const distance = (p: [number, number], q: [number, number]) => Math.hypot(p[0] - q[0], p[1] - q[1]);

describe("map projection (classical MDS by power iteration)", () => {
  const plane: Array<[number, number]> = [
    [0, 0],
    [3, 0],
    [0, 1],
    [2, 2],
    [-1, 0.5],
    [1.5, -1],
  ];

  it("keeps the distances of points that lie in a plane, and so gives distinct papers distinct positions", () => {
    const projected = projectTo2d(planeIn16d(plane));
    for (let i = 0; i < plane.length; i++) {
      for (let j = i + 1; j < plane.length; j++) {
        expect(distance(projected[i]!, projected[j]!)).toBeCloseTo(distance(plane[i]!, plane[j]!), 6);
        expect(distance(projected[i]!, projected[j]!)).toBeGreaterThan(0.5);
      }
    }
  });

  it("is deterministic: the same vectors give the same coordinates, bit for bit", () => {
    const vectors = Array.from({ length: 12 }, (_, i) => Array.from({ length: 32 }, (_, k) => Math.sin(i * 1.7 + k * 0.3) + (k === i ? 1 : 0)));
    expect(projectTo2d(vectors)).toEqual(projectTo2d(vectors.map((v) => [...v])));
  });

  it("handles no papers, one paper and identical papers (all at the middle, no NaN)", () => {
    expect(projectTo2d([])).toEqual([]);
    expect(projectTo2d([[1, 0, 0]])).toEqual([[0, 0]]);
    const same = projectTo2d([
      [0.6, 0.8],
      [0.6, 0.8],
      [0.6, 0.8],
    ]);
    for (const [x, y] of same) expect(Math.abs(x) + Math.abs(y)).toBe(0);
  });

  it("compresses distances from the middle without changing directions or order", () => {
    const points: Array<[number, number]> = [
      [0, 0],
      [1, 0],
      [10, 0],
      [0, -4],
    ];
    const squeezed = compressRadially(points);
    const middle = [11 / 4, -1];
    const radius = (p: [number, number]) => Math.hypot(p[0] - middle[0]!, p[1] - middle[1]!);
    const order = (list: Array<[number, number]>) => list.map((p, i) => [radius(p), i]).sort((a, b) => a[0]! - b[0]!);
    expect(order(squeezed).map((entry) => entry[1])).toEqual(order(points).map((entry) => entry[1]));
    // The outlier keeps its distance; the others move out towards it.
    expect(radius(squeezed[2]!)).toBeCloseTo(radius(points[2]!), 9);
    expect(radius(squeezed[0]!)).toBeGreaterThan(radius(points[0]!));
  });
});

describe("map layout", () => {
  const titles = [
    "LoTR: Low Tensor Rank Weight Adaptation",
    "QuanTA: Efficient High-Rank Fine-Tuning of LLMs with Quantum-Informed Tensor Adaptation",
    "DeltaZip: Efficient Serving of Multiple Full-Model-Tuned LLMs",
    "HAWQ: Hessian AWare Quantization of Neural Networks with Mixed-Precision",
    "A Survey on Large Language Models",
    "Tensor Product Attention Is All You Need",
  ];
  // Three pairs on the same spot: the layout must part them.
  const points: MapPoint[] = titles.map((title, i) => ({
    paper: testPaper({ id: `p${i}`, title, displayTitle: title, year: 2020 + i }),
    theme: i % 2,
    position: [Math.floor(i / 2), (i % 3) * 0.01],
  }));
  const layout = layoutMap("tensor methods", ["Tensor adaptation", "Quantization"], points);

  it("parts markers that would overlap and keeps every marker in the plot", () => {
    const least = 2 * LAYOUT.markerRadius;
    for (let i = 0; i < layout.papers.length; i++) {
      const a = layout.papers[i]!;
      expect(a.x).toBeGreaterThan(layout.plot.x0);
      expect(a.x).toBeLessThan(layout.plot.x1);
      expect(a.y).toBeGreaterThan(layout.plot.y0);
      expect(a.y).toBeLessThan(layout.plot.y1);
      for (const b of layout.papers.slice(i + 1)) expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(least);
    }
  });

  it("places labels where they overlap no other label, theme name or marker, cut to at most 40 characters", () => {
    const boxes = [
      ...layout.papers.flatMap((p) => (p.label ? [labelBox(p.label, LAYOUT.labelSize)] : [])),
      ...layout.themes.map((t) => labelBox(t.label, LAYOUT.themeSize, true)),
    ];
    expect(layout.papers.filter((p) => p.label).length).toBeGreaterThanOrEqual(5);
    for (let i = 0; i < boxes.length; i++)
      for (const other of boxes.slice(i + 1)) {
        const a = boxes[i]!;
        expect(a.x0 < other.x1 && other.x0 < a.x1 && a.y0 < other.y1 && other.y0 < a.y1, JSON.stringify([a, other])).toBe(false);
      }
    for (const paper of layout.papers) {
      if (!paper.label) continue;
      expect([...paper.label.text].length).toBeLessThanOrEqual(40);
      const box = labelBox(paper.label, LAYOUT.labelSize);
      for (const marker of layout.papers) {
        const r = LAYOUT.markerRadius;
        expect(box.x0 < marker.x + r && marker.x - r < box.x1 && box.y0 < marker.y + r && marker.y - r < box.y1).toBe(false);
      }
    }
    expect(layout.themes.map((t) => t.count)).toEqual([3, 3]);
  });

  it("is the same picture every time", () => {
    expect(renderMap(layoutMap("tensor methods", ["Tensor adaptation", "Quantization"], points), "svg")).toBe(renderMap(layout, "svg"));
  });
});

describe("short titles", () => {
  it("cuts at a word boundary and marks the cut", () => {
    expect(shortTitle("QuanTA: Efficient High-Rank Fine-Tuning of LLMs with Quantum-Informed Tensor Adaptation", 40)).toBe(
      "QuanTA: Efficient High-Rank Fine-Tuning…",
    );
    expect(shortTitle("Short title", 40)).toBe("Short title");
    expect([...shortTitle("Supercalifragilisticexpialidocious".repeat(3), 40)].length).toBeLessThanOrEqual(40);
  });
});

describe("map escaping: text from abstracts never becomes markup", () => {
  const hostile = [
    `<script>window.__pwned = 1</script> & "quoted" 'single'`,
    `"><img src=x onerror="window.__pwned=2"><svg onload=alert(1)>`,
    "]]><!-- --> <![CDATA[ x ]]> \u0001bell \ud800lone",
  ];
  const points: MapPoint[] = hostile.map((title, i) => ({
    paper: testPaper({ id: `evil"<${i}>&`, title, displayTitle: title, year: 2024 }),
    theme: 0,
    position: [i, i * 0.5],
  }));
  const layout = layoutMap(`<b>topic</b> & "more"`, [`Theme <i>one</i> & 'two'`], points);

  it("escapes titles, ids, theme names and the topic in both formats", () => {
    for (const format of ["svg", "html"] as const) {
      const text = renderMap(layout, format);
      expect(text).not.toMatch(/<script>window|<img|<svg onload|<b>topic|<i>one|<!--|<!\[CDATA/);
      expect(text).toContain("&lt;script&gt;window.__pwned = 1&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39;");
      expect(text).toContain('data-id="evil&quot;&lt;1&gt;&amp;"');
      expect(text).not.toMatch(/[\u0001\ud800]/);
      // The only script is citewise's own, and the only external-looking reference is the SVG namespace.
      expect(text.match(/<script/g)?.length ?? 0).toBe(format === "html" ? 1 : 0);
      expect(text.replaceAll('xmlns="http://www.w3.org/2000/svg"', "")).not.toMatch(/https?:\/\//);
    }
  });

  it("escapeXml handles every markup character", () => {
    expect(escapeXml(`<a href='x'>&amp;"</a>`)).toBe("&lt;a href=&#39;x&#39;&gt;&amp;amp;&quot;&lt;/a&gt;");
  });
});
