/**
 * History over real TCP with a real database file: a restarted server
 * continues the ids and shows newcomers what was said; a reconnecting client
 * catches up exactly (no gap, no duplicate) while others keep talking;
 * private messages to someone away wait for them (and only for them);
 * plain-text clients get the history as lines.
 */

import { join } from "node:path";
import { ChatServer, type ChatServerOptions } from "../src/server/chat_server.ts";
import { MAILBOX_LIMIT, MAILBOX_PER_SENDER_LIMIT } from "../src/server/mailbox.ts";
import { openSqliteStore } from "../src/server/sqlite_store.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";

/** Lets test clients send as fast as they like (the rate limit has its own tests). */
const UNLIMITED = { ratePerSecond: 1e6, rateBurst: 1e6 };

/** A server on 127.0.0.1 keeping its history in `dir`. */
function startServer(dir: string, options: Partial<ChatServerOptions> = {}): ChatServer {
  const store = openSqliteStore(join(dir, "history.db"), { historyLimit: 10_000 });
  return new ChatServer({ hostname: "127.0.0.1", port: 0, store, limits: UNLIMITED, ...options });
}

/** Runs `body` against one server with its history in a fresh directory. */
async function withHistoryServer(
  body: (port: number) => Promise<void>,
  options: Partial<ChatServerOptions> = {},
): Promise<void> {
  await withTempDir(async (dir) => {
    const server = startServer(dir, options);
    try {
      await body(server.addr.port);
    } finally {
      await server.shutdown();
    }
  });
}

/** Asserts ids are strictly increasing by one: nothing missing, nothing twice. */
function assertContiguous(ids: number[], what: string): void {
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] !== ids[i - 1] + 1) {
      throw new Error(`${what}: id ${ids[i - 1]} is followed by ${ids[i]} (all: ${ids.join(",")})`);
    }
  }
}

const isRecord = (f: AnyFrame) => typeof f.id === "number" && typeof f.ts === "number";

Deno.test("after a restart ids continue and a newcomer sees the earlier messages", async () => {
  await withTempDir(async (dir) => {
    const first = startServer(dir);
    const { client: alice, welcome } = await LineClient.join(first.addr.port, "alice");
    for (const text of ["one", "two", "three"]) await alice.say(text);
    const last = await alice.nextFrame((f) => f.type === "message" && f.text === "three");
    alice.close();
    await first.shutdown();

    const second = startServer(dir);
    try {
      const { client: bob, welcome: bobWelcome } = await LineClient.join(second.addr.port, "bob");
      assertEquals(bobWelcome.room, welcome.room, "the room keeps its identity");
      assertEquals(bobWelcome.catchUp, false);
      assertEquals(bobWelcome.history.map((r: AnyFrame) => `${r.from}: ${r.text}`), [
        "alice: one",
        "alice: two",
        "alice: three",
      ]);
      await bob.say("four");
      const four = await bob.nextFrame((f) => f.type === "message");
      assert(four.id > last.id, `id ${four.id} continues after ${last.id}`);
      bob.close();
    } finally {
      await second.shutdown();
    }
  });
});

Deno.test("a newcomer sees only the last --history-on-join messages", async () => {
  await withHistoryServer(async (port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    for (const text of ["a", "b", "c"]) await alice.say(text);
    await alice.nextFrame((f) => f.text === "c");
    const { client: bob, welcome } = await LineClient.join(port, "bob");
    assertEquals(welcome.history.map((r: AnyFrame) => r.text), ["b", "c"]);
    for (const c of [alice, bob]) c.close();
  }, { historyOnJoin: 2 });
});

Deno.test("reconnecting while others talk catches up with no gap and no duplicate", async () => {
  await withHistoryServer(async (port) => {
    const { client: bob } = await LineClient.join(port, "bob");
    const { client: alice, welcome } = await LineClient.join(port, "alice");
    const seen: AnyFrame[] = [];
    const total = 300;
    const talking = (async () => {
      for (let i = 1; i <= total; i++) {
        await bob.say(`m${i}`);
        if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();

    // Alice reads some, then her connection drops.
    while (seen.filter((f) => f.type === "message").length < 50) {
      seen.push(await alice.nextFrame(isRecord));
    }
    alice.close();
    await new Promise((resolve) => setTimeout(resolve, 30));

    // She comes back with what she remembers while bob is still talking.
    const since = seen[seen.length - 1].id;
    const back = await LineClient.join(port, "alice", {
      resume: welcome.session,
      since,
      log: welcome.log,
    });
    assertEquals(back.welcome.catchUp, true);
    assertEquals(back.welcome.gap, undefined);
    assert(back.welcome.history.length > 0, "she missed something");
    seen.push(...back.welcome.history);
    let live = 0;
    while (!seen.some((f) => f.type === "message" && f.text === `m${total}`)) {
      seen.push(await back.client.nextFrame(isRecord));
      live++;
    }
    await talking;
    assert(live > 10, `bob was still talking after she came back (${live} live records)`);

    assertContiguous(seen.map((f) => f.id), "alice's records");
    const texts = seen.filter((f) => f.type === "message").map((f) => f.text);
    assertEquals(texts, Array.from({ length: total }, (_, i) => `m${i + 1}`));
    assert(
      seen.some((f) => f.type === "leave" && f.name === "alice"),
      "her leaving is in the catch-up",
    );
    back.client.close();
    bob.close();
  });
});

Deno.test("a private message to someone away waits for them, across a restart, and only for them", async () => {
  await withTempDir(async (dir) => {
    const first = startServer(dir);
    const port1 = first.addr.port;
    const { client: alice } = await LineClient.join(port1, "alice");
    const { client: bob, welcome: bobWelcome } = await LineClient.join(port1, "bob");
    await bob.say("good night"); // a name that was used: its claim is kept, so mail waits
    await bob.sendFrame({ type: "quit" });
    await bob.waitForClose();
    await alice.nextFrame((f) => f.type === "leave" && f.name === "bob");

    await alice.say("/msg bob see you tomorrow");
    const copy = await alice.nextFrame((f) => f.type === "private");
    assertEquals([copy.from, copy.to, copy.text], ["alice", "bob", "see you tomorrow"]);
    assertMatch(
      (await alice.nextFrame((f) => f.type === "info")).text,
      /bob is not here now; they will get your message when they next join/,
    );
    await alice.say("/msg nobody-ever hello");
    assertEquals((await alice.nextFrame((f) => f.type === "error")).code, "no_such_member");
    alice.close();
    await first.shutdown();

    const second = startServer(dir);
    try {
      const port = second.addr.port;
      // Someone else taking the free name does not get bob's messages.
      const { client: other, welcome: otherWelcome } = await LineClient.join(port, "bob");
      assertEquals(otherWelcome.history.filter((r: AnyFrame) => r.type === "private"), []);
      assert(otherWelcome.session !== bobWelcome.session);
      await other.sendFrame({ type: "quit" });
      await other.waitForClose();

      const back = await LineClient.join(port, "bob", { resume: bobWelcome.session });
      assertEquals(back.welcome.session, bobWelcome.session, "the token survived the restart");
      const held = back.welcome.history.filter((r: AnyFrame) => r.type === "private");
      assertEquals(held.length, 1);
      assertEquals([held[0].from, held[0].text, held[0].ts], [
        "alice",
        "see you tomorrow",
        copy.ts,
      ]);
      assertMatch(
        (await back.client.nextFrame((f) => f.type === "info")).text,
        /While you were away, alice sent you a private message/,
      );
      await back.client.sendFrame({ type: "quit" });
      await back.client.waitForClose();

      // Handed over once: the next join does not announce it again, but the
      // history still shows it to bob (and only to bob).
      const again = await LineClient.join(port, "bob", { resume: bobWelcome.session });
      assertEquals(again.welcome.history.filter((r: AnyFrame) => r.type === "private").length, 1);
      const noInfo = await again.client.nextFrame((f) => f.type === "info" || f.type === "join");
      assertEquals(noInfo.type, "join");
      again.client.close();
    } finally {
      await second.shutdown();
    }
  });
});

Deno.test("a plain-text client gets the earlier messages as plain lines on join", async () => {
  await withTempDir(async (dir) => {
    const first = startServer(dir);
    const { client: alice } = await LineClient.join(first.addr.port, "alice");
    await alice.say("before the restart");
    await alice.say("/me waves");
    await alice.nextFrame((f) => f.emote === true);
    alice.close();
    await first.shutdown();

    const second = startServer(dir);
    try {
      const plain = await LineClient.connect(second.addr.port);
      await plain.sendLine("carol");
      await plain.nextLine((l) => l.startsWith("-- Welcome, carol!"));
      assertEquals(
        await plain.nextLine((l) => !l.startsWith("-- Type")),
        "-- Earlier in this room (2):",
      );
      assertMatch(await plain.nextLine(), /^\[\d\d:\d\d\] alice: before the restart$/);
      assertMatch(await plain.nextLine(), /^\[\d\d:\d\d\] \* alice waves$/);
      assertEquals(await plain.nextLine(), "-- End of earlier messages.");
      plain.close();
    } finally {
      await second.shutdown();
    }
  });
});

Deno.test("private history is shown to the name's holder only, not to a later taker of the name", async () => {
  await withHistoryServer(async (port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob, welcome } = await LineClient.join(port, "bob");
    await alice.say("/msg bob our secret");
    await bob.nextFrame((f) => f.type === "private");
    await bob.sendFrame({ type: "quit" });
    await bob.waitForClose();

    const { client: other, welcome: otherWelcome } = await LineClient.join(port, "bob");
    assertEquals(otherWelcome.history.map((r: AnyFrame) => r.type), []);
    await other.sendFrame({ type: "quit" });
    await other.waitForClose();

    const back = await LineClient.join(port, "bob", { resume: welcome.session });
    assertEquals(back.welcome.history.map((r: AnyFrame) => r.text), ["our secret"]);
    for (const c of [alice, back.client]) c.close();
  });
});

Deno.test("/msg to someone away is refused when it could never be delivered or too much waits", async () => {
  await withHistoryServer(async (port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const plain = await LineClient.connect(port);
    await plain.sendLine("carol");
    await plain.nextLine((l) => l.startsWith("-- Welcome"));
    await plain.sendLine("hello"); // a used name: its claim is kept, but it has no token
    await plain.sendLine("/quit");
    await alice.nextFrame((f) => f.type === "leave" && f.name === "carol");
    await alice.say("/msg carol are you there?");
    const refused = await alice.nextFrame((f) => f.type === "error");
    assertEquals(refused.code, "no_such_member");
    assertMatch(refused.message, /carol is not here, and their client can't receive/);

    const { client: bob } = await LineClient.join(port, "bob");
    await bob.say("bye");
    await bob.sendFrame({ type: "quit" });
    await bob.waitForClose();
    // One sender may park only so much, however many names it writes to.
    for (let i = 1; i <= MAILBOX_PER_SENDER_LIMIT; i++) await alice.say(`/msg bob note ${i}`);
    await alice.say("/msg bob one too many");
    const senderFull = await alice.nextFrame((f) => f.type === "error");
    assertEquals(senderFull.code, "mailbox_full");
    assertMatch(senderFull.message, /You already have 50 private messages waiting/);
    const kept = alice.transcript.filter((l) => l.includes('"type":"private"'));
    assertEquals(kept.length, MAILBOX_PER_SENDER_LIMIT);
    // And one recipient receives only so much, from everyone together.
    const { client: dave } = await LineClient.join(port, "dave");
    const toFill = MAILBOX_LIMIT - MAILBOX_PER_SENDER_LIMIT;
    for (let i = 1; i <= toFill; i++) await dave.say(`/msg bob more ${i}`);
    await dave.say("/msg bob over the top");
    const boxFull = await dave.nextFrame((f) => f.type === "error");
    assertEquals(boxFull.code, "mailbox_full");
    assertMatch(boxFull.message, /bob is away and already has 100 private messages waiting/);
    alice.close();
    dave.close();
  });
});
