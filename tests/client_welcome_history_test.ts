/**
 * How a welcome's records are shown: earlier history (dimmed, between two
 * markers) or a catch-up ("— N new messages since you left —"), what N
 * counts, dates on records from before today, and the plain-text form.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { stripVTControlCharacters } from "node:util";
import type { RoomRecord, WelcomeFrame } from "../src/protocol/frames.ts";
import { type Entry, renderEntry } from "../src/client/render.ts";
import { createTheme } from "../src/client/theme.ts";
import { newMessagesPhrase, welcomeHistory } from "../src/client/welcome_history.ts";
import { renderEarlier, renderPlain } from "../src/text/plain_format.ts";
import { cellWidth } from "../src/text/wrap.ts";

const plain = createTheme({ color: false, decorate: false });
const colored = createTheme({ color: true, decorate: true });
const today = new Date(2026, 4, 3, 18, 40).getTime();
const earlierToday = new Date(2026, 4, 3, 9, 5).getTime();
const lastWeek = new Date(2026, 3, 26, 21, 15).getTime();

const records: RoomRecord[] = [
  { type: "leave", id: 10, ts: earlierToday, name: "alice", count: 1 },
  { type: "message", id: 11, ts: earlierToday, from: "bob", text: "where is alice?" },
  { type: "join", id: 12, ts: earlierToday, name: "carol", count: 2 },
  { type: "message", id: 13, ts: earlierToday, from: "carol", text: "waves", emote: true },
  { type: "private", id: 14, ts: earlierToday, from: "bob", to: "alice", text: "psst" },
  { type: "nick", id: 15, ts: earlierToday, from: "carol", to: "caro" },
  { type: "notice", id: 16, ts: earlierToday, text: "closing at 8" },
  { type: "join", id: 17, ts: earlierToday, name: "Alice", count: 3 },
];

function welcome(extra: Partial<WelcomeFrame>): WelcomeFrame {
  return {
    type: "welcome",
    version: 1,
    name: "alice",
    members: ["alice", "bob", "caro"],
    history: [],
    catchUp: false,
    session: "s",
    room: "#general",
    log: "r",
    limits: { maxMessageChars: 4000, maxLineBytes: 16384 },
    ...extra,
  };
}

Deno.test("a catch-up counts conversation, not joins, leaves or renames, and drops your own comings and goings", () => {
  const history = welcomeHistory(welcome({ catchUp: true }), records);
  assertEquals(history.kind, "catch-up");
  assertEquals(history.records.map((r) => r.id), [11, 12, 13, 14, 15, 16]);
  assertEquals(
    history.newMessages,
    4,
    "bob's message, carol's action, the private message, the notice",
  );
  assertEquals(history.gap, false);
  assertEquals(welcomeHistory(welcome({ catchUp: true, gap: true }), []).gap, true);
});

Deno.test("recent history on a fresh join is earlier messages, shown as they are", () => {
  const history = welcomeHistory(welcome({ catchUp: false }), records);
  assertEquals(history.kind, "earlier");
  assertEquals(history.records, records);
});

Deno.test("the marker says how many messages are new", () => {
  assertEquals(newMessagesPhrase(0), "no new messages since you left");
  assertEquals(newMessagesPhrase(1), "1 new message since you left");
  assertEquals(newMessagesPhrase(37), "37 new messages since you left");
});

Deno.test("markers are centred lines between em dashes; earlier ones dimmed, the catch-up one bold", () => {
  const marker = (earlier: boolean): Entry => ({
    kind: "marker",
    ts: today,
    text: newMessagesPhrase(3),
    earlier,
  });
  const [line] = renderEntry(marker(false), { width: 60, me: "alice", theme: plain });
  assertEquals(line, "             — 3 new messages since you left —");
  assertEquals(
    line.length - line.trimStart().length,
    Math.floor((60 - cellWidth(line.trim())) / 2),
  );
  const [bold] = renderEntry(marker(false), { width: 60, me: "alice", theme: colored });
  assert(bold.includes("\x1b[1m") && !bold.includes("\x1b[2m"), JSON.stringify(bold));
  const [dim] = renderEntry(marker(true), { width: 60, me: "alice", theme: colored });
  assert(dim.startsWith("\x1b[2m"), JSON.stringify(dim));
  // Too narrow to centre: it wraps and still fits.
  const narrow = renderEntry(marker(false), { width: 20, me: "alice", theme: plain });
  assert(narrow.length > 1 && narrow.every((l) => cellWidth(l) <= 20), JSON.stringify(narrow));
});

Deno.test("earlier messages are dimmed all along, each part keeping its own look", () => {
  const entry: Entry = { kind: "record", record: records[1], earlier: true };
  const [line] = renderEntry(entry, { width: 60, me: "alice", theme: colored, now: today });
  assertEquals(stripVTControlCharacters(line), "09:05 bob: where is alice?");
  // Every piece of text is drawn inside a dim sequence.
  // deno-lint-ignore no-control-regex -- splitting at escape sequences is the point
  for (const piece of line.split(/\x1b\[[0-9;]*m/).filter((p) => p !== "")) {
    const before = line.slice(0, line.indexOf(piece));
    assert(before.lastIndexOf("\x1b[2m") > before.lastIndexOf("\x1b[22m"), `"${piece}" is dim`);
  }
  const live = renderEntry({ kind: "record", record: records[1] }, {
    width: 60,
    me: "alice",
    theme: colored,
    now: today,
  })[0];
  assert(!live.slice(live.indexOf("bob")).includes("\x1b[2m"), "live messages are not dimmed");
});

Deno.test("records from before today show the date; today's only the time", () => {
  const context = { width: 60, me: "alice", theme: plain, now: today };
  const old: RoomRecord = {
    type: "private",
    id: 3,
    ts: lastWeek,
    from: "bob",
    to: "alice",
    text: "hi",
  };
  assertEquals(renderEntry({ kind: "record", record: old }, context), [
    "2026-04-26 21:15 [bob -> you] hi",
  ]);
  assertEquals(renderEntry({ kind: "record", record: records[1] }, context), [
    "09:05 bob: where is alice?",
  ]);
  const long: RoomRecord = {
    ...old,
    type: "message",
    text: "a long message that has to wrap",
  } as RoomRecord;
  assertEquals(
    renderEntry({ kind: "record", record: long, earlier: true }, { ...context, width: 50 }),
    [
      "2026-04-26 21:15 bob: a long message that has to",
      "                      wrap",
    ],
  );
});

Deno.test("plain text: earlier messages between two marker lines, dates before today", () => {
  const old: RoomRecord = { type: "message", id: 3, ts: lastWeek, from: "bob", text: "hello" };
  const now: RoomRecord = { type: "message", id: 4, ts: Date.now(), from: "bob", text: "again" };
  const lines = renderEarlier([old, now]);
  assertEquals(lines[0], "-- Earlier in this room (2):");
  assertEquals(lines[1], "[2026-04-26 21:15] bob: hello");
  assert(/^\[\d\d:\d\d\] bob: again$/.test(lines[2]), lines[2]);
  assertEquals(lines[3], "-- End of earlier messages.");
  assertEquals(renderEarlier([]), []);
  assertEquals(renderPlain(welcome({ history: [old] })).slice(2, -1), [
    "-- Earlier in this room (1):",
    "[2026-04-26 21:15] bob: hello",
    "-- End of earlier messages.",
  ]);
});
