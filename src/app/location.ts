import { realpathSync } from "node:fs";
import path from "node:path";
import type { Paper } from "../corpus/paper.js";
import { UserError } from "../errors.js";
import { isPostgresUrl } from "../index/storage.js";
import { registerSecret, urlSecrets } from "../llm/redact.js";
import { PACKAGE, settings } from "../settings.js";

/** Where the user said the index is: the --store and --index options (undefined when not given). */
export interface IndexChoice {
  index?: string;
  store?: string;
}

/**
 * Where the index lives: --store (folder or postgres:// URL), --index folder, $CITEWISE_STORE, $CITEWISE_INDEX,
 * ./.citewise. An empty --index/--store is a mistake (it would mean the current folder), not a default; an
 * empty variable counts as unset. A database URL's credentials are registered as secrets at once.
 */
export function resolveIndexLocation(choice: IndexChoice): string {
  for (const [flag, value] of [
    ["--store", choice.store],
    ["--index", choice.index],
  ] as const) {
    if (value !== undefined && !value.trim()) throw new UserError(`${flag} is empty; give a folder (or a postgres:// URL), or leave it out to use ./.citewise`);
  }
  const configured = settings().index;
  const location = choice.store ?? choice.index ?? configured.store ?? configured.folder ?? configured.fallback;
  if (!isPostgresUrl(location)) {
    // "mysql://u:p@host/db" is not a folder name: refused, never created as ./mysql:/u:p@host/db.
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1];
    if (scheme) {
      for (const secret of urlSecrets(location)) registerSecret(secret);
      throw new UserError(
        `${choice.store !== undefined ? "--store" : choice.index !== undefined ? "--index" : "the index location"} is a ${scheme}:// URL; citewise stores an index in a folder or in PostgreSQL (a postgres:// URL)`,
      );
    }
    // Near misses of a URL (" postgres://…", "postgres:/u:pw@h/db", "u:pw@h:5432/db") would become folders
    // named after the password: refused, and the value is not repeated.
    if (location !== location.trim() || /^[^/]*:[^/]*@/.test(location) || /^[a-z][a-z0-9+.-]*:\/[^/]/i.test(location))
      throw new UserError(
        `the index location looks like a mistyped database URL (spaces around it, or "user:password@" in a folder name); give a postgres:// URL with nothing around it, or a plain folder`,
      );
    return path.resolve(location);
  }
  for (const secret of urlSecrets(location)) registerSecret(secret);
  return location;
}

const SAMPLE_DIR = (() => {
  try {
    return realpathSync(PACKAGE.dataDir);
  } catch {
    return PACKAGE.dataDir;
  }
})();

/**
 * True when every paper came from the bundled sample corpus (data/): such an index is a demo, and search
 * and `papers list` say so until the user's own files are ingested.
 */
export function onlyBundledSample(papers: Iterable<Paper>): boolean {
  let any = false;
  for (const paper of papers) {
    any = true;
    if (!paper.sources.every((source) => source.path !== undefined && path.dirname(source.path) === SAMPLE_DIR)) return false;
  }
  return any;
}

export const SAMPLE_NOTICE = `this index holds only the bundled sample corpus (${PACKAGE.dataDir}), a demo; add your own papers with: citewise ingest <your .bib, .ris, .csv, .json or folder>`;
