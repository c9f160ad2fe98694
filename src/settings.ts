import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Every setting citewise reads from the environment, and every default a user can see, in one place with
 * what it is for. Nothing else reads CITEWISE_* or OPENAI_* variables. The environment is read on each call
 * (cheap, and tests change it); the package root and version are read once.
 */

/**
 * The folder of citewise's package.json, found upwards from this module: src/settings.ts, dist/settings.js
 * and the bench build (.cache/bench/settings.js) all sit below it.
 */
function packageRoot(): string {
  let folder = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(folder, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "citewise") return folder;
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error("citewise's package.json not found above its code");
    folder = parent;
  }
}

const PACKAGE_ROOT = packageRoot();
const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;

export const PACKAGE = {
  /** Where package.json, prompts/, data/ and evals/ live. */
  root: PACKAGE_ROOT,
  version: PACKAGE_VERSION,
  /** The bundled sample corpus: built into a new index on first use. */
  dataDir: path.join(PACKAGE_ROOT, "data"),
  promptsDir: path.join(PACKAGE_ROOT, "prompts"),
  evalsDir: path.join(PACKAGE_ROOT, "evals"),
  /** Data the offline judge reads: word vectors (written by npm run train:judge). */
  modelsDir: path.join(PACKAGE_ROOT, "models"),
} as const;

/** What each command does by default; the CLI's option defaults and the tasks read the same numbers. */
export const TASK_DEFAULTS = {
  search: { k: 10 },
  ask: { sources: 5, maxSentences: 5, timeoutSeconds: 60 },
  summarize: { papers: 20, timeoutSeconds: 120 },
  ideas: { papers: 20, count: 5, timeoutSeconds: 120 },
  compare: {
    papers: 4,
    timeoutSeconds: 60,
    /** --format: text (for the terminal), md (GitHub Markdown table), csv or json (the table alone). */
    format: "text",
    /** --layout: auto picks the table when it fits (see below), else one block per paper. */
    layout: "auto",
    /** Columns the text format fits in: every printed line is at most this wide. */
    width: 100,
    /** auto layout: more papers than this are shown one block per paper. */
    tableMaxPapers: 4,
    /** auto layout: a table row whose wrapped cells need more lines than this is too cramped; blocks per paper instead. */
    tableMaxRowLines: 6,
  },
  relatedWork: { papers: 16, timeoutSeconds: 120, style: "apa", format: "md", bibOut: "related-work.bib" },
  /** citewise map and summarize --map (src/tasks/map/). */
  map: {
    /** Papers retrieved and drawn (-k); as many as summarize uses, so both show the same papers. */
    papers: 20,
    /** Most themes (one colour each, --themes); the colour-blind-safe palette has 8 colours. */
    themes: 6,
    /** The file written when --out is not given; an existing one is replaced only with --force. */
    out: "citewise-map.html",
    /** Paper labels are short titles of at most this many characters (cut at a word, with "…"). */
    labelChars: 40,
    /** Width of the picture in SVG units (pixels at 100 %); the height follows the spread of the papers. */
    width: 1000,
  },
} as const;

export interface Settings {
  /** Where the index lives when neither --store nor --index is given. */
  index: {
    /** $CITEWISE_STORE: a folder or a postgres:// URL. */
    store: string | undefined;
    /** $CITEWISE_INDEX: a folder. */
    folder: string | undefined;
    /** Used when nothing else is set. */
    fallback: string;
  };
  /** The OpenAI-compatible model server (OpenAI, Ollama, llama.cpp, vLLM …). */
  model: {
    /** $OPENAI_BASE_URL; unset means api.openai.com when a key is set. */
    baseUrl: string | undefined;
    /** $OPENAI_API_KEY; local servers accept any key. */
    apiKey: string | undefined;
    /** $CITEWISE_MODEL, else $OPENAI_MODEL: the chat model when --model is not given. */
    name: string | undefined;
    /** Announced and used with OpenAI's own API when no model is named. */
    openaiDefault: string;
    /** True when a server is configured: answers are then written by a model unless --offline. */
    configured: boolean;
    /** Retries of a failed request (429, 5xx, connection errors, header timeouts). */
    maxRetries: number;
  };
  ingest: {
    /** $CITEWISE_MAX_FILE_BYTES: larger input files are skipped (default 512 MB: larger files are not abstract dumps, and refusing them keeps memory bounded). */
    maxFileBytes: number;
  };
  postgres: {
    /**
     * $CITEWISE_PG_HNSW_MIN_CHUNKS: from this many chunks on (default 100,000), an HNSW index makes dense search
     * approximate; below it the search stays exact (sequential scan), so results equal the local backend.
     */
    hnswMinChunks: number;
    /** Where an ingest into PostgreSQL keeps its journal ($XDG_CACHE_HOME/citewise, else ~/.cache/citewise). */
    journalDir: string;
  };
  /** $CITEWISE_DEBUG: print the stack trace of an unexpected error. */
  debug: boolean;
  /** Fault injection for the tests; never set in normal use. */
  faults: {
    /** $CITEWISE_CRASH_AT: SIGKILL at this step of a publish. */
    crashAt: string | undefined;
    /** $CITEWISE_FAIL_WRITES_AFTER: index writes fail with ENOSPC after this many bytes. */
    failWritesAfter: number | undefined;
  };
}

const positive = (value: string | undefined): number | undefined => {
  const number = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(number) && number > 0 ? number : undefined;
};

export function settings(env: NodeJS.ProcessEnv = process.env): Settings {
  const failWrites = Number(env.CITEWISE_FAIL_WRITES_AFTER);
  return {
    index: { store: env.CITEWISE_STORE || undefined, folder: env.CITEWISE_INDEX || undefined, fallback: ".citewise" },
    model: {
      baseUrl: env.OPENAI_BASE_URL || undefined,
      apiKey: env.OPENAI_API_KEY || undefined,
      name: env.CITEWISE_MODEL || env.OPENAI_MODEL || undefined,
      openaiDefault: "gpt-4o-mini",
      configured: Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL),
      maxRetries: 3,
    },
    ingest: { maxFileBytes: Math.floor(positive(env.CITEWISE_MAX_FILE_BYTES) ?? 512 * 1024 * 1024) },
    postgres: {
      hnswMinChunks: positive(env.CITEWISE_PG_HNSW_MIN_CHUNKS) ?? 100_000,
      journalDir: path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "citewise"),
    },
    debug: Boolean(env.CITEWISE_DEBUG),
    faults: {
      crashAt: env.CITEWISE_CRASH_AT || undefined,
      failWritesAfter: env.CITEWISE_FAIL_WRITES_AFTER !== undefined && Number.isFinite(failWrites) && failWrites >= 0 ? failWrites : undefined,
    },
  };
}
