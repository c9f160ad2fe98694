import type { Paper } from "../corpus/paper.js";
import { dot } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import { usableText } from "../generate/injection.js";
import { keyPhrases } from "../text/phrases.js";
import { specificForm } from "../text/specific-phrase.js";
import { keywordTerms } from "../text/tokenize.js";
import { genericThemeName, TERM_OF_ART, themeQuality, type ThemeQuality } from "./theme-quality.js";

export interface Theme {
  name: string;
  /** Distinctive phrases of the theme, best first. */
  phrases: string[];
  papers: Paper[];
  /** Second level of the outline: sub-themes of a large theme (empty otherwise). */
  subthemes: Theme[];
}

/** How outlines are built; the summarize and related-work fixtures of the eval gate (evals/tasks.jsonl) check them. */
const THEMES = {
  /** Most top-level themes when the caller does not say. */
  maxThemes: 6,
  /** Papers per theme at which the outline gets a second level, and most subthemes per theme. */
  splitFrom: 6,
  maxSubthemes: 3,
  /** Fewer papers than this are one theme: clustering 3 abstracts says nothing. */
  minPapersToCluster: 4,
  /** Similarity = this share of dense cosine + the rest TF-IDF cosine (either alone is noisy on 30 abstracts). */
  denseShare: 0.5,
  /** Most k-medoids rounds (it stops earlier once no medoid moves). */
  medoidRounds: 20,
  /** A theme above this share of the papers costs silhouette: `balancePenalty` per unit of share above it. */
  balancedShare: 0.5,
  balancePenalty: 0.5,
  /** A theme's name phrase must occur in this share of its papers (at least 2) once it has 3 or more. */
  nameCoverage: 0.3,
  /** Phrases kept per theme, the name first; two-word phrases weigh this much more. */
  phrases: 4,
  bigramWeight: 2,
  /** A phrase that the group's titles use weighs up to this much more (titles name topics). */
  titleBonus: 1,
} as const;

/**
 * Groups papers into named themes: average-linkage clustering on a similarity that mixes the dense
 * vectors with TF-IDF word vectors (either alone is noisy on 30 abstracts), the number of themes chosen
 * by silhouette, names from the phrases most distinctive of each group (class-based TF-IDF).
 */
export async function buildThemes(index: IndexSnapshot, papers: Paper[], options: { maxThemes?: number } = {}): Promise<Theme[]> {
  return (await buildOutline(index, papers, options)).themes;
}

/** The themes and how good they are (coherence, balance, generic names: theme-quality.ts). */
export async function buildOutline(
  index: IndexSnapshot,
  papers: Paper[],
  options: { maxThemes?: number } = {},
): Promise<{ themes: Theme[]; quality: ThemeQuality }> {
  const similarity = await similarityMatrix(index, papers);
  const idf = (key: string) => mean(key.split(" ").map((stem) => index.keyword.idf(stem)));
  const themes = papers.length ? themesFrom(papers, similarity, options.maxThemes ?? THEMES.maxThemes, true, idf, new Set()) : [];
  const position = new Map(papers.map((paper, i) => [paper.id, i]));
  const quality = themeQuality(
    themes.map((theme) => theme.papers.map((paper) => position.get(paper.id)!)),
    themes.flatMap((theme) => [theme.name, ...theme.subthemes.map((sub) => sub.name)]),
    similarity,
  );
  return { themes, quality };
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / (values.length || 1);
}

function themesFrom(
  papers: Paper[],
  similarity: number[][],
  maxThemes: number,
  allowSubthemes: boolean,
  idf: (key: string) => number,
  taken: Set<string>,
  parentName: string | null = null,
): Theme[] {
  const indices = papers.map((_, i) => i);
  const groups =
    papers.length < THEMES.minPapersToCluster ? [indices] : bestClustering(indices, similarity, Math.min(maxThemes, Math.floor(papers.length / 2)));
  const named = nameGroups(
    groups.map((group) => group.map((i) => papers[i]!)),
    idf,
    taken,
    parentName,
  );
  return groups
    .map((group, g) => {
      const members = group.map((i) => papers[i]!);
      const subthemes =
        allowSubthemes && members.length >= THEMES.splitFrom
          ? themesFrom(
              members,
              group.map((i) => group.map((j) => similarity[i]![j]!)),
              THEMES.maxSubthemes,
              false,
              idf,
              taken,
              named[g]!.name,
            )
          : [];
      return { name: named[g]!.name, phrases: named[g]!.phrases, papers: members, subthemes: subthemes.length > 1 ? subthemes : [] };
    })
    .sort((a, b) => b.papers.length - a.papers.length);
}

async function similarityMatrix(index: IndexSnapshot, papers: Paper[]): Promise<number[][]> {
  const dense = await paperVectors(index, papers);
  const lexical = tfidfVectors(index, papers);
  return papers.map((_, i) =>
    papers.map((_, j) => {
      if (i === j) return 1;
      const d = dense[i] && dense[j] ? dot(dense[i]!, dense[j]!) : 0;
      return THEMES.denseShare * d + (1 - THEMES.denseShare) * sparseCosine(lexical[i]!, lexical[j]!);
    }),
  );
}

/** A paper's dense vector: the normalised mean of its chunk vectors (null when none is stored). */
export async function paperVectors(index: IndexSnapshot, papers: Paper[]): Promise<Array<number[] | null>> {
  const chunkIds = papers.map((paper) => (index.chunksByPaper.get(paper.id) ?? []).map((chunk) => chunk.id));
  const vectors = await index.vectors.vectorsFor(chunkIds.flat());
  return chunkIds.map((ids) => {
    const found = ids.map((id) => vectors.get(id)).filter((v) => v !== undefined);
    if (found.length === 0) return null;
    const mean = Array.from(found[0]!, (_, k) => found.reduce((sum, v) => sum + v[k]!, 0));
    const norm = Math.hypot(...mean) || 1;
    return mean.map((value) => value / norm);
  });
}

function tfidfVectors(index: IndexSnapshot, papers: Paper[]): Array<Map<string, number>> {
  return papers.map((paper) => {
    const counts = new Map<string, number>();
    for (const term of keywordTerms(`${paper.title ?? ""} ${paper.abstract}`)) counts.set(term, (counts.get(term) ?? 0) + 1);
    const vector = new Map<string, number>();
    for (const [term, count] of counts) vector.set(term, (1 + Math.log(count)) * index.keyword.idf(term));
    return vector;
  });
}

function sparseCosine(a: Map<string, number>, b: Map<string, number>): number {
  let product = 0;
  for (const [term, value] of a) product += value * (b.get(term) ?? 0);
  const norm = (v: Map<string, number>) => Math.sqrt([...v.values()].reduce((sum, x) => sum + x * x, 0)) || 1;
  return product / (norm(a) * norm(b));
}

/**
 * k-medoids for k = 2..maxK from two starts each, keeping the clustering with the best mean silhouette
 * less a penalty for a theme holding most papers (silhouette alone likes "two odd papers vs the rest").
 * Singleton groups are folded into their nearest group: an outline of one-paper "themes" says nothing.
 */
function bestClustering(items: number[], similarity: number[][], maxK: number): number[][] {
  let best: { score: number; clusters: number[][] } | null = null;
  for (let k = 2; k <= Math.max(2, maxK); k++) {
    for (const start of starts(items, similarity, k)) {
      const clusters = foldSingletons(kMedoids(items, similarity, start), similarity);
      if (clusters.length < 2) continue;
      const largest = Math.max(...clusters.map((cluster) => cluster.length)) / items.length;
      const score = silhouette(clusters, similarity) - THEMES.balancePenalty * Math.max(0, largest - THEMES.balancedShare);
      if (!best || score > best.score + 1e-9) best = { score, clusters };
    }
  }
  return best?.clusters ?? [items];
}

/**
 * Deterministic starting medoids: farthest-first from the most central item (finds distinct groups, but
 * also outliers), and the same over the more central half only (finds balanced groups).
 */
function starts(items: number[], similarity: number[][], k: number): number[][] {
  const centrality = (i: number) => items.reduce((sum, j) => sum + similarity[i]![j]!, 0);
  const byCentrality = [...items].sort((a, b) => centrality(b) - centrality(a));
  const farthestFirst = (pool: number[]) => {
    const chosen = [pool[0]!];
    while (chosen.length < k) {
      chosen.push(
        pool.filter((i) => !chosen.includes(i)).reduce((a, b) => (nearestSimilarity(b, chosen, similarity) < nearestSimilarity(a, chosen, similarity) ? b : a)),
      );
    }
    return chosen;
  };
  return [farthestFirst(byCentrality), farthestFirst(byCentrality.slice(0, Math.max(k, Math.ceil(items.length / 2))))];
}

function kMedoids(items: number[], similarity: number[][], start: number[]): number[][] {
  const medoids = [...start];
  let clusters: number[][] = [];
  for (let round = 0; round < THEMES.medoidRounds; round++) {
    clusters = medoids.map(() => []);
    for (const i of items) clusters[nearestIndex(i, medoids, similarity)]!.push(i);
    let changed = false;
    clusters.forEach((cluster, c) => {
      if (cluster.length === 0) return;
      const center = cluster.reduce((a, b) => (sumTo(b, cluster, similarity) > sumTo(a, cluster, similarity) ? b : a));
      if (center !== medoids[c]) {
        medoids[c] = center;
        changed = true;
      }
    });
    if (!changed) break;
  }
  return clusters.filter((cluster) => cluster.length > 0);
}

function foldSingletons(clusters: number[][], similarity: number[][]): number[][] {
  const kept = clusters.filter((cluster) => cluster.length > 1).map((cluster) => [...cluster]);
  if (kept.length === 0) return [clusters.flat()];
  for (const single of clusters.filter((cluster) => cluster.length === 1)) {
    const i = single[0]!;
    const target = kept.reduce((a, b) => (averageLink([i], b, similarity) > averageLink([i], a, similarity) ? b : a));
    target.push(i);
  }
  return kept;
}

const sumTo = (i: number, group: number[], similarity: number[][]) => group.reduce((sum, j) => sum + similarity[i]![j]!, 0);
const nearestSimilarity = (i: number, medoids: number[], similarity: number[][]) => Math.max(...medoids.map((m) => similarity[i]![m]!));
const nearestIndex = (i: number, medoids: number[], similarity: number[][]) =>
  medoids.reduce((best, m, index) => (similarity[i]![m]! > similarity[i]![medoids[best]!]! ? index : best), 0);

function averageLink(a: number[], b: number[], similarity: number[][]): number {
  let sum = 0;
  for (const i of a) for (const j of b) sum += similarity[i]![j]!;
  return sum / (a.length * b.length);
}

function silhouette(clusters: number[][], similarity: number[][]): number {
  let total = 0;
  let count = 0;
  for (const cluster of clusters) {
    for (const i of cluster) {
      if (cluster.length === 1) {
        count++;
        continue;
      }
      const distance = (j: number) => 1 - similarity[i]![j]!;
      const inside = cluster.filter((j) => j !== i).reduce((sum, j) => sum + distance(j), 0) / (cluster.length - 1);
      const nearest = Math.min(...clusters.filter((other) => other !== cluster).map((other) => other.reduce((sum, j) => sum + distance(j), 0) / other.length));
      total += (nearest - inside) / Math.max(nearest, inside, 1e-9);
      count++;
    }
  }
  return count ? total / count : 0;
}

/** Stems of words that are common in abstracts but never name a research topic. */
const NOT_A_TOPIC = new Set(
  `instead whose mani accord maximum altern advantag exploit balanc qualit quantit vanilla naiv achiev perform improv significantli
  effect effici problem approach demonstr experi result evalu recent state-of-the-art previou various sever howev first second
  abl larg small high low well better best often also provid requir remain allow enabl make includ given key main paper
  show shown introduc framework techniqu extens challeng potenti practic wide signific compar art`.split(/\s+/),
);

/**
 * Class-based TF-IDF over phrases: what a group says often and the other groups rarely do. A name is one
 * phrase a researcher would use as a heading: two words ("post-training quantization"), or one term of art
 * ("LoRA", "GNN"); shared by several of the group's papers (a phrase of one paper names that paper, not a
 * theme), never generic (theme-quality.ts), different from its siblings' and from its parent theme's.
 */
function nameGroups(
  groups: Paper[][],
  idf: (key: string) => number,
  taken: Set<string>,
  parentName: string | null,
): Array<{ name: string; phrases: string[] }> {
  const textOf = (paper: Paper) => `${paper.title ?? ""}. ${usableText(paper)}`;
  const groupCounts = groups.map((papers) => {
    const counts = new Map<string, { count: number; inTitles: number; surfaces: Map<string, number> }>();
    for (const paper of papers) {
      const seen = new Set<string>();
      const titleKeys = new Set(keyPhrases(paper.title ?? "").map((phrase) => phrase.key));
      // Theme names reach prompts outside the source blocks: no phrase may come from a withheld sentence.
      for (const phrase of keyPhrases(textOf(paper))) {
        if (seen.has(phrase.key) || /http|github|www|\.com/i.test(phrase.surface)) continue;
        seen.add(phrase.key);
        const entry = counts.get(phrase.key) ?? { count: 0, inTitles: 0, surfaces: new Map() };
        entry.count++;
        if (titleKeys.has(phrase.key)) entry.inTitles++;
        entry.surfaces.set(phrase.surface, (entry.surfaces.get(phrase.surface) ?? 0) + 1);
        counts.set(phrase.key, entry);
      }
    }
    return counts;
  });
  const everywhere = new Map<string, number>();
  for (const counts of groupCounts) for (const [key, entry] of counts) everywhere.set(key, (everywhere.get(key) ?? 0) + entry.count);
  const totalPapers = groups.reduce((sum, papers) => sum + papers.length, 0);

  const ranked = groupCounts.map((counts, g) => {
    const size = groups[g]!.length;
    const needed = size === 1 ? 1 : Math.max(2, Math.ceil(size * THEMES.nameCoverage));
    return [...counts.entries()]
      .filter(([key, entry]) => (entry.count >= needed || entry.inTitles > 0) && !key.split(" ").some((word) => NOT_A_TOPIC.has(word)))
      .map(([key, entry]) => {
        const surface = [...entry.surfaces.entries()].sort((a, b) => b[1] - a[1])[0]![0];
        // One hyphenated word names a topic only as a noun ("fine-tuning", not "variate-wise").
        const nameable =
          !genericThemeName(surface) && (key.includes(" ") || TERM_OF_ART.test(surface) || (surface.includes("-") && HYPHENATED_NOUN.test(surface)));
        // Below the coverage a phrase names one paper, not the theme: kept only as a fallback from a title.
        const shared = entry.count >= needed;
        const bigram = key.includes(" ") ? THEMES.bigramWeight : 1;
        // Frequent in the group, rarer in the other groups, rare in the whole corpus (not "models"), and a title word.
        const score =
          (entry.count / size) ** 2 * Math.log(1 + totalPapers / everywhere.get(key)!) * idf(key) * bigram * (1 + THEMES.titleBonus * (entry.inTitles / size));
        return { key, surface, score, nameable, shared };
      })
      .sort((a, b) => b.score - a.score);
  });

  // Names are handed out best score first, so no two themes of the outline share one; phrases shared by
  // several papers first, then a title's phrase.
  const parent = parentName?.toLowerCase() ?? null;
  // "Time series" beside "Time series forecasting" (or under it) does not tell the two apart.
  const clashes = (surface: string) =>
    [...taken, ...(parent ? [parent] : [])].some((name) => name.includes(surface.toLowerCase()) || surface.toLowerCase().includes(name));
  const names: Array<string | null> = groups.map(() => null);
  for (const round of [true, false]) {
    const offers = ranked
      .flatMap((candidates, g) => candidates.filter((c) => c.nameable && c.shared === round).map((c) => ({ g, ...c })))
      .sort((a, b) => b.score - a.score);
    for (const offer of offers) {
      if (names[offer.g]) continue;
      // The form the group's papers write most specifically: "equivariant neural" -> "equivariant neural networks".
      const containing = groups[offer.g]!.filter((paper) => keyPhrases(textOf(paper)).some((phrase) => phrase.key === offer.key));
      const surface = containing.length ? specificForm(offer.surface, containing, textOf).surface : offer.surface;
      if (clashes(surface) || genericThemeName(surface)) continue;
      names[offer.g] = surface;
      taken.add(surface.toLowerCase());
    }
  }
  const sharedPhrases = ranked.map((candidates) => candidates.filter((candidate) => candidate.shared));

  return sharedPhrases.map((candidates, g) => {
    const phrases: string[] = names[g] ? [names[g]!] : [];
    for (const candidate of candidates) {
      // Skip a word already inside a chosen phrase ("collapse" after "neural collapse").
      if (phrases.some((p) => p.toLowerCase().includes(candidate.surface.toLowerCase()) || candidate.surface.toLowerCase().includes(p.toLowerCase()))) continue;
      phrases.push(candidate.surface);
      if (phrases.length === THEMES.phrases) break;
    }
    const name = names[g] ?? shortTitle(groups[g]![0]!);
    return { name: name.charAt(0).toUpperCase() + name.slice(1), phrases };
  });
}

const HYPHENATED_NOUN = /(ing|tion|sion|ment|ness|ity|ance|ence|er|or|ism|ure|work|set|models?)$/i;

/** With no shared phrase to name it by, a group is named after its best-ranked paper's short title. */
function shortTitle(paper: Paper): string {
  const title = paper.title ?? paper.displayTitle;
  const head = title.split(/:\s/)[0]!;
  const words = head.split(/\s+/);
  return `Work like “${words.length > 8 ? `${words.slice(0, 8).join(" ")}…` : head}”`;
}
