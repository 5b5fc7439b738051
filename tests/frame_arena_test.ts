/** FrameArena: consecutive encodings are adjacent bytes of one buffer until it fills. */

import { assert, assertEquals } from "./support/assert.ts";
import { FrameArena } from "../src/server/frame_arena.ts";

const utf8 = new TextDecoder();

Deno.test("consecutive texts are adjacent slices of the same buffer", () => {
  const arena = new FrameArena();
  const a = arena.place('{"type":"notice","text":"héllo"}\n');
  const b = arena.place('{"type":"notice","text":"✓ done"}\n');
  assertEquals(utf8.decode(a), '{"type":"notice","text":"héllo"}\n');
  assertEquals(utf8.decode(b), '{"type":"notice","text":"✓ done"}\n');
  assert(a.buffer === b.buffer);
  assertEquals(b.byteOffset, a.byteOffset + a.length);
});

Deno.test("a text that does not fit starts a fresh buffer; earlier slices keep their bytes", () => {
  const arena = new FrameArena();
  const first = arena.place("a".repeat(80_000));
  const second = arena.place("b".repeat(80_000));
  const third = arena.place("c".repeat(80_000));
  const fourth = arena.place("d".repeat(80_000));
  assert(first.buffer === third.buffer, "three fit in one buffer");
  assert(fourth.buffer !== first.buffer, "the fourth does not");
  assertEquals(fourth.byteOffset, 0);
  for (const [slice, letter] of [[first, "a"], [second, "b"], [third, "c"]] as const) {
    assertEquals(utf8.decode(slice), letter.repeat(80_000));
  }
});

Deno.test("a text too big for any buffer gets its own", () => {
  const arena = new FrameArena();
  const huge = arena.place("€".repeat(100_000));
  assertEquals(huge.length, 300_000);
  assertEquals(huge.byteOffset, 0);
  assertEquals(utf8.decode(huge), "€".repeat(100_000));
  const after = arena.place("x");
  assert(after.buffer !== huge.buffer);
});
