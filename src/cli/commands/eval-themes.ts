import { evaluateThemes, loadThemeTopics } from "../../eval/themes.js";
import { type GlobalOptions, openIndexFor } from "../context.js";
import { printJson } from "../format.js";

/**
 * `citewise eval --themes [FILE]`: the outline the literature tasks would build for each topic (default
 * evals/themes.jsonl over the bundled sample), with its coherence, balance and any generic theme name.
 */
export async function runThemesReport(file: string, options: { limit?: number; json?: boolean }, global: GlobalOptions): Promise<void> {
  const topics = loadThemeTopics(file).slice(0, options.limit);
  const { index, embedder } = await openIndexFor(global, { quiet: options.json });
  try {
    const report = await evaluateThemes({ index, embedder }, topics);
    if (options.json) return printJson({ file, ...report });
    for (const item of report.items) {
      const outline = item.outline
        .map(
          (theme) =>
            `${theme.name} (${theme.papers}${theme.subthemes.length ? `: ${theme.subthemes.map((sub) => `${sub.name} ${sub.papers}`).join(", ")}` : ""})`,
        )
        .join(" | ");
      const flags = [item.quality.largestShare > 0.6 ? "largest > 60 %" : "", ...item.quality.genericNames.map((name) => `generic: ${name}`)].filter(Boolean);
      process.stdout.write(
        `${item.id}  ${item.papers} papers, coherence ${item.quality.coherence.toFixed(3)}, largest ${(100 * item.quality.largestShare).toFixed(0)} %${flags.length ? ` [${flags.join("; ")}]` : ""}\n  ${outline}\n`,
      );
    }
    process.stdout.write(
      `\n${report.topics} topics: mean coherence ${report.meanCoherence.toFixed(3)}; largest theme > 60 % in ${report.overSixtyPercent} (${report.singleTheme} of them one theme); generic names ${report.genericNames} of ${report.names}\n`,
    );
  } finally {
    await embedder.close?.();
  }
}
