import {
  isRefusal,
  looksStructured,
  parseClientFrame,
  parseServerFrame,
} from "../src/protocol/codec.ts";
import { LineDecoder } from "../src/protocol/line_decoder.ts";
import { checkName, nameKey } from "../src/protocol/names.ts";
import { assert, assertEquals } from "./support/assert.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("LineDecoder splits lines across chunks and drops CR before LF", () => {
  const decoder = new LineDecoder(100);
  assertEquals(decoder.push(bytes("one\r\ntw")).lines, ["one"]);
  assertEquals(decoder.pendingBytes, 2);
  assertEquals(decoder.push(bytes("o\nthree\n")).lines, ["two", "three"]);
  assertEquals(decoder.pendingBytes, 0);
});

Deno.test("LineDecoder keeps multi-byte characters split between chunks intact", () => {
  const decoder = new LineDecoder(100);
  const all = bytes("ciao 世界 👋\n");
  const out: string[] = [];
  for (const byte of all) out.push(...decoder.push(Uint8Array.of(byte)).lines);
  assertEquals(out, ["ciao 世界 👋"]);
});

Deno.test("LineDecoder replaces invalid UTF-8 instead of failing", () => {
  const decoder = new LineDecoder(100);
  const { lines } = decoder.push(Uint8Array.of(0x61, 0xff, 0xfe, 0xc3, 0x62, 0x0a));
  assertEquals(lines, ["a\ufffd\ufffd\ufffdb"]);
});

Deno.test("LineDecoder reports a line over the cap without holding more than the cap", () => {
  const decoder = new LineDecoder(10);
  assertEquals(decoder.push(bytes("0123456789\n")).lines, ["0123456789"]);
  const result = decoder.push(bytes("0123456789AB"));
  assert(result.overflow);
  assertEquals(decoder.pendingBytes, 0);
  const complete = new LineDecoder(10).push(bytes("0123456789AB\n"));
  assert(complete.overflow);
});

Deno.test("LineDecoder.flushPartial returns the unfinished line once", () => {
  const decoder = new LineDecoder(100);
  decoder.push(bytes("no newline"));
  assertEquals(decoder.flushPartial(), "no newline");
  assertEquals(decoder.flushPartial(), null);
});

Deno.test("parseClientFrame accepts valid frames and ignores unknown fields", () => {
  assertEquals(parseClientFrame('{"type":"send","text":"hi","extra":1}'), {
    type: "send",
    text: "hi",
    extra: 1,
  } as unknown);
  const hello = parseClientFrame('{"type":"hello","version":1,"name":"bob","since":5}');
  assert(!isRefusal(hello) && hello.type === "hello" && hello.since === 5);
});

Deno.test("parseClientFrame refuses bad frames with exact codes", () => {
  const code = (line: string) => {
    const result = parseClientFrame(line);
    return isRefusal(result) ? result.code : "accepted";
  };
  assertEquals(code("{not json"), "bad_frame");
  assertEquals(code("[1,2]"), "bad_frame");
  assertEquals(code('"text"'), "bad_frame");
  assertEquals(code('{"text":"no type"}'), "bad_frame");
  assertEquals(code('{"type":"dance"}'), "unknown_type");
  assertEquals(code('{"type":"send","text":42}'), "bad_field");
  assertEquals(code('{"type":"send"}'), "bad_field");
  assertEquals(code('{"type":"hello","version":"1","name":"x"}'), "bad_field");
  assertEquals(code('{"type":"hello","version":1,"name":"x","since":1e999}'), "bad_field");
  assertEquals(code("[".repeat(100000)), "bad_frame");
});

Deno.test("looksStructured tells JSON clients from plain ones", () => {
  assert(looksStructured('{"type":"hello","version":1,"name":"a"}'));
  assert(!looksStructured("{quit}"));
  assert(!looksStructured("alice"));
  assert(!looksStructured("{}"));
});

Deno.test("parseServerFrame rejects malformed or unknown frames from a server", () => {
  assertEquals(parseServerFrame('{"type":"message","id":1,"ts":2,"from":"a"}'), null);
  assertEquals(parseServerFrame('{"type":"surprise"}'), null);
  assertEquals(parseServerFrame("nonsense"), null);
  const ok = parseServerFrame('{"type":"message","id":1,"ts":2,"from":"a","text":"t"}');
  assertEquals(ok?.type, "message");
  const welcome = parseServerFrame(JSON.stringify({
    type: "welcome",
    version: 1,
    name: "a",
    members: ["a"],
    history: [{ type: "join", id: 1, ts: 1, name: "a", count: 1 }, { type: "bogus" }],
    catchUp: false,
    session: "s",
    room: "r",
    log: "r",
    limits: {},
  }));
  assertEquals(welcome, null, "a welcome with a malformed history record is rejected");
});

Deno.test("checkName enforces length, characters, prefixes and reserved words", () => {
  assertEquals(checkName("  alice "), { name: "alice" });
  assertEquals(checkName("Zoë_2"), { name: "Zoë_2" });
  assertEquals(checkName("李小龍"), { name: "李小龍" });
  assertEquals(checkName("x".repeat(24)), { name: "x".repeat(24) });
  const code = (name: string) => {
    const result = checkName(name);
    return "code" in result ? result.code : "ok";
  };
  assertEquals(code(""), "name_invalid");
  assertEquals(code("x".repeat(25)), "name_invalid");
  assertEquals(code("two words"), "name_invalid");
  assertEquals(code("bell\x07"), "name_invalid");
  assertEquals(code("\x1b[31mred"), "name_invalid");
  assertEquals(code("zero\u200bwidth"), "name_invalid");
  assertEquals(code("rtl\u202eevil"), "name_invalid");
  assertEquals(code("\u3164"), "name_invalid");
  assertEquals(code("/slash"), "name_invalid");
  assertEquals(code("@at"), "name_invalid");
  assertEquals(code("Server"), "name_reserved");
  assertEquals(code("SYSTEM"), "name_reserved");
});

Deno.test("nameKey compares names case-insensitively and by normalised form", () => {
  assertEquals(nameKey("Alice"), nameKey("ALICE"));
  assertEquals(nameKey("Zo\u00eb"), nameKey("Zoe\u0308"));
});
