import pc from "picocolors";
import type { Reference } from "../tasks/ask.js";
import type { CheckedText } from "../tasks/cited-document.js";
import { flagSentence, groundedFooter, ungroundedWarning } from "../tasks/cited-document.js";
import { formatReference } from "./render-answer.js";

/** Body, references, removed citations and the groundedness footer: the tail every task prints. */
export function renderCheckedDocument(document: CheckedText, options: { sources: Reference[]; markUnsupported?: boolean }): string {
  let body = document.text;
  if (options.markUnsupported !== false) {
    for (const sentence of document.grounding.sentences) {
      if (!sentence.supported) body = flagSentence(body, sentence.text, pc.yellow("[unsupported]"));
    }
  }
  const lines = [body.trimEnd(), ""];
  if (document.references.length) {
    lines.push(pc.bold("References"));
    for (const reference of document.references) lines.push(`  ${formatReference(reference)}`);
    lines.push("");
  }
  if (document.removedCitations.length) {
    lines.push(
      pc.yellow(
        `Removed citations to sources that were not provided: ${[...new Set(document.removedCitations)].join(", ")} (only [1]–[${options.sources.length}] existed)`,
      ),
      "",
    );
  }
  const warning = ungroundedWarning(document.grounding);
  if (warning) lines.push(pc.yellow(warning), "");
  lines.push(groundedFooter(document.grounding));
  return `${lines.join("\n")}\n`;
}
