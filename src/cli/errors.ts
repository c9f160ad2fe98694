import { CommanderError } from "commander";
import { CitewiseError, EXIT, UserError } from "../errors.js";
import { describeFsError } from "../index/files.js";
import { redactSecrets } from "../llm/redact.js";
import { settings } from "../settings.js";

export { UserError };

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
  // citewise's own: a pipe or device where an index file should be (index/files.ts readRegularFile).
  "ENOTREGULAR",
]);

export function isEnvironmentError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" && ENVIRONMENT_CODES.has(code) && typeof (error as NodeJS.ErrnoException).syscall === "string";
}

/** One line for any error: the message of a user or environment error, or the message of a bug. */
export function describeError(error: unknown): { message: string; user: boolean } {
  if (error instanceof CitewiseError) return { message: redactSecrets(error.message), user: true };
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
      process.exitCode = EXIT.user;
      return;
    }
    process.stderr.write(`citewise: unexpected error: ${line}\n`);
    if (settings().debug) process.stderr.write(`${redactSecrets((error as Error).stack ?? "")}\n`);
    else process.stderr.write("(set CITEWISE_DEBUG=1 to see the stack trace)\n");
    process.exitCode = EXIT.bug;
  }
}
