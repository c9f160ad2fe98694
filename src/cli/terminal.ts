import { outputSecrets, redactKnownSecrets } from "../llm/redact.js";
import { stripTerminalControls } from "../corpus/controls.js";

/**
 * The last line of defence for everything the CLI prints: titles, file names, model answers, model ids and
 * server messages reach stdout/stderr mixed with citewise's own text, so every write is cleaned here —
 * citewise's colours (the SGR codes picocolors writes: reset, bold, dim, foreground colours; never conceal,
 * blink or reverse video, which could hide or forge text) are kept, every other control and escape sequence
 * is removed, and every known secret (API key, URL passwords) is replaced by ***. Data is also cleaned where it enters
 * (ingest, model replies); this guard catches what an old index or a new code path lets through.
 */
const SGR = /(\u001b\[(?:[0-2]|22|3[0-79])m)/;

export function cleanOutput(text: string): string {
  const parts = text.split(SGR);
  for (let i = 0; i < parts.length; i += 2) parts[i] = stripTerminalControls(parts[i]!);
  return redactKnownSecrets(parts.join(""));
}

type Write = NodeJS.WriteStream["write"];
const originals = new Map<NodeJS.WriteStream, Write>();

export function installOutputGuards(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (originals.has(stream)) continue;
    const original = stream.write.bind(stream) as Write;
    originals.set(stream, original);
    stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      if (typeof encoding === "function") return original(cleanOutput(text), encoding);
      return original(cleanOutput(text), encoding ?? "utf8", callback);
    }) as Write;
  }
}

/** The stream without the guard, for citewise's own cursor control (the progress bar redraws its line). */
export function unguarded(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  const original = originals.get(stream);
  return original ? (Object.create(stream, { write: { value: original } }) as NodeJS.WriteStream) : stream;
}

/**
 * For text that arrives in pieces (a streamed answer): a secret split across two pieces would pass a
 * per-write filter, so the end of the text that could be the start of a secret is held back until the
 * next piece (or flush) shows what it is.
 */
export function secretSafeStream(write: (text: string) => void): { write(piece: string): void; flush(): void } {
  let pending = "";
  return {
    write(piece) {
      const secrets = outputSecrets();
      pending = redactKnownSecrets(pending + piece, secrets);
      let keepFrom = pending.length;
      for (const secret of secrets) {
        for (let length = Math.min(secret.length - 1, pending.length); length > 0; length--) {
          if (pending.endsWith(secret.slice(0, length))) {
            keepFrom = Math.min(keepFrom, pending.length - length);
            break;
          }
        }
      }
      if (keepFrom > 0) write(pending.slice(0, keepFrom));
      pending = pending.slice(keepFrom);
    },
    flush() {
      if (pending) write(redactKnownSecrets(pending));
      pending = "";
    },
  };
}
