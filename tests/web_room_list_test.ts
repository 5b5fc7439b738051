/**
 * The page's room list as pure state, without a browser: unread counts per
 * room and private conversation, the mention marker, switching, the title's
 * total, keyboard neighbours, and what the page reads from server notices
 * and `/rooms` answers.
 */

import type { RoomRecord } from "../src/protocol/frames.ts";
import {
  conversationOf,
  privateEntry,
  roomEntry,
  RoomList,
  roomsInInfo,
  topicFromNotice,
} from "../src/web/room_list.ts";
import { assert, assertEquals } from "./support/assert.ts";

let nextId = 1;
function said(from: string, text: string, room = "#general"): RoomRecord {
  return { type: "message", id: nextId++, ts: 0, from, text, room };
}

Deno.test("a message in another room counts as unread there; switching reads it", () => {
  const list = new RoomList();
  list.add(roomEntry("#general"));
  list.add(roomEntry("#Homework", "chapter 4"));
  assertEquals(list.current, "#general", "the first entry is shown");
  assert(list.arrived("#homework", said("bob", "exercise 1?", "#Homework"), "alice", true));
  assert(list.arrived("#homework", said("bob", "anyone?", "#Homework"), "alice", true));
  assert(!list.arrived("#general", said("bob", "hi"), "alice", true), "the shown room is read");
  assert(!list.arrived("#homework", said("alice", "mine", "#Homework"), "alice", true));
  const join: RoomRecord = { type: "join", id: nextId++, ts: 0, name: "carol", count: 3 };
  assert(!list.arrived("#homework", join, "alice", true), "joins are not messages");
  assertEquals(list.get("#homework")?.unread, 2);
  assertEquals(list.get("#homework")?.mentioned, false);
  assertEquals(list.totalUnread, 2);
  assert(list.select("#homework"));
  assertEquals([list.get("#homework")?.unread, list.totalUnread], [0, 0]);
  assert(!list.select("#nowhere"));
  assertEquals(list.current, "#homework");
});

Deno.test("a hidden tab counts the shown room too, until the reader looks", () => {
  const list = new RoomList();
  list.add(roomEntry("#general"));
  list.add(roomEntry("#random"));
  list.arrived("#general", said("bob", "one"), "alice", false);
  list.arrived("#random", said("bob", "two", "#random"), "alice", false);
  assertEquals(list.totalUnread, 2, "the title sums every room");
  list.lookedAt();
  assertEquals([list.get("#general")?.unread, list.get("#random")?.unread], [0, 1]);
});

Deno.test("mentions and private messages mark their entry", () => {
  const list = new RoomList();
  list.add(roomEntry("#general"));
  list.add(roomEntry("#random"));
  list.arrived("#random", said("bob", "alice, look", "#random"), "alice", true);
  assertEquals(list.get("#random")?.mentioned, true);
  const whisper: RoomRecord = {
    type: "private",
    id: 1,
    ts: 0,
    from: "Bob",
    to: "alice",
    text: "psst",
  };
  const entry = conversationOf(whisper, "alice")!;
  assertEquals([entry.key, entry.label, entry.kind], ["@bob", "Bob", "private"]);
  list.add(entry);
  list.arrived(entry.key, whisper, "alice", true);
  assertEquals([list.get("@bob")?.unread, list.get("@bob")?.mentioned], [1, true]);
  // My own copy of a private message belongs to the conversation with its recipient.
  const mine: RoomRecord = {
    type: "private",
    id: 2,
    ts: 0,
    from: "alice",
    to: "carol",
    text: "hi",
  };
  assertEquals(conversationOf(mine, "alice")?.key, "@carol");
  assertEquals(conversationOf(said("bob", "x", "#Random"), "alice")?.key, "#random");
  // Rooms first, then private conversations; Alt+digit and Alt+Up/Down walk this order.
  list.add(privateEntry("dave"));
  list.add(roomEntry("#third"));
  assertEquals(list.entries.map((e) => e.key), ["#general", "#random", "#third", "@bob", "@dave"]);
  assertEquals(list.at(2), "#third");
  assertEquals(list.at(9), undefined);
  assertEquals(list.neighbour(-1), "@dave", "up from the first wraps to the last");
  list.select("@dave");
  assertEquals(list.neighbour(1), "#general");
});

Deno.test("leaving the shown room shows its neighbour; a known entry is updated, not doubled", () => {
  const list = new RoomList();
  for (const room of ["#a", "#b", "#c"]) list.add(roomEntry(room));
  list.select("#b");
  list.arrived("#c", said("bob", "hi", "#c"), "alice", true);
  assertEquals(list.remove("#b"), "#c");
  assertEquals(list.get("#c")?.unread, 0, "the room now shown is read");
  assertEquals(list.remove("#a"), "#c");
  list.add(roomEntry("#C", "new topic"));
  assertEquals(list.entries.map((e) => [e.label, e.topic]), [["#C", "new topic"]]);
});

Deno.test("topics come from the server's own notices only; /rooms answers become room names", () => {
  const notice = (text: string, by?: "operator"): RoomRecord => ({
    type: "notice",
    id: 1,
    ts: 0,
    text,
    room: "#a",
    ...(by ? { by } : {}),
  });
  assertEquals(
    topicFromNotice(notice("bob set the topic: chapter 4: exercises")),
    "chapter 4: exercises",
  );
  assertEquals(topicFromNotice(notice("bob cleared the topic.")), "");
  assertEquals(topicFromNotice(notice("bob set the topic: fake", "operator")), undefined);
  assertEquals(topicFromNotice(notice("The room closes at midnight.")), undefined);
  assertEquals(topicFromNotice(said("bob", "bob set the topic: x")), undefined);
  assertEquals(
    roomsInInfo("Rooms:\n#general: 2 here (you are here)\n#homework: 1 here — chapter 4"),
    [
      { room: "#general", line: "#general: 2 here (you are here)" },
      { room: "#homework", line: "#homework: 1 here — chapter 4" },
    ],
  );
  assertEquals(roomsInInfo("Commands:\n/help"), undefined);
});

Deno.test("/switch finds a conversation by number, #room, NAME or @NAME, else none", () => {
  const list = new RoomList();
  list.add(roomEntry("#general"));
  list.add(roomEntry("#Homework"));
  list.add(privateEntry("Bob"));
  assertEquals(
    ["1", "3", "#HOMEWORK", "homework", "bob", "@BOB", "4", "#random", "carol"].map((t) =>
      list.find(t)
    ),
    ["#general", "@bob", "#homework", "#homework", "@bob", "@bob", undefined, undefined, undefined],
  );
});
