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

Deno.test("control characters and 8-bit controls are removed; tabs become spaces", () => {
  assertEquals(sanitizeLine("a\x00b\x07c\x08d\x7fe"), "abcde");
  assertEquals(sanitizeLine("a\x9b31mb\x9dc"), "abc");
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
