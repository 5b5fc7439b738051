/**
 * The one sanitiser, used by the server on everything it relays and by the
 * client on everything it prints. After cleaning, a string holds no byte that
 * a terminal acts on: no escape sequences (colours, cursor movement, window
 * titles), no C0/C1 control characters, no bidi overrides that reorder text.
 *
 * @example
 * ```ts
 * sanitizeLine("\x1b[31mred\x1b[0m\u202Eevil"); // "redevil"
 * ```
 *
 * @module
 */

// Whole escape sequences (ECMA-48), in their 7-bit (ESC …) and 8-bit (C1) encodings:
// - string sequences (DCS, SOS, OSC, PM, APC: ESC P X ] ^ _, or 0x90 0x98 0x9d 0x9e 0x9f)
//   with their payload, up to BEL, ST (ESC \ or 0x9c) or the end of the text;
// - control sequences (CSI: ESC [ or 0x9b): parameters, intermediates, final byte;
// - every other escape: ESC, intermediates (0x20–0x2f), one final byte (0x30–0x7e),
//   so ESC 7, ESC ( B, ESC SP F and ESC % G go whole and take nothing after them.
// node:util stripVTControlCharacters is not used: it left C1 string payloads visible
// and read ESC 7 as taking a parameter, removing the character after it.
const ESCAPE_SEQUENCE =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /(?:\x1b[PX\]^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c|$)|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|\x1b[\x20-\x2f]*[\x30-\x7e]/g;

// Any character that needs work; strings without one are returned untouched.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const NEEDS_CLEANING = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

// What remains after escape sequences are gone and line breaks are handled:
// C0 and C1 controls, DEL, bidi marks/embeddings/overrides/isolates, BOM.
const UNSAFE_CHARACTER =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Options of {@linkcode sanitizeText}. */
export interface SanitizeOptions {
  /** Keep line breaks (as `\n`); otherwise every line break becomes a space. */
  multiline?: boolean;
}

/**
 * Cleans text for display: removes escape sequences and control characters,
 * replaces tabs with a space, normalises line breaks, replaces lone surrogates.
 */
export function sanitizeText(text: string, options: SanitizeOptions = {}): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  if (!NEEDS_CLEANING.test(wellFormed)) return wellFormed;
  const breakTo = options.multiline ? "\n" : " ";
  return wellFormed.replace(ESCAPE_SEQUENCE, "")
    .replace(/\r\n?|[\u2028\u2029\x85]/g, "\n")
    .replace(/\t/g, " ")
    .replace(UNSAFE_CHARACTER, "")
    .replace(/\n/g, breakTo);
}

/** Cleans text that must stay on one line (names, reasons, plain-text input). */
export function sanitizeLine(text: string): string {
  return sanitizeText(text, { multiline: false });
}
