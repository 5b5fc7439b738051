import { sanitizeLine, sanitizeText } from "../src/text/sanitize.ts";
import { assertEquals } from "./support/assert.ts";

Deno.test("plain text passes through untouched", () => {
  for (const text of ["hello", "日本語 👋🏽 e\u0301", "a - b = c", "👩‍💻"]) {
    assertEquals(sanitizeText(text), text);
  }
});

Deno.test("escape sequences are removed whole: colours, cursor, titles, DCS", () => {
  assertEquals(sanitizeLine("\x1b[31mred\x1b[0m"), "red");
  assertEquals(sanitizeLine("a\x1b[2J\x1b[Hb"), "ab");
  assertEquals(sanitizeLine("x\x1b]0;pwned title\x07y"), "xy");
  assertEquals(sanitizeLine("x\x1b]8;;http://e.vil\x1b\\link\x1b]8;;\x1b\\y"), "xlinky");
  assertEquals(sanitizeLine("x\x1bP1$r\x1b\\y"), "xy");
  assertEquals(sanitizeLine("x\x1b7\x1b8\x1b(By"), "xy");
  assertEquals(sanitizeLine("x\x1b]0;never terminated"), "x");
});

Deno.test("8-bit (C1) string sequences go whole, payload included", () => {
  assertEquals(sanitizeLine("a\x9d0;fake title\x9cb"), "ab");
  assertEquals(sanitizeLine("a\x9d8;;http://e.vil\x07link\x9d8;;\x07b"), "alinkb");
  assertEquals(sanitizeLine("a\x90q#0;2;0;0;0\x9cb"), "ab");
  assertEquals(sanitizeLine("a\x98sos\x9cb\x9epm\x1b\\c\x9fapc\x9cd"), "abcd");
  assertEquals(sanitizeLine("a\x1b]0;7-bit opener, 8-bit end\x9cb"), "ab");
  assertEquals(sanitizeLine("a\x9d0;never terminated"), "a");
});

Deno.test("short escapes go whole and take nothing after them", () => {
  // ESC 7 / ESC 8 (save/restore cursor) followed by letters a parameter parser would eat
  assertEquals(sanitizeLine("a\x1b7cursor\x1b8hello"), "acursorhello");
  assertEquals(sanitizeLine("\x1b7123"), "123");
  assertEquals(sanitizeLine("a\x1b N b"), "a b"); // ESC SP N: announcer
  assertEquals(sanitizeLine("a\x1b%Gb"), "ab"); // ESC % G: select UTF-8
  assertEquals(sanitizeLine("a\x1b#8b\x1bcc\x1bMd\x1b=e"), "abcde");
  assertEquals(sanitizeLine("a\x9b?25lb\x9b2;3Hc"), "abc");
});

Deno.test("control characters and 8-bit controls are removed; tabs become spaces", () => {
  assertEquals(sanitizeLine("a\x00b\x07c\x08d\x7fe"), "abcde");
  assertEquals(sanitizeLine("a\x9b31mb\x9ac\x9dd"), "abc"); // an open C1 OSC swallows the rest
  assertEquals(sanitizeLine("a\tb"), "a b");
});

Deno.test("bidi overrides and isolates are removed so text cannot be reordered", () => {
  assertEquals(sanitizeLine("abc\u202edcba\u202c"), "abcdcba");
  assertEquals(sanitizeLine("\u2066x\u2069\u200f\u061c"), "x");
});

Deno.test("line breaks: kept as \\n in multi-line text, spaces otherwise; CR never survives", () => {
  assertEquals(
    sanitizeText("one\r\ntwo\rthree\u2028four", { multiline: true }),
    "one\ntwo\nthree\nfour",
  );
  assertEquals(sanitizeLine("one\r\ntwo"), "one two");
  assertEquals(sanitizeLine("overwrite\rme"), "overwrite me");
});

Deno.test("lone surrogates are replaced", () => {
  assertEquals(sanitizeLine("a\ud800b"), "a\ufffdb");
});
