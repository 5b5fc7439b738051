/**
 * The terminal client's windows as pure pieces: the window list (order,
 * switching, unread counts, closing), the activity list in the status bar
 * (readable, with and without colour, at narrow widths), Tab completion of
 * room and window names, the keys that switch windows, the rooms kept in
 * a saved place, and the members of each room.
 */

import { stripVTControlCharacters } from "node:util";
import { completeWord } from "../src/client/completion.ts";
import { KeyDecoder } from "../src/client/key_decoder.ts";
import { SavedSessions } from "../src/client/saved_sessions.ts";
import { formatStatus, type StatusInfo } from "../src/client/status_line.ts";
import { createTheme } from "../src/client/theme.ts";
import { RoomMembers } from "../src/client/room_members.ts";
import { WindowList } from "../src/client/windows.ts";
import { cellWidth } from "../src/text/wrap.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { withTempDir } from "./support/temp_dir.ts";

const plain = createTheme({ color: false, decorate: false });
const noColour = createTheme({ color: false, decorate: true });

Deno.test("windows: opened in order, each once; switching clears its counts; closing shows the one before", () => {
  const windows = new WindowList();
  const general = windows.openRoom("#general");
  const homework = windows.openRoom("#homework");
  const bob = windows.openPrivate("bob");
  assertEquals(windows.openRoom("#HOMEWORK"), homework, "rooms compare without case");
  assertEquals(homework.name, "#HOMEWORK", "and take the server's spelling");
  assertEquals(windows.openPrivate("Bob"), bob);
  assertEquals(windows.all.length, 3);
  assertEquals(windows.current, general);

  windows.noteActivity(homework, false);
  windows.noteActivity(homework, false);
  windows.noteActivity(bob, true);
  windows.noteActivity(general, true); // the window shown counts nothing
  assertEquals(windows.activity(), [
    { label: "#HOMEWORK", unread: 2, alert: false },
    { label: "@bob", unread: 1, alert: true },
  ]);
  windows.next();
  assertEquals(windows.current, homework);
  assertEquals([homework.unread, homework.alert], [0, false]);
  assertEquals(windows.activity(), [{ label: "@bob", unread: 1, alert: true }]);
  windows.next();
  windows.next();
  assertEquals(windows.current, general, "after the last, the first");
  windows.previous();
  assertEquals(windows.current, bob, "before the first, the last");
  assertEquals(windows.select(7), false);

  assertEquals(windows.find("homework"), homework);
  assertEquals(windows.find("#homework"), homework);
  assertEquals(windows.find("@bob"), bob);
  assertEquals(windows.find("bob"), bob);
  assertEquals(windows.find("2"), homework);
  assertEquals(windows.find("#nowhere"), undefined);

  windows.rename("bob", "robert");
  assertEquals(windows.find("robert"), bob);
  windows.close(bob);
  assertEquals(windows.current, homework, "the window before the closed one");
  windows.close(general);
  assertEquals([windows.current, windows.all.length], [homework, 1]);
  assert(homework.scrollback !== general.scrollback, "each window scrolls on its own");
});

const status: StatusInfo = {
  name: "alice",
  address: "127.0.0.1:53000",
  room: "#general",
  members: 3,
  state: "connected",
};

Deno.test("the activity list: other windows with unread messages, mentions marked with ! and a style of their own", () => {
  const activity = [
    { label: "#homework", unread: 3, alert: false },
    { label: "@bob", unread: 1, alert: true },
  ];
  const line = formatStatus({ ...status, activity }, 80, plain);
  assertMatch(
    line,
    /^ alice @ 127\.0\.0\.1:53000 #general +#homework 3 {2}@bob 1! \| 3 here \| \/help $/,
  );
  assertEquals(line.length, 80);
  // NO_COLOR: still bold and underlined (decoration is not colour), inside the inverse bar.
  const styled = formatStatus({ ...status, activity }, 80, noColour);
  assertEquals(stripVTControlCharacters(styled), line);
  assert(styled.includes("\x1b[1m\x1b[4m@bob 1!"), JSON.stringify(styled));
  assert(!styled.includes("\x1b[1m\x1b[4m#homework"), "only the one that calls for you");
  assert(!styled.includes("\x1b[33m"), "no colour under NO_COLOR");
  // Without any activity the bar is as it always was.
  assertMatch(
    formatStatus(status, 60, plain),
    /^ alice @ 127\.0\.0\.1:53000 #general +3 here \| \/help $/,
  );
});

Deno.test("the activity list at narrow widths: the address goes first, then windows, counted as +N", () => {
  const activity = [
    { label: "#homework", unread: 3, alert: false },
    { label: "#random", unread: 12, alert: false },
    { label: "@bob", unread: 1, alert: true },
  ];
  for (let width = 10; width <= 100; width++) {
    const line = formatStatus({ ...status, activity }, width, noColour);
    assertEquals(cellWidth(stripVTControlCharacters(line)), width, `width ${width}`);
  }
  assertMatch(
    formatStatus({ ...status, activity }, 64, plain),
    /^ alice #general +#homework 3 {2}#random 12 {2}\+1 \| 3 here \| \/help $/,
  );
  assertMatch(
    formatStatus({ ...status, activity }, 50, plain),
    /^ alice #general +#homework 3 {2}\+2 \| 3 here \| \/help $/,
  );
});

Deno.test("Tab completes room names after /join, /part, /topic and /rooms, and window names after /switch", () => {
  const source = {
    members: ["alice", "bob"],
    me: "alice",
    commands: ["/join", "/switch"],
    rooms: ["#general", "#homework", "#hobbies"],
    windows: ["#general", "#homework", "bob"],
  };
  assertEquals(completeWord("/join ", "#hom", source), ["#homework "]);
  assertEquals(completeWord("/join ", "ho", source), ["#homework ", "#hobbies "]);
  assertEquals(completeWord("/part ", "#g", source), ["#general "]);
  assertEquals(completeWord("/topic ", "#ho", source), ["#homework ", "#hobbies "]);
  assertEquals(completeWord("/topic ", "bo", source), ["bob "], "topic text: names as ever");
  assertEquals(completeWord("/switch ", "b", source), ["bob "]);
  assertEquals(completeWord("/switch ", "#h", source), ["#homework "]);
  assertEquals(completeWord("/msg ", "b", source), ["bob "], "elsewhere, member names");
});

Deno.test("Alt-1…Alt-9 (and Alt-0) name a window; Ctrl-N and Ctrl-P the next and previous one", () => {
  const decoder = new KeyDecoder();
  assertEquals(decoder.push("\x1b1\x1b9\x1b0\x0e\x10"), [
    { name: "window", number: 1 },
    { name: "window", number: 9 },
    { name: "window", number: 10 },
    { name: "next-window" },
    { name: "previous-window" },
  ]);
  assertEquals(decoder.push("\x1bb"), [{ name: "word-left" }], "other Alt keys are unchanged");
});

Deno.test("a saved place keeps the other rooms and the last id seen in each", async () => {
  await withTempDir(async (dir) => {
    const saved = new SavedSessions(`${dir}/sessions.json`);
    const place = {
      room: "log-1 #general",
      session: "token",
      lastId: 12,
      rooms: [{ room: "#homework", lastId: 7 }],
    };
    saved.remember("h:1", "alice", place);
    assert(saved.flush());
    assertEquals(new SavedSessions(`${dir}/sessions.json`).recall("h:1", "alice"), place);
    // A file with a malformed room list is not ours: the place is left out.
    const file = JSON.parse(await Deno.readTextFile(`${dir}/sessions.json`));
    for (const session of Object.values(file.sessions) as { rooms: unknown }[]) {
      session.rooms = [{ room: "#homework", lastId: -1 }];
    }
    await Deno.writeTextFile(`${dir}/sessions.json`, JSON.stringify(file));
    assertEquals(new SavedSessions(`${dir}/sessions.json`).recall("h:1", "alice"), undefined);
  });
});

Deno.test("a room's members follow its joins, leaves, renames and presence records, and /who", () => {
  const ts = 0;
  const room = new RoomMembers(["alice", "bob"]);
  assert(room.apply({ type: "join", id: 1, ts, name: "carol", count: 3 }));
  assert(room.apply({ type: "join", id: 2, ts, name: "Carol", count: 3 }), "one carol, any case");
  assertEquals([room.members, room.count], [["alice", "bob", "carol"], 3]);
  room.apply({ type: "nick", id: 3, ts, from: "bob", to: "robert" });
  room.apply({ type: "leave", id: 4, ts, name: "carol", count: 2 });
  assertEquals([room.members, room.count], [["alice", "robert"], 2]);
  room.apply({
    type: "presence",
    id: 5,
    ts,
    joined: ["dan", "eve"],
    left: ["robert"],
    count: 4000,
  });
  assertEquals([room.members, room.count], [["alice", "dan", "eve"], 4000], "a big room's count");
  assert(!room.apply({ type: "message", id: 6, ts, from: "dan", text: "hi" }));
  room.set(["alice", "dan"]);
  assertEquals([room.members, room.count], [["alice", "dan"], 4000]);
  const big = new RoomMembers(["alice"], 250);
  assertEquals(big.count, 250, "a welcome of a big room lists only you");
});
