/**
 * Ghost members, over real TCP: a member is in the room exactly as long as
 * its session is. A newcomer whose welcome would once have overflowed the
 * slow-consumer bound now gets in (the welcome is one bounded page), and a
 * session that dies while it is being welcomed leaves nothing behind: its
 * name is free, /who does not list it, and private messages to it are not
 * "delivered" into the void. And, on the room itself, the membership handle
 * is the only way out and takes a member out once.
 */

import type { ServerFrame } from "../src/protocol/frames.ts";
import { type Member, Room } from "../src/server/room.ts";
import { memoryStore } from "../src/server/room_store.ts";
import { ClientRegistry } from "../src/server/rooms/clients.ts";
import { StoreLog } from "../src/server/rooms/room_log.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

/** Lets test clients send as fast as they like (the rate limit has its own tests). */
const UNLIMITED = { ratePerSecond: 1e6, rateBurst: 1e6 };

/** Asks for /who and returns the names. */
async function who(client: LineClient): Promise<string[]> {
  await client.say("/who");
  return (await client.nextFrame((f) => f.type === "members")).members;
}

Deno.test("a newcomer whose welcome would exceed the queue bound gets in; the room stays consistent", async () => {
  const maxQueueBytes = 16 * 1024;
  await withServer(async (server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    // 50 messages of 1000 characters: 50 KB of history, three times the queue bound.
    for (let i = 1; i <= 50; i++) {
      await alice.say(`${i} ${"x".repeat(1000)}`);
      await alice.nextFrame((f) => f.type === "message" && f.text.startsWith(`${i} `));
    }
    const { client: bob, welcome } = await LineClient.join(port, "bob");
    const welcomeBytes = new TextEncoder().encode(JSON.stringify(welcome)).length;
    assert(welcomeBytes < maxQueueBytes, `the welcome takes ${welcomeBytes} bytes`);
    assert(welcome.history.length >= 1, "the welcome shows the newest messages it can");
    assertMatch(welcome.history.at(-1).text, /^50 /);
    assertEquals(welcome.members, ["alice", "bob"]);

    // The rest of what was said comes in pages bob asks for, each within the bound.
    const seen: AnyFrame[] = [...welcome.history];
    let more = true;
    while (more) {
      await bob.sendFrame({ type: "history", before: seen[0].id, limit: 100 });
      const page = await bob.nextFrame((f) => f.type === "page");
      assert(JSON.stringify(page).length < maxQueueBytes, "a page stays within the bound");
      seen.unshift(...page.records);
      more = page.more;
    }
    const texts = seen.filter((r) => r.type === "message").map((r) => Number(r.text.split(" ")[0]));
    assertEquals(texts, Array.from({ length: 50 }, (_, i) => i + 1));

    await bob.say("hello alice");
    await alice.nextFrame((f) => f.type === "message" && f.text === "hello alice");
    assertEquals(await who(alice), ["alice", "bob"]);
    assertEquals(server.room.size, 2);
    alice.close();
    bob.close();
  }, { limits: { maxQueueBytes, ...UNLIMITED } });
});

/**
 * A store holding one notice bigger than the whole queue bound: every fresh
 * welcome carries it (a page always holds at least one record), so every
 * fresh newcomer is cut off while it is being welcomed. A member that
 * catches up after it gets in.
 */
function storeWithHugeNotice(bytes: number) {
  const store = memoryStore(100);
  store.history.append({ type: "notice", id: 1, ts: Date.now(), text: "n".repeat(bytes) });
  return store;
}

Deno.test("a session that dies during its welcome leaves no ghost", async () => {
  const maxQueueBytes = 2048;
  const store = storeWithHugeNotice(3 * maxQueueBytes);
  await withServer(async (server, port) => {
    // alice catches up after the huge notice: her welcome is small.
    const { client: alice } = await LineClient.join(port, "alice", {
      since: 1,
      log: store.history.roomId(),
    });

    // A structured newcomer: its welcome overflows its queue, the server drops it.
    const ghost = await LineClient.connect(port);
    await ghost.sendFrame({ type: "hello", version: 2, name: "ghost" });
    await ghost.waitForClose();
    const left = await alice.nextFrame((f) => f.type === "leave" && f.name === "ghost");
    assertEquals(left.reason, "too slow (stopped reading)");

    // A plain-text newcomer, likewise.
    const plain = await LineClient.connect(port);
    await plain.nextLine((l) => l.startsWith("Type your name"));
    await plain.sendLine("phantom");
    await plain.waitForClose();
    await alice.nextFrame((f) => f.type === "leave" && f.name === "phantom");

    assertEquals(await who(alice), ["alice"]);
    assertEquals(server.room.size, 1);
    assertEquals(server.members().map((m) => m.name), ["alice"]);
    // Nothing pretends to deliver to them: neither really used its name (never said a word, stayed
    // under a minute), so neither name is kept for, and a private message to either is refused.
    for (const name of ["phantom", "ghost"]) {
      await alice.say(`/msg ${name} are you there?`);
      const refused = await alice.nextFrame((f) => f.type === "error" || f.type === "private");
      assertEquals([refused.type, refused.code], ["error", "no_such_member"]);
    }
    // The names are free again.
    await alice.say("/nick ghost");
    const renamed = await alice.nextFrame((f) => f.type === "nick" || f.type === "error");
    assertEquals([renamed.type, renamed.to], ["nick", "ghost"]);
    alice.close();
  }, { store, limits: { maxQueueBytes, ...UNLIMITED } });
});

Deno.test("a membership is the only way out: released once, inert after a takeover", async () => {
  const store = memoryStore(100);
  const clients = new ClientRegistry({ store, privateLog: new StoreLog(store.roomHistory("@p")) });
  const room = new Room({
    name: "#general",
    log: new StoreLog(store.history),
    historyOnJoin: 50,
    pageRecords: 500,
    pageBytes: 64 * 1024,
  });
  const member = (): Member & { frames: ServerFrame[] } => {
    const frames: ServerFrame[] = [];
    return { name: "", frames, deliver: (out) => frames.push(out.frame), disconnect() {} };
  };
  const first = member();
  const alice = clients.admit(first, { name: "alice" });
  assert(!("code" in alice));
  const joined = room.join(first, {}, () => {});
  const second = member();
  const again = clients.admit(second, { name: "alice", resume: alice.claim.token });
  assert(!("code" in again), "the token takes the name back");
  const rejoined = room.join(second, {}, () => {});
  joined.leave("connection lost"); // the replaced connection's late exit: nothing happens
  assertEquals(room.names(), ["alice"]);
  rejoined.leave("quit");
  rejoined.leave("quit");
  assertEquals(room.size, 0);
  await Promise.resolve();
  const leaves = store.history.page({ after: 0, limit: 100 }, undefined).records
    .filter((r) => r.type === "leave");
  assertEquals(leaves.length, 1, "one leave, from the member that held the name");
});
