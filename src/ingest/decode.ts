import { stripEscapeSequences } from "../corpus/controls.js";
import { stripBom } from "../corpus/fields.js";
/** Turns a file's bytes into text: BOMs, UTF-16 without BOM, damaged UTF-8, Windows-1252; binary is refused. */
export type Decoded = { ok: true; text: string; note?: string } | { ok: false; reason: string };

export function decodeBytes(bytes: Buffer): Decoded {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return clean(utf16(bytes.subarray(2), "le"), "UTF-16LE");
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return clean(utf16(bytes.subarray(2), "be"), "UTF-16BE");
  const sample = bytes.subarray(0, 8192);
  // UTF-16 without a BOM: Latin text puts a zero in every other byte, which would otherwise read as binary.
  const endian = utf16Endianness(sample);
  if (endian) {
    const text = utf16(bytes, endian);
    if (!looksBinary(text.slice(0, 4096))) return clean(text, `UTF-16${endian.toUpperCase()} without BOM`);
  }
  if (looksBinary(sample.toString("latin1"))) return { ok: false, reason: "binary file (not text)" };
  const utf8 = decodeUtf8(bytes);
  if (utf8) return clean(stripBom(utf8.text), utf8.note);
  return clean(windows1252(bytes), "not valid UTF-8, read as Latin-1 (Windows-1252)");
}

/** A few stray control bytes do not make a text file binary; more than 5% of the sample does. */
function looksBinary(sample: string): boolean {
  const control = sample.match(/[\u0000-\u0008\u000E-\u001F]/g)?.length ?? 0;
  return control > sample.length * 0.05;
}

function utf16(bytes: Buffer, endian: "le" | "be"): string {
  // A truncated file can end in half a code unit; swap16 would throw on an odd length.
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  return (endian === "le" ? even : Buffer.from(even).swap16()).toString("utf16le");
}

function utf16Endianness(sample: Buffer): "le" | "be" | null {
  const pairs = Math.floor(sample.length / 2);
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i + 1 < sample.length; i += 2) {
    if (sample[i] === 0) evenZeros++;
    if (sample[i + 1] === 0) oddZeros++;
  }
  if (pairs < 8) return null;
  if (oddZeros > pairs * 0.3 && evenZeros <= pairs * 0.01) return "le";
  if (evenZeros > pairs * 0.3 && oddZeros <= pairs * 0.01) return "be";
  return null;
}

/**
 * UTF-8, tolerating damage: a few bad bytes in an otherwise UTF-8 file (a character cut off by truncation,
 * a flipped bit) become U+FFFD instead of turning the whole file into Latin-1 mojibake. Null when the file
 * has more bad sequences than good multi-byte characters: then it is not UTF-8 at all.
 */
function decodeUtf8(bytes: Buffer): { text: string; note?: string } | null {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const text = new TextDecoder("utf-8").decode(bytes);
    const replaced = text.match(/\uFFFD/g)?.length ?? 0;
    const valid = text.match(/[^\u0000-\u007F\uFFFD]/g)?.length ?? 0;
    return valid >= replaced ? { text, note: `${replaced} invalid UTF-8 byte sequence(s) replaced` } : null;
  }
}

/** Bytes 0x80-0x9F as Windows-1252 (curly quotes, dashes); Node's decoder reads them as C1 controls. */
const CP1252 = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ";

function windows1252(bytes: Buffer): string {
  return bytes.toString("latin1").replace(/[\u0080-\u009F]/g, (c) => CP1252[c.charCodeAt(0) - 0x80]!);
}

/** Control characters (not tab or line breaks) are never content: stray NULs, escape codes, form feeds. */
function clean(text: string, note?: string): Decoded {
  // Whole escape sequences first ("ESC [ 2 J", "U+009B 2 J"), so their parameters do not stay behind as text.
  const unescaped = stripEscapeSequences(text);
  let removed = text.length - unescaped.length;
  const cleaned = unescaped.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+/g, (m) => {
    removed += m.length;
    return "";
  });
  const notes = [note, removed ? `${removed} control character(s) removed` : undefined].filter(Boolean);
  return { ok: true, text: cleaned, ...(notes.length ? { note: notes.join("; ") } : {}) };
}
