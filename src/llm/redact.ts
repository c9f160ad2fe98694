/**
 * API keys and passwords must never reach logs, errors or reports. Applied to every error message and
 * to server names; the configured key is removed wherever it appears, other secrets by their shape.
 */
export function redactSecrets(text: string): string {
  return removeKey(text, 4)
    .replace(/\bsk-[A-Za-z0-9_-]{6,}/g, "sk-***")
    .replace(/\b(Bearer|Basic)\s+[\w.~+/=-]{6,}/gi, "$1 ***")
    .replace(
      /\b((?:x-)?api[_-]?key|apikey|(?:access|auth|refresh|id)[_-]?token|client[_-]?secret|secret|password|passwd)(["']?\s*[:=]\s*["']?)[^\s"'&,;)}\]]+/gi,
      "$1$2***",
    )
    // scheme://user:password@host (OpenAI base URLs behind a proxy, PostgreSQL URLs).
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):([^\s@/]+)@/gi, "$1$2:***@");
}

/**
 * Only the configured key, exactly: safe on model output, where shape-based rules could eat real text
 * (and a very short key could match ordinary words, so those are left alone).
 */
export function redactKey(text: string): string {
  return removeKey(text, 8);
}

function removeKey(text: string, minLength: number): string {
  const key = process.env.OPENAI_API_KEY;
  return key && key.length >= minLength ? text.split(key).join("***") : text;
}
