import type { Command } from "commander";

/** Placeholder: implemented by the related-work task (issue 5). */
export function registerRelatedWork(_program: Command): void {}
