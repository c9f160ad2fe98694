import type { Command } from "commander";
import { buildProgram } from "./main.js";

/** Width the reference is wrapped at, whatever the terminal of whoever regenerates it. */
const HELP_WIDTH = 100;

/**
 * docs/commands.md: the `--help` of every command, examples included, so the reference cannot drift from
 * the CLI (`npm run docs` rewrites it; a test fails when it is stale).
 */
export function commandsReference(): string {
  const sections: string[] = ["# citewise commands\n\nGenerated from `citewise <command> --help` by `npm run docs`; do not edit by hand.\n"];
  const visit = (command: Command, name: string) => {
    let help = "";
    command.configureHelp({ helpWidth: HELP_WIDTH }).configureOutput({ writeOut: (text) => (help += text) });
    command.outputHelp();
    sections.push(`## ${name}\n\n\`\`\`text\n${help.trimEnd()}\n\`\`\`\n`);
    for (const sub of command.commands) visit(sub, `${name} ${sub.name()}`);
  };
  visit(buildProgram(), "citewise");
  return sections.join("\n");
}
