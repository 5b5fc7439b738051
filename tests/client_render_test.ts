/**
 * The renderer and what feeds it: entries in, lines out at a given width
 * (wide characters included); the status bar; server data cleaned on arrival.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { stripVTControlCharacters } from "node:util";
import type { RoomRecord } from "../src/protocol/frames.ts";
import { type Entry, renderEntry } from "../src/client/render.ts";
import { mentions } from "../src/text/mentions.ts";
import { createTheme } from "../src/client/theme.ts";
import { NAME_PALETTE_SIZE, nameColorIndex } from "../src/text/name_colour.ts";
import { formatStatus } from "../src/client/status_line.ts";
import { readServerFrame } from "../src/client/incoming.ts";
import { cellWidth, wrapSpans } from "../src/text/wrap.ts";

const plain = createTheme({ color: false, decorate: false });
const colored = createTheme({ color: true, decorate: true });
const ts = new Date(2024, 0, 1, 14, 2).getTime();

function message(from: string, text: string, extra: Partial<RoomRecord> = {}): Entry {
  return {
    kind: "record",
    record: { type: "message", id: 1, ts, from, text, ...extra } as RoomRecord,
  };
}

function render(entry: Entry, width: number, me = "alice", theme = plain): string[] {
  return renderEntry(entry, { width, me, theme });
}

function assertFits(lines: string[], width: number): void {
  for (const line of lines) {
    const cells = cellWidth(stripVTControlCharacters(line));
    assert(cells <= width, `"${line}" is ${cells} cells, wider than ${width}`);
  }
}

Deno.test("a message is time, name and text on one line when it fits", () => {
  assertEquals(render(message("bob", "hi there"), 40), ["14:02 bob: hi there"]);
});

Deno.test("long messages wrap at spaces with a hanging indent under the text", () => {
  const lines = render(message("bob", "the quick brown fox jumps over the lazy dog"), 24);
  assertEquals(lines, [
    "14:02 bob: the quick",
    "           brown fox",
    "           jumps over",
    "           the lazy dog",
  ]);
  assertFits(lines, 24);
});

Deno.test("a word longer than the line is cut between characters", () => {
  const lines = render(message("bob", "x".repeat(30)), 24);
  assertEquals(lines, [
    "14:02 bob: xxxxxxxxxxxxx",
    "           xxxxxxxxxxxxx",
    "           xxxx",
  ]);
});

Deno.test("when the name takes more than half the width, continuation lines start under the time", () => {
  const lines = render(message("bob", "x".repeat(30)), 20);
  assertEquals(lines, [
    "14:02 bob: xxxxxxxxx",
    "      xxxxxxxxxxxxxx",
    "      xxxxxxx",
  ]);
});

Deno.test("CJK and emoji take two cells each and wrap without overflowing", () => {
  const text = "日本語のテキストはスペースなしで続きます😀😀😀";
  for (const width of [20, 21, 22, 33]) {
    const lines = render(message("李", text), width);
    assertFits(lines, width);
    assertEquals(lines.map((l) => l.trimStart()).join("").replace(/^14:02 李: /, ""), text);
  }
  assertEquals(render(message("李", "日本語日本語"), 20), ["14:02 李: 日本語日本", "          語"]);
});

Deno.test("combining marks and emoji sequences are never split from their base", () => {
  const family = "👩‍👩‍👧";
  const text = `e\u0301${family}`.repeat(6);
  for (const width of [14, 15, 16, 17]) {
    const lines = render(message("bob", text), width);
    assertFits(lines, width);
    for (const line of lines) {
      assert(!/^\s*\u0301/.test(line.slice(6)), `a line starts with a lone accent: ${line}`);
      assert(!line.endsWith("\u200d"), "a line ends inside an emoji sequence");
    }
  }
});

Deno.test("multi-line messages keep their line breaks, aligned under the text", () => {
  assertEquals(render(message("bob", "first\nsecond\n  indented"), 40), [
    "14:02 bob: first",
    "           second",
    "             indented",
  ]);
});

Deno.test("each kind of record has its own look", () => {
  const record = (r: Partial<RoomRecord>): Entry => ({
    kind: "record",
    record: { id: 2, ts, ...r } as RoomRecord,
  });
  assertEquals(render(record({ type: "message", from: "bob", text: "waves", emote: true }), 40), [
    "14:02 * bob waves",
  ]);
  assertEquals(render(record({ type: "private", from: "bob", to: "alice", text: "psst" }), 40), [
    "14:02 [bob -> you] psst",
  ]);
  assertEquals(render(record({ type: "private", from: "alice", to: "bob", text: "hey" }), 40), [
    "14:02 [you -> bob] hey",
  ]);
  assertEquals(render(record({ type: "join", name: "bob", count: 2 }), 40), [
    "14:02 -- bob joined (2 here)",
  ]);
  assertEquals(render(record({ type: "join", name: "alice", count: 2 }), 40), [
    "14:02 -- You joined as alice (2 here)",
  ]);
  const timedOut = { kind: "disconnected", reason: "timed out" } as const;
  assertEquals(render(record({ type: "leave", name: "bob", count: 1, ...timedOut }), 40), [
    "14:02 -- bob left: timed out (1 here)",
  ]);
  assertEquals(render(record({ type: "nick", from: "bob", to: "rob" }), 40), [
    "14:02 -- bob is now known as rob",
  ]);
  assertEquals(render(record({ type: "notice", text: "closing soon" }), 40), [
    "14:02 ** closing soon",
  ]);
  assertEquals(render({ kind: "error", ts, text: "nope" }, 40), ["14:02 !! nope"]);
  assertEquals(render({ kind: "members", ts, members: ["alice", "bob"] }, 40), [
    "14:02 -- 2 here: alice, bob",
  ]);
});

Deno.test("with colour: names get their stable colour, your own is bold, mentions stand out", () => {
  const [own] = render(message("alice", "hello"), 40, "alice", colored);
  const [other] = render(message("bob", "hello alice!"), 40, "alice", colored);
  assert(own.includes("\x1b[1m"), "own name is bold");
  assert(!other.slice(0, other.indexOf("bob")).includes("\x1b[1m"), "other names are not bold");
  assert(other.includes("\x1b[7m"), "the mention is highlighted (inverse)");
  assertEquals(stripVTControlCharacters(other), "14:02 bob: hello alice!");
  const again = render(message("bob", "x"), 40, "alice", colored)[0];
  assertEquals(again.slice(0, again.indexOf("bob")), other.slice(0, other.indexOf("bob")));
  const noColor = createTheme({ color: false, decorate: true });
  const [monochrome] = render(message("bob", "hi alice"), 40, "alice", noColor);
  assert(!/\[(3\d|9\d)m/.test(monochrome), "NO_COLOR: no colour codes");
  assert(monochrome.includes("\x1b[7m"), "NO_COLOR: the mention is still inverse");
});

Deno.test("name colours are stable and spread over the palette", () => {
  assertEquals(
    nameColorIndex("Alice", NAME_PALETTE_SIZE),
    nameColorIndex("alice", NAME_PALETTE_SIZE),
  );
  const used = new Set(
    ["ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ida", "jo"].map((n) =>
      nameColorIndex(n, NAME_PALETTE_SIZE)
    ),
  );
  assert(used.size >= 5, `only ${used.size} colours for 10 names`);
});

/** The colour codes (SGR 30–37, 90–97) a styled text starts with. */
function colourOf(styled: string): string[] {
  // deno-lint-ignore no-control-regex -- reading escape sequences is the point
  return [...styled.matchAll(/\x1b\[(3[0-7]|9[0-7])m/g)].map((m) => m[1]);
}

Deno.test("similar names get different colours, and no name gets the notice or error colour", () => {
  const colourOfName = (name: string) => colourOf(colored.name(name, false)(name)).join();
  const [alice, bob, bobby] = ["alice", "bob", "bobby"].map(colourOfName);
  assert(alice !== bob && bob !== bobby && alice !== bobby, `${alice} ${bob} ${bobby}`);
  const bots = new Set(Array.from({ length: 8 }, (_, i) => colourOfName(`bot${i}`)));
  assertEquals(bots.size, 8, "bot0 … bot7 each get their own colour");
  const reserved = new Set([
    ...colourOf(colored.notice("x")),
    ...colourOf(colored.error("x")),
    ...colourOf(colored.mention("x")),
  ]);
  const every = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    every.add(colourOfName(`member${i}${String.fromCharCode(97 + i % 26)}`));
  }
  for (const code of every) assert(!reserved.has(code), `a name got the reserved colour ${code}`);
});

Deno.test("mentions match whole names, any case, with or without @", () => {
  assert(mentions("hey Alice, look", "alice"));
  assert(mentions("@alice!", "alice"));
  assert(!mentions("malice aforethought", "alice"));
  assert(!mentions("alice2 is here", "alice"));
  assert(
    mentions("ping a.b", "a.b") && !mentions("ping axb", "a.b"),
    "names are matched literally",
  );
});

Deno.test("the status bar is exactly as wide as the terminal", () => {
  for (const width of [20, 40, 80]) {
    const connected = formatStatus(
      { name: "alice", address: "localhost:53000", members: 3, state: "connected" },
      width,
      plain,
    );
    assertEquals(cellWidth(connected), width);
    const retrying = formatStatus(
      { name: "世界世界", address: "h:1", members: 3, state: "reconnecting", retryInSeconds: 4 },
      width,
      plain,
    );
    assertEquals(cellWidth(retrying), width);
  }
  const line = formatStatus(
    { name: "alice", address: "h:1", members: 3, state: "reconnecting", retryInSeconds: 4 },
    60,
    plain,
  );
  assert(line.includes("reconnecting… next try in 4s"), line);
});

Deno.test("wrapSpans keeps styles on the pieces they came from", () => {
  const red = (s: string) => `<${s}>`;
  const lines = wrapSpans([{ text: "ab " }, { text: "cd ef", style: red }], {
    width: 5,
    indent: 1,
  });
  assertEquals(lines, [[{ text: "ab " }, { text: "cd", style: red }], [{ text: " " }, {
    text: "ef",
    style: red,
  }]]);
});

Deno.test("server frames are cleaned on arrival: no escape sequences, controls or bidi tricks", () => {
  const evil = JSON.stringify({
    type: "message",
    id: 1,
    ts,
    from: "m\x1b[31mallory\u202e",
    text: "\x1b]0;owned\x07hi\x1b[2J\nthere\x9b31m\x07",
  });
  const frame = readServerFrame(evil);
  assertEquals(frame, { type: "message", id: 1, ts, from: "mallory", text: "hi\nthere" });
  const welcome = readServerFrame(JSON.stringify({
    type: "welcome",
    version: 1,
    name: "a",
    members: ["b\x1b[1m"],
    history: [{ type: "notice", id: 1, ts, text: "\x1bPx\x1b\\n" }],
    catchUp: false,
    session: "s",
    room: "r",
    log: "r",
    limits: {},
    motd: "m\x07",
  }));
  assertEquals(
    welcome && welcome.type === "welcome" && [welcome.members, welcome.history[0], welcome.motd],
    [["b"], { type: "notice", id: 1, ts, text: "n" }, "m"],
  );
  assertEquals(readServerFrame("not json"), null);
  assertEquals(readServerFrame('{"type":"message","id":"x"}'), null);
});

Deno.test("joins and leaves from history show no member count; live ones do", () => {
  const join: Entry = {
    kind: "record",
    record: { type: "join", id: 5, ts, name: "bob", count: 3 } as RoomRecord,
  };
  const leave: Entry = {
    kind: "record",
    record: { type: "leave", id: 6, ts, name: "bob", count: 0 } as RoomRecord,
  };
  assertEquals(render(join, 60), ["14:02 -- bob joined (3 here)"]);
  assertEquals(render(leave, 60), ["14:02 -- bob left (0 here)"]);
  assertEquals(render({ ...join, replayed: true }, 60), ["14:02 -- bob joined"]);
  assertEquals(render({ ...leave, replayed: true, earlier: true }, 60), ["14:02 -- bob left"]);
});
