/**
 * One wording for the same event in every client: member counts read alike
 * in plain text, the terminal client and the operator's console; the
 * operator's announcements say who made them; /help speaks to people, not
 * about the project's history.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";
import type { RoomRecord } from "../src/protocol/frames.ts";
import { encodeFrame, parseServerFrame } from "../src/protocol/codec.ts";
import { renderEntry } from "../src/client/render.ts";
import { createTheme } from "../src/client/theme.ts";
import { renderPlain, renderReplayed } from "../src/text/plain_format.ts";
import { runConsoleLine } from "../src/server/operator_console.ts";

const theme = createTheme({ color: false, decorate: false });
const ts = new Date(2024, 0, 1, 14, 2).getTime();

/** The terminal client's lines for `record`, without the time in front. */
function terminalText(record: RoomRecord): string {
  return renderEntry({ kind: "record", record }, { width: 80, me: "zed", theme, now: ts })
    .join("\n").replace(/^[\d-]* ?\d\d:\d\d /, "");
}

/** The plain-text lines for `record`, without the time in front. */
function plainText(record: RoomRecord): string {
  return renderPlain(record).join("\n").replace(/^\[[^\]]+\] /, "");
}

Deno.test("joins, leaves and /who count the room in the same words in plain text and the terminal", () => {
  const join: RoomRecord = { type: "join", id: 1, ts, name: "carol", count: 3 };
  const leave: RoomRecord = {
    type: "leave",
    id: 2,
    ts,
    name: "bob",
    count: 2,
    kind: "disconnected",
    reason: "gone",
  };
  assertEquals(plainText(join), "-- carol joined (3 here)");
  assertEquals(terminalText(join), plainText(join));
  assertEquals(plainText(leave), "-- bob left: gone (2 here)");
  assertEquals(terminalText(leave), plainText(leave));
  const who = renderEntry({ kind: "members", ts, members: ["alice", "bob"] }, {
    width: 80,
    me: "zed",
    theme,
    now: ts,
  });
  assertEquals(who.join("").replace(/^[\d-]* ?\d\d:\d\d /, ""), "-- 2 here: alice, bob");
  assertEquals(renderPlain({ type: "members", members: ["alice", "bob"] }), [
    "-- 2 here: alice, bob",
  ]);
});

Deno.test("replayed joins, leaves and gathered presence carry no count of their time, in plain text as in the terminal", () => {
  const records: RoomRecord[] = [
    { type: "join", id: 1, ts, name: "carol", count: 3 },
    { type: "leave", id: 2, ts, name: "bob", count: 0, kind: "quit" },
    { type: "presence", id: 3, ts, joined: ["ann", "bo"], left: ["cy"], count: 4211 },
  ];
  for (const record of records) {
    const plain = renderReplayed(record).join("\n").replace(/^\[[^\]]+\] /, "");
    assert(!/here\)/.test(plain), plain);
    const terminal = renderEntry({ kind: "record", record, replayed: true }, {
      width: 80,
      me: "zed",
      theme,
      now: ts,
    }).join("\n").replace(/^[\d-]* ?\d\d:\d\d /, "");
    assertEquals(plain, terminal);
  }
  assertEquals(
    renderReplayed(records[2]).join("").replace(/^\[[^\]]+\] /, ""),
    "-- ann, bo joined; cy left",
  );
});

Deno.test("an nc user's /who and /help, and the operator's /who, use the same words", async () => {
  await withServer(async (server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const plain = await LineClient.connect(port);
    await plain.nextLine((l) => l.startsWith("Type your name"));
    await plain.sendLine("bob");
    await plain.nextLine((l) => l.startsWith("-- Welcome, bob!"));
    await plain.sendLine("/who");
    assertEquals(await plain.nextLine((l) => l.includes("alice, bob")), "-- 2 here: alice, bob");
    assertEquals(runConsoleLine(server, "/who"), ["2 here: alice, bob"]);
    await plain.sendLine("/help");
    const quit = await plain.nextLine((l) => l.includes("/quit"));
    assertMatch(quit, /leave the room \(typing \{quit\} works too\)/);
    assert(!quit.includes("seed"), `internal jargon in /help: ${quit}`);
    alice.close();
    plain.close();
  });
});

Deno.test("the operator's announcement carries who made it, and every client shows it", async () => {
  await withServer(async (server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const plain = await LineClient.connect(port);
    await plain.nextLine((l) => l.startsWith("Type your name"));
    await plain.sendLine("bob");
    await plain.nextLine((l) => l.startsWith("-- Welcome, bob!"));
    assertEquals(runConsoleLine(server, "the room closes at midnight"), []);
    const notice = await alice.nextFrame((f) => f.type === "notice");
    assertEquals([notice.text, notice.by], ["the room closes at midnight", "operator"]);
    assertMatch(
      await plain.nextLine((l) => l.includes("midnight")),
      /^\[\d\d:\d\d\] -- operator: the room closes at midnight$/,
    );
    // The structured client's decoder keeps the field, and the terminal client shows it.
    const decoded = parseServerFrame(encodeFrame(notice as RoomRecord)) as RoomRecord;
    assertEquals(terminalText(decoded), "** operator: the room closes at midnight");
    alice.close();
    plain.close();
  });
});

Deno.test("a notice from the server itself (no author) reads as before", () => {
  const notice: RoomRecord = { type: "notice", id: 3, ts, text: "maintenance at noon" };
  assertEquals(plainText(notice), "-- maintenance at noon");
  assertEquals(terminalText(notice), "** maintenance at noon");
  assertEquals(parseServerFrame('{"type":"notice","id":3,"ts":1,"text":"x","by":7}'), null);
});
