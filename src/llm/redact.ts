import { settings } from "../settings.js";
/**
 * API keys and passwords must never reach the terminal, logs, errors or reports. Two layers:
 * - exact secrets: the configured key, credentials in OPENAI_BASE_URL (user:password@, ?key=, ?sig=…) and in
 *   PostgreSQL URLs, and anything registered with registerSecret. These are removed from *everything* the CLI
 *   prints (cli/terminal.ts), including model answers and model ids.
 * - shapes (sk-…, Bearer …, password=…): applied to error messages only, where they cannot eat real text.
 */
const registered = new Set<string>();

/** Secrets shorter than this are not searched for in error messages: they would match ordinary words. */
const MIN_SECRET_LENGTH = 4;
/**
 * In everything else printed (answers, model ids, JSON) only secrets this long are replaced: local servers
 * take placeholder keys such as "ollama" or "EMPTY", and removing those words would mangle real text.
 */
const MIN_OUTPUT_SECRET_LENGTH = 8;

export function registerSecret(value: string | null | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  registered.add(value);
  for (const encoded of [encodeURIComponent(value), safeDecode(value)]) if (encoded && encoded.length >= MIN_SECRET_LENGTH) registered.add(encoded);
}

/**
 * Query parameters of a PostgreSQL URL that are shown: libpq's connection options. Any other name may carry a
 * credential (?key=, ?jwt=, ?sig=, ?s=…), so its value is treated as secret.
 */
const SHOWN_PARAM =
  /^(host|hostaddr|port|dbname|user|sslmode|sslrootcert|sslcert|sslkey|sslcrl|application_name|fallback_application_name|connect_timeout|options|target_session_attrs|client_encoding|gssencmode|channel_binding|keepalives(_idle|_interval|_count)?)$/i;
const isSecretParam = (name: string) => !SHOWN_PARAM.test(name);

/** Every secret known now: registered ones plus those in the environment (read each time: tests change it). */
export function knownSecrets(env?: NodeJS.ProcessEnv, minLength = MIN_SECRET_LENGTH): string[] {
  const found = new Set([...registered].filter((secret) => secret.length >= minLength));
  const add = (value: string | null | undefined) => {
    if (value && value.length >= minLength) found.add(value);
  };
  const { model, index } = settings(env);
  add(model.apiKey);
  for (const secret of urlSecrets(model.baseUrl, { everyQueryValue: true })) add(secret);
  for (const secret of urlSecrets(index.store)) add(secret);
  // Longest first, so a secret that contains another is removed whole.
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * Credentials inside a URL: the password of user:password@ (as a driver and as a person would read it) and
 * secret query values — every value with `everyQueryValue` (a model server's URL: ?jwt=, ?s=… are all possible).
 */
export function urlSecrets(url: string | null | undefined, options: { everyQueryValue?: boolean } = {}): string[] {
  if (!url) return [];
  const secrets: string[] = [];
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*@|[^@]*@)/i.exec(url)?.[1];
  if (userinfo) {
    // "postgres://ann:p@ss/w0rd#x@host/db": a driver reads the password as "p", a person meant "p@ss/w0rd#x".
    const info = userinfo.slice(0, -1);
    const colon = info.indexOf(":");
    if (colon >= 0) {
      const lastPassword = info.slice(colon + 1);
      secrets.push(lastPassword, safeDecode(lastPassword));
      const firstAt = lastPassword.indexOf("@");
      if (firstAt > 0) secrets.push(lastPassword.slice(0, firstAt));
    }
  }
  const query = url.indexOf("?");
  if (query >= 0) {
    for (const pair of url.slice(query + 1).split(/[&#]/)) {
      const [name, value] = pair.split("=", 2);
      if (name && value && (options.everyQueryValue || isSecretParam(name))) secrets.push(value, safeDecode(value));
    }
  }
  return secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

/** Secrets long enough to be removed from any printed text (see MIN_OUTPUT_SECRET_LENGTH). */
export function outputSecrets(): string[] {
  return knownSecrets(undefined, MIN_OUTPUT_SECRET_LENGTH);
}

/** Removes every known secret, exactly: safe on any text, including model answers. */
export function redactKnownSecrets(text: string, secrets: string[] = outputSecrets()): string {
  let result = text;
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join("***");
  return result;
}

/** Error messages: exact secrets, then anything shaped like a credential. */
export function redactSecrets(text: string): string {
  return (
    redactKnownSecrets(text, knownSecrets())
      .replace(/\bsk-[A-Za-z0-9_-]{6,}/g, "sk-***")
      .replace(/\b(Bearer|Basic)\s+[\w.~+/=-]{6,}/gi, "$1 ***")
      .replace(
        /\b((?:x-)?api[_-]?key|apikey|(?:access|auth|refresh|id)[_-]?token|client[_-]?secret|secret|password|passwd)(["']?\s*[:=]\s*["']?)[^\s"'&,;)}\]]+/gi,
        "$1$2***",
      )
      // scheme://user:password@host (OpenAI base URLs behind a proxy, PostgreSQL URLs); the last @ ends the password.
      .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):([^\s]*)@(?=[^\s@]*(\s|$))/gi, "$1$2:***@")
      .replace(/([?&](?:[\w-]*(?:key|token|sig|secret|pass|pwd|code|auth|session|credential)[\w-]*)=)[^&#\s]+/gi, "$1***")
  );
}

/** Kept for model output: only the configured key and other exact secrets, never shape-based rules. */
export function redactKey(text: string): string {
  return redactKnownSecrets(text);
}

/**
 * A URL for messages: scheme, user, host, port and path, never a password. The query string is shown as "?…"
 * (a model server's URL has no options worth showing) or, with `query: "mask"`, with secret values masked
 * (PostgreSQL options such as ?host=/run/postgresql or ?sslmode=require help explain connection errors).
 */
export function displayUrl(url: string, options: { query?: "hide" | "mask"; user?: "show" | "hide" } = {}): string {
  // The userinfo ends at the last "@" before any "?": a password may hold unencoded "@", "/" or "#".
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^?]*@)?([^/?#]*)([^?#]*)(\?[^#]*)?/i.exec(url);
  if (!match) return redactKnownSecrets(url);
  const [, scheme, userinfo, host, path, query] = match;
  const user = userinfo ? userinfo.slice(0, -1).split(":")[0]!.replace(/@.*$/, "") : "";
  // A model server's URL has no user names, only tokens ("http://TOKEN@host"): hidden with `user: "hide"`.
  const shownUser = userinfo ? (options.user === "hide" ? "***@" : userinfo.includes(":") ? `${user}:***@` : `${user}@`) : "";
  let shownQuery = "";
  if (query) {
    shownQuery =
      options.query === "mask"
        ? `?${query
            .slice(1)
            .split("&")
            .map((pair) => (isSecretParam(pair.split("=")[0] ?? "") && pair.includes("=") ? `${pair.split("=")[0]}=***` : pair))
            .join("&")}`
        : "?…";
  }
  return redactKnownSecrets(`${scheme}${shownUser}${host}${path}${shownQuery}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
