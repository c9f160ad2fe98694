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
  /**
   * How much of each model request its sources and its reply may take, in tokens (o200k_base, llm/tokens.ts).
   * Defaults keep instructions, sources and reply of every request within an 8,192-token context (Llama 3
   * 8B), summarize's 20 sources included; a request's abstracts over its budget are cut to their sentences most
   * relevant to the request. $CITEWISE_SOURCE_TOKENS sets the source budget of every request (a model with a
   * smaller or larger context); $CITEWISE_REPLY_TOKENS sets max_tokens of every request (a reasoning model that
   * thinks before it answers needs more). Reported in --json as `budget`.
   */
  budgets: Record<BudgetName, RequestBudget>;
  /** Requests to an OpenAI-compatible embeddings server (`--embedder openai:<model>`, index/embedders/openai.ts). */
  embeddings: {
    /** $CITEWISE_EMBED_BATCH: most texts in one embeddings request (default 128; OpenAI accepts up to 2,048). */
    requestTexts: number;
    /**
     * $CITEWISE_EMBED_BATCH_CHARS: most characters of text in one request (default 200,000, about 50k tokens: far
     * below OpenAI's 300k tokens per request, and a body a local server parses quickly). A longer text goes alone.
     */
    requestChars: number;
    /**
     * $CITEWISE_EMBED_CONCURRENCY: embeddings requests in flight at once (default 4). A remote server answers
     * several at the same time; 1 sends one request after the other. A 429 or 5xx is retried with backoff,
     * honouring Retry-After (model.maxRetries).
     */
    concurrency: number;
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
  search: {
    /**
     * $CITEWISE_EXACT_SEARCH=1 (or `citewise search --exact`): dense search ranks every vector by its exact
     * float32 score. Default off: the local index scans int8 copies and re-ranks the best few hundred exactly
     * (recall@10 against exact ≥ 0.98, measured in the bench), several times faster.
     */
    exact: boolean;
  };
  vectors: {
    /**
     * $CITEWISE_VECTRA_COPY=1: new segments also get vectra's index.json, for tools that read vectra indexes.
     * Off by default: it is ~10 KB of JSON per vector (1.3 GB of a 1.8 GB 100k-chunk index) and citewise reads
     * its own float32 and int8 copies instead.
     */
    vectraCopy: boolean;
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

/** The model requests citewise makes, each with a budget (see Settings.budgets). */
export type BudgetName = "answer" | "rewrite" | "summarize" | "ideas" | "compare" | "relatedWorkOutline" | "relatedWorkParagraph" | "verdict";

export interface RequestBudget {
  /** Most tokens the request's source blocks may take together (chat's rewrite: the conversation history). */
  sourceTokens: number;
  /** max_tokens of the reply is `replyTokens` plus `replyTokensPer` for each unit the prompt asks for (see BUDGETS). */
  replyTokens: number;
  replyTokensPer: number;
}

/**
 * Defaults of Settings.budgets. The unit of `replyTokensPer`: answer, a sentence of --max-sentences; summarize,
 * compare and a related-work paragraph, a source; ideas, an idea; the related-work outline, a source (one
 * number and a share of a theme name). Replies are sized generously: a reply cut at max_tokens is an error.
 */
const BUDGETS: Record<BudgetName, RequestBudget> = {
  answer: { sourceTokens: 3000, replyTokens: 100, replyTokensPer: 60 },
  rewrite: { sourceTokens: 1500, replyTokens: 120, replyTokensPer: 0 },
  summarize: { sourceTokens: 4000, replyTokens: 400, replyTokensPer: 150 },
  ideas: { sourceTokens: 4000, replyTokens: 300, replyTokensPer: 250 },
  compare: { sourceTokens: 3000, replyTokens: 500, replyTokensPer: 250 },
  relatedWorkOutline: { sourceTokens: 4000, replyTokens: 200, replyTokensPer: 30 },
  relatedWorkParagraph: { sourceTokens: 3500, replyTokens: 150, replyTokensPer: 120 },
  verdict: { sourceTokens: 2000, replyTokens: 300, replyTokensPer: 0 },
};

const positive = (value: string | undefined): number | undefined => {
  const number = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(number) && number > 0 ? number : undefined;
};

/** A yes/no variable: set and not "0", "false", "no" or "off". */
const flag = (value: string | undefined): boolean => value !== undefined && value !== "" && !/^(0|false|no|off)$/i.test(value.trim());

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
    budgets: requestBudgets(positive(env.CITEWISE_SOURCE_TOKENS), positive(env.CITEWISE_REPLY_TOKENS)),
    embeddings: {
      requestTexts: Math.max(1, Math.floor(positive(env.CITEWISE_EMBED_BATCH) ?? 128)),
      requestChars: Math.max(1, Math.floor(positive(env.CITEWISE_EMBED_BATCH_CHARS) ?? 200_000)),
      concurrency: Math.max(1, Math.floor(positive(env.CITEWISE_EMBED_CONCURRENCY) ?? 4)),
    },
    ingest: { maxFileBytes: Math.floor(positive(env.CITEWISE_MAX_FILE_BYTES) ?? 512 * 1024 * 1024) },
    postgres: {
      hnswMinChunks: positive(env.CITEWISE_PG_HNSW_MIN_CHUNKS) ?? 100_000,
      journalDir: path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "citewise"),
    },
    search: { exact: flag(env.CITEWISE_EXACT_SEARCH) },
    vectors: { vectraCopy: flag(env.CITEWISE_VECTRA_COPY) },
    debug: Boolean(env.CITEWISE_DEBUG),
    faults: {
      crashAt: env.CITEWISE_CRASH_AT || undefined,
      failWritesAfter: env.CITEWISE_FAIL_WRITES_AFTER !== undefined && Number.isFinite(failWrites) && failWrites >= 0 ? failWrites : undefined,
    },
  };
}

/**
 * Smallest values $CITEWISE_SOURCE_TOKENS and $CITEWISE_REPLY_TOKENS may set: below 100 source tokens no
 * abstract keeps a sentence; below 100 reply tokens not even a verdict or a rewritten question fits.
 */
const MIN_TOKENS = { CITEWISE_SOURCE_TOKENS: 100, CITEWISE_REPLY_TOKENS: 100 } as const;

/** What is wrong with $CITEWISE_SOURCE_TOKENS or $CITEWISE_REPLY_TOKENS, or null; checked when a model is chosen (settings() alone ignores a bad value). */
export function budgetProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const [name, least] of Object.entries(MIN_TOKENS)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    if (!/^\d+$/.test(value.trim()) || Number(value) < least) {
      return `${name} must be a whole number of tokens, ${least} or more (got ${JSON.stringify(value.slice(0, 40))})`;
    }
  }
  return null;
}

/** max_tokens of a request that asks for `units` of its reply's unit (see BUDGETS). */
export function replyTokens(budget: RequestBudget, units: number): number {
  return budget.replyTokens + budget.replyTokensPer * units;
}

function requestBudgets(sourceTokens: number | undefined, reply: number | undefined): Record<BudgetName, RequestBudget> {
  if (sourceTokens === undefined && reply === undefined) return BUDGETS;
  const set = (budget: RequestBudget): RequestBudget => ({
    sourceTokens: sourceTokens === undefined ? budget.sourceTokens : Math.floor(sourceTokens),
    ...(reply === undefined
      ? { replyTokens: budget.replyTokens, replyTokensPer: budget.replyTokensPer }
      : { replyTokens: Math.floor(reply), replyTokensPer: 0 }),
  });
  return Object.fromEntries(Object.entries(BUDGETS).map(([name, budget]) => [name, set(budget)])) as Record<BudgetName, RequestBudget>;
}
