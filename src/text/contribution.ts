/**
 * How an abstract says what the paper itself contributes ("We propose …", "This paper introduces …"): the
 * offline composers lean on these sentences. One grammar, three strictnesses, each tuned where it is used.
 */

/** Verbs of a contribution, in the order the stricter patterns list them. */
const CORE_VERBS = ["propose", "introduce", "present", "develop", "design"];

/** The sentence opens with the contribution: answers (extractive) and ideas prefer it. */
export const OPENS_WITH_CONTRIBUTION = new RegExp(String.raw`^(in this (paper|work|study),?\s+)?(we|this (paper|work))\s+(${CORE_VERBS.join("|")})`, "i");

/** The contribution anywhere in the sentence, with a few more verbs: compare's "approach" facet. */
export const STATES_CONTRIBUTION = new RegExp(
  String.raw`\bwe (${[...CORE_VERBS, "devise", "generali[sz]e", "extend", "formulate"].join("|")})\b|\b(this|the present) (paper|work|study) (proposes|introduces|presents)\b`,
  "i",
);

/** Pieces related-work composes its sentence kinds from (contribution, finding, any mention): see compose.ts. */
export const CONTRIBUTION_SUBJECT = String.raw`(?:we|this (?:paper|work|study|article))\s+(?:[\w-]+\s+)?`;
export const CONTRIBUTION_VERB = String.raw`(?:${[...CORE_VERBS, "describe", "formulate", "build"].join("|")})s?\b`;
