/**
 * Private messages kept for someone away leave the mailbox only once they
 * were written to that person's connection: a connection that dies before
 * its welcome goes out loses nothing, a mailbox bigger than a connection's
 * queue arrives whole, a page at a time, and nothing is handed over twice.
 * Over real TCP, with the memory store and a real database file.
 */

import { join } from "node:path";
import { PROTOCOL_VERSION } from "../src/protocol/constants.ts";
import { memoryStore, type RoomStore } from "../src/server/room_store.ts";
import { openSqliteStore } from "../src/server/sqlite_store.ts";
import { assertEquals, assertMatch } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { withServer } from "./support/test_server.ts";

const HISTORY = { historyLimit: 100 };

const UNLIMITED = { joinBurst: 1000, joinsPerMinute: 1000, rateBurst: 1000, ratePerSecond: 1000 };

/** Alice joins, speaks (so her name is kept) and leaves; returns her welcome. */
async function aliceWasHere(port: number): Promise<AnyFrame> {
  const { client, welcome } = await LineClient.join(port, "alice");
  await client.say("back soon");
  const said = await client.nextFrame((f) => f.type === "message");
  await client.sendFrame({ type: "quit" });
  await client.ended;
  return { ...welcome, seen: said.id };
}

/** Bob sends alice `count` private messages while she is away (each `size` characters). */
async function bobWrites(port: number, count: number, size = 10): Promise<LineClient> {
  const { client: bob } = await LineClient.join(port, "bob");
  for (let i = 1; i <= count; i++) {
    await bob.say(`/msg alice ${String(i).padStart(3, "0")}${"x".repeat(size)}`);
    await bob.nextFrame((f) => f.type === "info" && f.text.includes("is not here now"));
  }
  return bob;
}

/** Alice back with her token, as a catch-up (so only kept private messages are private records). */
function aliceBack(port: number, first: AnyFrame) {
  return LineClient.join(port, "alice", {
    resume: first.session,
    log: first.log,
    room: first.room,
    since: first.seen,
  });
}

const privates = (records: AnyFrame[]) => records.filter((r) => r.type === "private");

/** The connection dies before its welcome; the kept message waits for the next one, once. */
async function diesBeforeWelcome(store: RoomStore): Promise<void> {
  await withServer(async (_server, port) => {
    const first = await aliceWasHere(port);
    const bob = await bobWrites(port, 1);
    // The hello and a line over the limit arrive in one read: the server takes the hello, then
    // closes the connection for the long line before the welcome is written.
    const dying = await LineClient.connect(port);
    const hello = {
      type: "hello",
      version: PROTOCOL_VERSION,
      name: "alice",
      resume: first.session,
    };
    await dying.sendRaw(`${JSON.stringify(hello)}\n${"y".repeat(200)}`);
    assertEquals((await dying.nextFrame((f) => f.type === "bye")).code, "line_too_long");
    await dying.ended;
    assertEquals(
      dying.transcript.filter((l) => l.includes('"welcome"')).length,
      0,
      `no welcome reached it: ${dying.transcript.join("\n")}`,
    );

    const { client: back, welcome } = await LineClient.join(port, "alice", {
      resume: first.session,
    });
    assertEquals(privates(welcome.history).map((r) => r.text), ["001xxxxxxxxxx"]);
    assertMatch(
      (await back.nextFrame((f) => f.type === "info")).text,
      /While you were away, bob sent you a private message/,
    );
    await back.sendFrame({ type: "quit" });
    await back.ended;
    // Handed over once: the next connection is not told of it again.
    const { client: again } = await LineClient.join(port, "alice", { resume: first.session });
    await again.say("/help");
    const next = await again.nextFrame((f) => f.type === "info");
    assertMatch(next.text, /^Commands/, "no second 'while you were away'");
    again.close();
    bob.close();
  }, { store, limits: { ...UNLIMITED, maxLineBytes: 150 } });
}

Deno.test("kept private messages survive a connection that dies before its welcome is written", async () => {
  await diesBeforeWelcome(memoryStore(100));
  await withTempDir((dir) => diesBeforeWelcome(openSqliteStore(join(dir, "h.db"), HISTORY)));
});

Deno.test("a mailbox bigger than the connection's queue arrives whole, a page at a time", async () => {
  // 30 messages of 1,500 characters (about 47 KB) for a queue of 32 KiB (pages of 4 KiB).
  await withServer(async (_server, port) => {
    const first = await aliceWasHere(port);
    const bob = await bobWrites(port, 30, 1500);
    const { client: back, welcome } = await aliceBack(port, first);
    const got = privates(welcome.history);
    const notice = await back.nextFrame((f) => {
      if (f.type === "private") got.push(f);
      return f.type === "info" && f.text.startsWith("While you were away");
    });
    assertMatch(notice.text, /bob sent you 30 private messages/);
    assertEquals(
      got.map((r) => Number(r.text.slice(0, 3))),
      Array.from({ length: 30 }, (_, i) => i + 1),
      "all of them, once each, in order",
    );
    await back.sendFrame({ type: "quit" });
    await back.ended;
    const { client: again, welcome: later } = await aliceBack(port, first);
    assertEquals(privates(later.history), [], "all were handed over");
    again.close();
    bob.close();
  }, { limits: { ...UNLIMITED, maxQueueBytes: 32 * 1024 } });
});
