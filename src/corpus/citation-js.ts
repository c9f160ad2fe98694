import { createRequire } from "node:module";

let core: unknown = null;

/**
 * citation-js core with its BibTeX, CSL and RIS plugins. It is CommonJS and takes a moment to load: required
 * on first use, not at CLI start-up. Callers type the part of its API they use.
 */
export function citationJs<T>(): T {
  if (!core) {
    const require = createRequire(import.meta.url);
    const loaded = require("@citation-js/core") as unknown;
    // The plugins register themselves with core when required.
    require("@citation-js/plugin-bibtex");
    require("@citation-js/plugin-csl");
    require("@citation-js/plugin-ris");
    core = loaded;
  }
  return core as T;
}
