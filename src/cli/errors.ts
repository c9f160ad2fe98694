import { CommanderError } from "commander";
import { InputError } from "../ingest/read-source.js";
import { UnknownEmbedderError } from "../index/embedders/create.js";
import { InvalidEmbeddingError } from "../index/embedder.js";
import { IndexMismatchError } from "../index/manifest.js";
import { PostgresStoreError } from "../index/postgres/errors.js";
import { IndexCorruptError, IndexLockedError, IndexNotFoundError } from "../index/storage.js";
import { ProviderError, redactSecrets } from "../llm/openai-client.js";
import { FixtureError } from "../eval/retrieval-fixtures.js";

/** A problem with what the user asked for: reported in one line, no stack trace. */
export class UserError extends Error {}

const USER_ERRORS = [UserError, InputError, UnknownEmbedderError, IndexMismatchError, IndexNotFoundError, IndexCorruptError, IndexLockedError, InvalidEmbeddingError, ProviderError, FixtureError, PostgresStoreError];

/** Runs a command action; user errors exit 2 with a clear message, bugs exit 1 with a hint. */
export async function reportErrors(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof CommanderError) throw error;
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    if (USER_ERRORS.some((type) => error instanceof type)) {
      process.stderr.write(`citewise: error: ${message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`citewise: unexpected error: ${message}\n`);
    if (process.env.CITEWISE_DEBUG) process.stderr.write(`${redactSecrets((error as Error).stack ?? "")}\n`);
    else process.stderr.write("(set CITEWISE_DEBUG=1 to see the stack trace)\n");
    process.exitCode = 1;
  }
}
