import { renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "./errors.js";

/**
 * Writes a file the user asked for (--out, --bib-out, /export) in one step: a temporary file next to it,
 * then a rename. Commands call it only after the whole result exists, so a failure (model server down,
 * disk full, Ctrl-C) leaves either the previous file or none, never half a document.
 */
export function writeOutputFile(file: string, text: string): string {
  const resolved = path.resolve(file);
  const temporary = path.join(path.dirname(resolved), `.${path.basename(resolved)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, resolved);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new UserError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return resolved;
}
