import type { Command } from "commander";

/** Placeholder: implemented by the compare task (issue 5). */
export function registerCompare(_program: Command): void {}
