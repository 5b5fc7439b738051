import { FIRST_DELAY_MS, MAX_DELAY_MS, reconnectDelay } from "../src/web/backoff.ts";
import {
  isForMe,
  isFromOthers,
  notificationText,
  titleWithUnread,
} from "../src/web/attention_text.ts";
import { forgetSession, loadSession, saveSession, SESSION_KEY } from "../src/web/saved_session.ts";
import { helpText, pageInput } from "../src/web/page_input.ts";
import { parseServerFrame as parseIncoming } from "../src/protocol/codec.ts";
import { mentions } from "../src/text/mentions.ts";
import type { RoomRecord } from "../src/protocol/frames.ts";
import { assert, assertEquals } from "./support/assert.ts";

Deno.test("reconnect delays double from half a second up to 30 s, with jitter", () => {
  assertEquals(reconnectDelay(0, () => 0), FIRST_DELAY_MS / 2);
  assertEquals(reconnectDelay(0, () => 0.999999), FIRST_DELAY_MS);
  assertEquals(reconnectDelay(1, () => 0.999999), 2 * FIRST_DELAY_MS);
  assertEquals(reconnectDelay(3, () => 0.5), Math.round(8 * FIRST_DELAY_MS * 0.75));
  assertEquals(reconnectDelay(50, () => 0.999999), MAX_DELAY_MS);
  assertEquals(reconnectDelay(50, () => 0), MAX_DELAY_MS / 2);
});

Deno.test("the title shows the unread count", () => {
  assertEquals(titleWithUnread("chat", 0), "chat");
  assertEquals(titleWithUnread("chat", 3), "(3) chat");
  assertEquals(titleWithUnread("chat", 5000), "(999+) chat");
});

const at = { id: 1, ts: 0 };

Deno.test("mentions are whole words, any case, with or without @", () => {
  assert(mentions("hi alice", "alice"));
  assert(mentions("@Alice: look", "alice"));
  assert(mentions("ALICE!", "alice"));
  assert(!mentions("malice aforethought", "alice"));
  assert(!mentions("alice_2 is here", "alice"));
  assert(mentions("a.b, are you there?", "a.b"), "regex characters in names are literal");
  assert(!mentions("axb", "a.b"));
  assert(!mentions("anything", ""));
});

Deno.test("what is for me: private messages to me and mentions by others", () => {
  const from = (who: string, text: string): RoomRecord => ({
    ...at,
    type: "message",
    from: who,
    text,
  });
  assert(isForMe(from("bob", "alice, hi"), "alice"));
  assert(!isForMe(from("alice", "I am alice"), "alice"), "not my own mention");
  assert(!isForMe(from("bob", "hi all"), "alice"));
  assert(isForMe({ ...at, type: "private", from: "bob", to: "Alice", text: "psst" }, "alice"));
  assert(!isForMe({ ...at, type: "private", from: "alice", to: "bob", text: "psst" }, "alice"));
  assert(!isForMe({ ...at, type: "join", name: "bob", count: 2 }, "alice"));
  assert(isFromOthers({ ...at, type: "notice", text: "closing" }, "alice"));
  assert(!isFromOthers({ ...at, type: "join", name: "ALICE", count: 2 }, "alice"));
  assertEquals(
    notificationText({ ...at, type: "private", from: "bob", to: "alice", text: "psst" }),
    { title: "bob (private)", body: "psst" },
  );
  assertEquals(
    notificationText({ ...at, type: "message", from: "bob", text: "waves", emote: true }),
    { title: "chat", body: "* bob waves" },
  );
});

/** A Storage stand-in backed by a Map: the page's storage API is all it needs. */
class MapStorage {
  readonly map = new Map<string, string>();
  failing = false;
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.failing) throw new DOMException("quota", "QuotaExceededError");
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
}

Deno.test("the session is remembered per room, survives bad storage, and is forgotten on leave", () => {
  const storage = new MapStorage();
  assertEquals(loadSession(storage), undefined);
  const session = {
    name: "alice",
    token: "t",
    log: "L",
    rooms: [{ room: "#general", lastId: 42 }, { room: "#secret", lastId: 7, key: "sesame" }],
    privates: ["bob"],
  };
  saveSession(storage, session);
  assertEquals(loadSession(storage), session);
  storage.map.set(SESSION_KEY, '{"name":"bob","token":7,"rooms":[{"room":"#a","lastId":"x"},3]}');
  assertEquals(loadSession(storage), {
    name: "bob",
    token: undefined,
    log: undefined,
    rooms: [{ room: "#a", lastId: undefined }],
  });
  // What a page of the one-room release saved: its room and last id carry over.
  storage.map.set(SESSION_KEY, '{"name":"carol","token":"t","room":"L #general","lastId":9}');
  assertEquals(loadSession(storage), {
    name: "carol",
    token: "t",
    log: "L",
    rooms: [{ room: "#general", lastId: 9 }],
  });
  storage.map.set(SESSION_KEY, "not json");
  assertEquals(loadSession(storage), undefined);
  storage.failing = true;
  saveSession(storage, { name: "carol", rooms: [] });
  forgetSession(storage);
  assertEquals(loadSession(storage), undefined);
});

Deno.test("incoming frames: protocol frames and pages are checked, the rest is dropped", () => {
  const record = { type: "message", id: 5, ts: 1, from: "bob", text: "hi" };
  assertEquals(parseIncoming(JSON.stringify(record)), record);
  assertEquals(
    parseIncoming(JSON.stringify({ type: "page", records: [record], before: 6, more: true })),
    { type: "page", records: [record], before: 6, more: true },
  );
  assertEquals(
    parseIncoming(JSON.stringify({ type: "page", records: [record], after: 4, more: false })),
    { type: "page", records: [record], after: 4, more: false },
  );
  assertEquals(
    parseIncoming(JSON.stringify({ type: "page", records: [{ id: 1 }], more: true })),
    null,
  );
  assertEquals(parseIncoming(JSON.stringify({ type: "page", records: [] })), null);
  assertEquals(parseIncoming(JSON.stringify({ type: "message", id: "5" })), null);
  assertEquals(parseIncoming("Welcome to chat!"), null);
  assertEquals(parseIncoming('{"type":"future"}'), null);
  assertEquals(parseIncoming("null"), null);
});

Deno.test("the page's own commands: /join with a key, /part, /help, and lines in a private conversation", () => {
  assertEquals(pageInput("/join #secret sesame", undefined), {
    kind: "join",
    room: "#secret",
    key: "sesame",
  });
  assertEquals(pageInput("/JOIN homework", undefined), { kind: "join", room: "homework" });
  assertEquals(pageInput("/join", undefined), { kind: "error", text: "Usage: /join #ROOM [KEY]" });
  assertEquals(pageInput("/join #a b c", undefined)?.kind, "error", "a key has no spaces");
  assertEquals(pageInput("/part", undefined), { kind: "part" });
  assertEquals(pageInput("/part #homework", "bob"), { kind: "part", room: "#homework" });
  assertEquals(pageInput("/?", undefined), { kind: "help" });
  assert(helpText().includes("/join #ROOM [KEY]") && helpText().includes("Alt+1"));
  for (const works of ["/switch", "/query", "/close", "/invite", "/clear"]) {
    assert(helpText().includes(works), works);
  }
  for (const fullScreenOnly of ["/bell", "/ignore", "/filter", "/notify"]) {
    assert(!helpText().includes(fullScreenOnly), `${fullScreenOnly} is the terminal's`);
  }
  assertEquals(pageInput("hello", undefined), undefined, "a room's lines go to the registry");
  assertEquals(pageInput("/topic x", undefined), undefined);
  assertEquals(pageInput("hello\nthere", "bob"), { kind: "send", text: "/msg bob hello\nthere" });
  assertEquals(pageInput("//etc/hosts", "bob"), { kind: "send", text: "/msg bob /etc/hosts" });
  assertEquals(pageInput("/who", "bob"), undefined, "commands still work there");
  assertEquals(pageInput("/me waves", "bob")?.kind, "error", "but no room-wide action");
});
