/**
 * One base for every error citewise explains to the user — bad input or arguments, configuration, the
 * index, the environment, a model or database server. The CLI prints its message as one line and exits 2.
 * Anything that is not a CitewiseError (nor a system error such as ENOSPC) is a bug: exit 1.
 */
export class CitewiseError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A mistake in what the user asked for (arguments, file names, combinations of options). */
export class UserError extends CitewiseError {}

/** Exit codes: documented in the README. */
export const EXIT = {
  ok: 0,
  /** A bug in citewise (an unexpected error). */
  bug: 1,
  /** A user or environment problem, reported in one line. */
  user: 2,
  /** The command ran and its check found problems (e.g. an eval metric past its threshold). */
  checkFailed: 3,
} as const;
