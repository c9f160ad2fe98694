/**
 * Text from abstracts, file names and model servers must not control the terminal: an OSC sequence can
 * retitle the window, cursor-up + erase-line can overwrite citewise's own lines (a forged "Grounded: 5/5"),
 * and bidi overrides can reorder what is shown. These helpers remove or make visible every such control.
 */

/**
 * ESC sequences whose parameters would otherwise stay behind as text: CSI (ESC [ … final), OSC (ESC ] … BEL
 * or ST), DCS/SOS/PM/APC (ESC P|X|^|_ … ST), string sequences only when terminated within 512 characters (a
 * stray "ESC ]" in a file must not swallow the rest of it). Any other ESC is removed alone: without it,
 * "ESC c" is just "c" (and a stray ESC byte in a file does not eat the letter after it).
 */
const ESC_SEQUENCE =
  /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b\u009c]{0,512}(?:\u0007|\u001b\\|\u009c)|[PX^_][^\u001b\u009c]{0,512}(?:\u001b\\|\u009c))?/g;
/** The same as 8-bit C1 controls: CSI U+009B, OSC U+009D, DCS U+0090, SOS U+0098, PM U+009E, APC U+009F. */
const C1_SEQUENCE = /\u009b[0-?]*[ -/]*[@-~]?|[\u009d\u0090\u0098\u009e\u009f][^\u0007\u009c\u001b]{0,512}(?:\u0007|\u009c|\u001b\\)/g;
/**
 * C0 controls except tab, newline and the CR of a CRLF line end (a user's .bib written with Windows line
 * ends is copied as it is), DEL, the remaining C1 controls, bidi embeddings/overrides/isolates.
 */
const LONE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;

/** Removes whole ESC and C1 sequences only (lone controls and line breaks stay): for decoding files, where \r ends lines. */
export function stripEscapeSequences(text: string): string {
  return text.replace(ESC_SEQUENCE, "").replace(C1_SEQUENCE, "");
}

/**
 * Removes every terminal control from text that did not come from citewise (keeps tab and newline). Whole
 * sequences go; a lone control becomes `lone` (normalisation passes " " so words it separated stay apart).
 */
export function stripTerminalControls(text: string, lone = ""): string {
  return text.replace(ESC_SEQUENCE, "").replace(C1_SEQUENCE, "").replace(LONE_CONTROL, lone);
}

/**
 * A name for one line of a report: controls and newlines shown as escapes (\n, \x1b, \u202e), so a file
 * called "a\nGrounded: 5/5" cannot split a line or pass for citewise's output.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\t") return "\\t";
    if (c === "\r") return "\\r";
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
