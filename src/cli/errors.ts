import { CommanderError } from "commander";
import { InputError } from "../ingest/read-source.js";
import { UnknownEmbedderError } from "../index/embedders/create.js";
import { InvalidEmbeddingError } from "../index/embedder.js";
import { describeFsError } from "../index/files.js";
import { IndexMismatchError } from "../index/manifest.js";
import { PostgresStoreError } from "../index/postgres/errors.js";
import { IndexCorruptError, IndexLocationError, IndexLockedError, IndexNotFoundError, IndexWriteError } from "../index/storage.js";
import { ProviderError, redactSecrets } from "../llm/openai-client.js";
import { FixtureError } from "../eval/retrieval-fixtures.js";

/** A problem with what the user asked for: reported in one line, no stack trace. */
export class UserError extends Error {}

const USER_ERRORS = [
  UserError,
  InputError,
  UnknownEmbedderError,
  IndexMismatchError,
  IndexNotFoundError,
  IndexCorruptError,
  IndexLockedError,
  IndexLocationError,
  IndexWriteError,
  InvalidEmbeddingError,
  ProviderError,
  FixtureError,
  PostgresStoreError,
];

/**
 * Problems of the machine rather than of citewise (a full disk, a folder the user may not write, too many
 * open files): reported in one line with the path, exit 2, like any user error.
 */
const ENVIRONMENT_CODES = new Set([
  "ENOSPC",
  "EDQUOT",
  "EACCES",
  "EPERM",
  "EROFS",
  "ENOENT",
  "ENOTDIR",
  "EISDIR",
  "ENAMETOOLONG",
  "ELOOP",
  "EMFILE",
  "ENFILE",
  "EIO",
  "EBUSY",
  "EEXIST",
  "EXDEV",
]);

export function isEnvironmentError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" && ENVIRONMENT_CODES.has(code) && typeof (error as NodeJS.ErrnoException).syscall === "string";
}

/** One line for any error: the message of a user or environment error, or the message of a bug. */
export function describeError(error: unknown): { message: string; user: boolean } {
  if (USER_ERRORS.some((type) => error instanceof type)) return { message: redactSecrets((error as Error).message), user: true };
  if (isEnvironmentError(error)) {
    const where = error.path ? ` ${error.path}` : "";
    return { message: redactSecrets(`cannot ${error.syscall}${where}: ${describeFsError(error)}`), user: true };
  }
  return { message: redactSecrets(error instanceof Error ? error.message : String(error)), user: false };
}

/** Runs a command action; user errors exit 2 with a clear message, bugs exit 1 with a hint. */
export async function reportErrors(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof CommanderError) throw error;
    const { message, user } = describeError(error);
    const line = message.replace(/\s*\n\s*/g, " ");
    if (user) {
      process.stderr.write(`citewise: error: ${line}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`citewise: unexpected error: ${line}\n`);
    if (process.env.CITEWISE_DEBUG) process.stderr.write(`${redactSecrets((error as Error).stack ?? "")}\n`);
    else process.stderr.write("(set CITEWISE_DEBUG=1 to see the stack trace)\n");
    process.exitCode = 1;
  }
}
