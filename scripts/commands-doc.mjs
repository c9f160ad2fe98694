// npm run docs: rewrites docs/commands.md from the built CLI's --help (see src/cli/commands-doc.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { commandsReference } from "../dist/cli/commands-doc.js";

mkdirSync("docs", { recursive: true });
writeFileSync("docs/commands.md", commandsReference());
console.log("wrote docs/commands.md");
