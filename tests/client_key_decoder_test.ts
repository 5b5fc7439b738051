/** The key decoder: raw terminal input in, keys out. */

import { assertEquals } from "./support/assert.ts";
import { type Key, KeyDecoder } from "../src/client/key_decoder.ts";

function decode(...chunks: string[]): Key[] {
  const decoder = new KeyDecoder();
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

Deno.test("typed text comes out as one run; control keys as names", () => {
  assertEquals(decode("héllo 世界\r"), [
    { name: "text", text: "héllo 世界" },
    { name: "enter" },
  ]);
  assertEquals(decode("\x7f\x08\x17\x15\x01\x05\x03\x04\x0c\t"), [
    { name: "backspace" },
    { name: "backspace" },
    { name: "delete-word-left" },
    { name: "kill-line-start" },
    { name: "home" },
    { name: "end" },
    { name: "interrupt" },
    { name: "eof" },
    { name: "redraw" },
    { name: "tab" },
  ]);
});

Deno.test("arrows, home/end and delete in xterm, VT220 and SS3 forms", () => {
  assertEquals(
    decode("\x1b[A\x1b[B\x1b[C\x1b[D\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[3~\x1bOH\x1bOF\x1bOA"),
    ["up", "down", "right", "left", "home", "end", "home", "end", "delete", "home", "end", "up"]
      .map((name) => ({ name } as Key)),
  );
});

Deno.test("Ctrl and Alt arrows move by word; Alt-b/f/d/Backspace work on words", () => {
  assertEquals(decode("\x1b[1;5D\x1b[1;5C\x1b[1;3D\x1bb\x1bf\x1bd\x1b\x7f"), [
    { name: "word-left" },
    { name: "word-right" },
    { name: "word-left" },
    { name: "word-left" },
    { name: "word-right" },
    { name: "delete-word-right" },
    { name: "delete-word-left" },
  ]);
});

Deno.test("an escape sequence split across reads is put back together", () => {
  assertEquals(decode("ab\x1b", "[", "D", "c"), [
    { name: "text", text: "ab" },
    { name: "left" },
    { name: "text", text: "c" },
  ]);
});

Deno.test("a lone Escape is released by flush, not taken as a sequence start", () => {
  const decoder = new KeyDecoder();
  assertEquals(decoder.push("\x1b"), []);
  assertEquals(decoder.waiting, true);
  assertEquals(decoder.flush(), [{ name: "escape" }]);
  assertEquals(decoder.push("x"), [{ name: "text", text: "x" }]);
});

Deno.test("CR LF from one Enter press is one Enter; LF alone is Enter too", () => {
  assertEquals(decode("a\r\nb\n"), [
    { name: "text", text: "a" },
    { name: "enter" },
    { name: "text", text: "b" },
    { name: "enter" },
  ]);
});

Deno.test("a bracketed paste arrives whole, line breaks and all, even across reads", () => {
  assertEquals(decode("x\x1b[200~line one\r\nline", " two\x1b[20", "1~y"), [
    { name: "text", text: "x" },
    { name: "paste", text: "line one\r\nline two" },
    { name: "text", text: "y" },
  ]);
});

Deno.test("unknown sequences and stray control characters are dropped", () => {
  assertEquals(decode("\x1b[99Z\x1b[2~a\x00\x1fb"), [{ name: "text", text: "ab" }]);
});

Deno.test("focus reports, the mouse wheel (SGR and legacy reports), Ctrl-R and Ctrl-Z", () => {
  assertEquals(
    decode("\x1b[I\x1b[O\x1b[<64;3;4M\x1b[<65;3;4M\x1b[<0;3;4M\x1b[<0;3;4m\x12\x1a"),
    ["focus-in", "focus-out", "wheel-up", "wheel-down", "retry", "suspend"]
      .map((name) => ({ name } as Key)),
  );
  // Legacy reports carry three raw bytes that must not become typed text, even split across reads.
  assertEquals(decode("\x1b[M`!!", "\x1b[Ma", "!!x"), [
    { name: "wheel-up" },
    { name: "wheel-down" },
    { name: "text", text: "x" },
  ]);
  assertEquals(decode("\x1b[M !!ok"), [{ name: "text", text: "ok" }]);
});
