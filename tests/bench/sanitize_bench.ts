/**
 * Micro-benchmarks of the sanitiser, which every message passes through once
 * on the server: clean text (the common case, returned untouched), text with
 * escape sequences and controls, and long text.
 * Run with `deno bench tests/bench/`; docs/PERFORMANCE.md has results.
 */

import { sanitizeLine, sanitizeText } from "../../src/text/sanitize.ts";

const clean = "0:123:1234.567 " + "x".repeat(49);
const accented = "Ça va? Très bien, merci — à demain! 🎉 ".repeat(2);
const hostile = "\x1b[31mred\x1b[0m \x1b]0;title\x07 tab\there \u202Eevil\u202C\r\nnext";
const long = "The quick brown fox jumps over the lazy dog. ".repeat(88); // ~4000 characters

Deno.bench(
  "sanitizeText: clean 64-character message",
  { group: "sanitize", baseline: true },
  () => {
    sanitizeText(clean, { multiline: true });
  },
);

Deno.bench("sanitizeText: accented text with emoji", { group: "sanitize" }, () => {
  sanitizeText(accented, { multiline: true });
});

Deno.bench("sanitizeText: escape sequences, bidi, tabs, CRLF", { group: "sanitize" }, () => {
  sanitizeText(hostile, { multiline: true });
});

Deno.bench("sanitizeText: 4000-character message", { group: "sanitize" }, () => {
  sanitizeText(long, { multiline: true });
});

Deno.bench("sanitizeLine: a plain-text client's line", { group: "sanitize" }, () => {
  sanitizeLine(hostile);
});
