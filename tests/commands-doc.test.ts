import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { commandsReference } from "../src/cli/commands-doc.js";
import { ROOT } from "./helpers.js";

describe("docs/commands.md", () => {
  it("is the current --help of every command (regenerate with npm run docs)", () => {
    const reference = commandsReference();
    for (const command of ["ingest", "repair", "search", "ask", "chat", "summarize", "compare", "ideas", "related-work", "eval", "papers list"])
      expect(reference).toContain(`## citewise ${command}\n`);
    expect(reference).toContain("Exit codes: 0 done; 1 a bug");
    expect(reference).not.toContain(ROOT);
    expect(readFileSync(path.join(ROOT, "docs", "commands.md"), "utf8"), "docs/commands.md is stale: run npm run docs").toBe(reference);
  });
});
