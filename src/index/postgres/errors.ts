import { CitewiseError } from "../../errors.js";
/** A problem with the PostgreSQL store the user pointed at (unreachable, refused login, no pgvector, …): one line, no stack. */
export class PostgresStoreError extends CitewiseError {}

interface PgLikeError {
  code?: string;
  message?: string;
  errors?: PgLikeError[];
}

/**
 * Turns what `pg` and the socket layer throw into one-line messages that name the store by its
 * password-free location. Errors that are not about the connection or the server setup are returned
 * unchanged: they are bugs or data problems and keep their own message.
 */
export function describePgError(error: unknown, location: string): unknown {
  if (error instanceof PostgresStoreError || typeof error !== "object" || error === null) return error;
  const pgError = error as PgLikeError;
  // Node's happy-eyeballs connect (localhost -> ::1 and 127.0.0.1) throws an AggregateError.
  const code = pgError.code ?? pgError.errors?.[0]?.code;
  const detail = (pgError.message || pgError.errors?.[0]?.message || "").split("\n")[0] ?? "";
  const at = `PostgreSQL at ${location}`;
  switch (code) {
    case "ERR_INVALID_URL":
      return new PostgresStoreError(`invalid PostgreSQL URL ${location} (${detail}); expected postgres://user:password@host:port/database`);
    case "ECONNREFUSED":
      return new PostgresStoreError(`cannot connect to ${at}: connection refused (is the server running and listening there?)`);
    case "ENOENT":
    case "EACCES":
    case "ENOTDIR": {
      // ?host=/run/postgresql names a socket folder; ?sslrootcert=, ?sslcert=, ?sslkey= name files the driver reads.
      const file = (pgError as { address?: string; path?: string }).address ?? (pgError as { path?: string }).path ?? "";
      const problem = code === "EACCES" ? "permission denied" : "no such file or folder";
      return new PostgresStoreError(
        `cannot connect to ${at}: ${file ? `${file}: ` : ""}${problem} (${code}); check the host= socket folder and ssl*= files in the URL`,
      );
    }
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new PostgresStoreError(`cannot connect to ${at}: unknown host`);
    case "ETIMEDOUT":
      return new PostgresStoreError(`cannot connect to ${at}: timed out`);
    case "ECONNRESET":
    case "EPIPE":
      return new PostgresStoreError(`lost the connection to ${at} (${code})`);
    case "28P01":
    case "28000":
      return new PostgresStoreError(`${at} refused the login: ${detail}; check the user name and password in the URL`);
    case "3D000":
      return new PostgresStoreError(`${at}: ${detail}; create it first (createdb) or fix the URL`);
    case "57P01":
    case "57P02":
    case "57P03":
    case "53300":
      return new PostgresStoreError(`${at} is not accepting this connection: ${detail}`);
    case "42501":
      return new PostgresStoreError(`${at}: ${detail}; the user needs CREATE and INSERT rights on the schema`);
  }
  if (/Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(detail)) {
    return new PostgresStoreError(`lost the connection to ${at}: ${detail}`);
  }
  return error;
}

/** CREATE EXTENSION failed: pgvector is not installed on the server, or this user may not enable it. */
export function missingPgvector(error: unknown, location: string): PostgresStoreError {
  const detail = ((error as PgLikeError).message ?? String(error)).split("\n")[0] ?? "";
  return new PostgresStoreError(
    `the pgvector extension is not available in PostgreSQL at ${location} (${detail}); ` +
      `install pgvector on the server and run "CREATE EXTENSION vector" as a superuser in that database`,
  );
}
