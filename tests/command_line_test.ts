import { commandTable, splitFirstWord, usageOf } from "../src/text/command_line.ts";
import { assertEquals } from "./support/assert.ts";

Deno.test("a command line splits into its word and the rest, multi-line rests included", () => {
  assertEquals(splitFirstWord("  msg bob  see you  "), ["msg", "bob  see you"]);
  assertEquals(splitFirstWord("who"), ["who", ""]);
  assertEquals(splitFirstWord("msg\nbob two\nlines"), ["msg", "bob two\nlines"]);
  assertEquals(splitFirstWord("   "), ["", ""]);
});

Deno.test("usages and the /help table line up", () => {
  assertEquals(usageOf({ name: "msg", args: "NAME TEXT" }), "/msg NAME TEXT");
  assertEquals(usageOf({ name: "who", args: "" }), "/who");
  assertEquals(commandTable([["/who", "list"], ["/msg NAME TEXT", "whisper"]]), [
    "  /who            list",
    "  /msg NAME TEXT  whisper",
  ]);
});
