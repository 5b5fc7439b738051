/**
 * The client's connection over real TCP: joining, asking for another name,
 * reconnecting after a drop with resume and catch-up, de-duplication by id,
 * the place saved between runs (a real file), pings, goodbyes, and what it
 * says when the server is not there.
 */

import { assert, assertEquals, assertRejects } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";
import { TcpProxy } from "./support/tcp_proxy.ts";
import {
  ChatConnection,
  type ConnectionEvent,
  UnreachableError,
} from "../src/client/connection.ts";
import { send, withScriptedServer } from "./support/scripted_server.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { SavedSessions, type ServerSessions } from "../src/client/saved_sessions.ts";
import { welcomeHistory } from "../src/client/welcome_history.ts";

const FAST = { firstMs: 30, maxMs: 200 };

/** A connection whose events are collected, with a way to wait for one. */
function connect(port: number, name: string, saved?: ServerSessions) {
  const events: ConnectionEvent[] = [];
  const connection = new ChatConnection({
    host: "127.0.0.1",
    port,
    name,
    backoff: FAST,
    saved,
    onEvent: (event) => events.push(event),
  });
  const waitFor = async (
    accept: (event: ConnectionEvent) => boolean,
    what: string,
    timeoutMs = 5000,
  ): Promise<ConnectionEvent> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = events.find(accept);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(
      `no ${what} within ${timeoutMs} ms; events: ${JSON.stringify(events.map((e) => e.type))}`,
    );
  };
  return { connection, events, waitFor };
}

function messageTexts(events: ConnectionEvent[]): string[] {
  const texts: string[] = [];
  for (const event of events) {
    const records = event.type === "record"
      ? [event.record]
      : event.type === "joined"
      ? event.records
      : [];
    for (const record of records) if (record.type === "message") texts.push(record.text);
  }
  return texts;
}

/** A free port nobody listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("joins, sends, and receives its own message back", async () => {
  await withServer(async (_server, port) => {
    const alice = connect(port, "alice");
    assertEquals(await alice.connection.start(), "joined");
    assert(alice.connection.send("hello"));
    await alice.waitFor((e) => e.type === "record" && e.record.type === "message", "echo");
    assertEquals(messageTexts(alice.events), ["hello"]);
    await alice.connection.quit();
    const ended = alice.events.at(-1);
    assertEquals(ended?.type, "ended");
  });
});

Deno.test("a taken name is refused without disconnecting; another name joins", async () => {
  await withServer(async (_server, port) => {
    const { client: holder } = await LineClient.join(port, "alice");
    const second = connect(port, "Alice");
    const started = second.connection.start();
    const refused = await second.waitFor((e) => e.type === "name_refused", "refusal");
    assert(refused.type === "name_refused" && refused.code === "name_taken");
    second.connection.chooseName("alice2");
    assertEquals(await started, "joined");
    assertEquals(second.connection.name, "alice2");
    assertEquals(second.events.filter((e) => e.type === "connecting").length, 1, "same connection");
    await second.connection.quit();
    holder.close();
  });
});

Deno.test("after a drop it reconnects and shows what was missed exactly once", async () => {
  await withServer(async (_server, port) => {
    const proxy = new TcpProxy(port);
    const alice = connect(proxy.port, "alice");
    try {
      await alice.connection.start();
      const { client: bob } = await LineClient.join(port, "bob");
      await bob.say("one");
      await alice.waitFor((e) => e.type === "record" && e.record.type === "message", "one");

      proxy.refusing = true;
      proxy.cut();
      await alice.waitFor((e) => e.type === "disconnected", "disconnect");
      assertEquals(alice.connection.send("lost?"), false, "nothing is sent while disconnected");
      await bob.say("two");
      await bob.say("three");
      await bob.nextFrame((f) => f.type === "message" && f.text === "three");
      proxy.refusing = false;

      const rejoined = await alice.waitFor((e) => e.type === "joined" && e.rejoined, "rejoin");
      assert(rejoined.type === "joined" && rejoined.welcome.catchUp && !rejoined.roomChanged);
      await bob.say("four");
      await alice.waitFor(() => messageTexts(alice.events).includes("four"), "four");
      assertEquals(messageTexts(alice.events), ["one", "two", "three", "four"]);
      assertEquals(alice.connection.name, "alice");
      bob.close();
    } finally {
      await alice.connection.quit();
      await proxy.close();
    }
  });
});

// `log` is the server's history; the room is #general throughout.
const welcome = (log: string, history: unknown[], extra = {}) => ({
  type: "welcome",
  version: 2,
  name: "alice",
  members: ["alice"],
  history,
  catchUp: false,
  session: `token-${log}`,
  room: "#general",
  log,
  limits: { maxMessageChars: 4000, maxLineBytes: 16384 },
  ...extra,
});
const msg = (id: number, text: string) => ({ type: "message", id, ts: 1, from: "bob", text });

Deno.test("records are de-duplicated by id; a reconnect resumes with token, last id and room", async () => {
  await withScriptedServer(async (number, _hello, conn) => {
    if (number === 0) {
      // Greeting lines before the welcome are ignored; a replayed id is dropped.
      await send(
        conn,
        "Welcome to chat!",
        welcome("r1", [msg(1, "a"), msg(2, "b")]),
        msg(2, "b"),
        msg(3, "c"),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      conn.close();
    } else if (number === 1) {
      await send(
        conn,
        welcome("r1", [msg(2, "b"), msg(3, "c"), msg(4, "d")], { catchUp: true }),
        msg(5, "e"),
      );
    }
  }, async (port, hellos) => {
    const alice = connect(port, "alice");
    try {
      await alice.connection.start();
      await alice.waitFor(() => messageTexts(alice.events).includes("e"), "e");
      assertEquals(messageTexts(alice.events), ["a", "b", "c", "d", "e"]);
      assertEquals(hellos[1], {
        type: "hello",
        version: 2,
        name: "alice",
        resume: "token-r1",
        room: "#general",
        since: 3,
        log: "r1",
        multiRoom: true,
      });
    } finally {
      alice.connection.close();
    }
  });
});

Deno.test("a server whose history is new (restarted) starts ids afresh", async () => {
  await withScriptedServer(async (number, _hello, conn) => {
    if (number === 0) {
      await send(conn, welcome("r1", [msg(7, "old")]));
      await new Promise((resolve) => setTimeout(resolve, 50));
      conn.close();
    } else {
      await send(conn, welcome("r2", []), msg(1, "new"));
    }
  }, async (port) => {
    const alice = connect(port, "alice");
    try {
      await alice.connection.start();
      const again = await alice.waitFor((e) => e.type === "joined" && e.rejoined, "rejoin");
      assert(again.type === "joined" && again.roomChanged);
      await alice.waitFor(() => messageTexts(alice.events).includes("new"), "new");
      assertEquals(messageTexts(alice.events), ["old", "new"]);
    } finally {
      alice.connection.close();
    }
  });
});

Deno.test("pings are answered with the same data", async () => {
  let pong = "";
  await withScriptedServer(async (_number, _hello, conn) => {
    await send(conn, welcome("r", []), { type: "ping", data: "xyz" });
    const buffer = new Uint8Array(4096);
    const count = await conn.read(buffer);
    pong = new TextDecoder().decode(buffer.subarray(0, count ?? 0)).trim();
  }, async (port) => {
    const alice = connect(port, "alice");
    await alice.connection.start();
    const deadline = Date.now() + 3000;
    while (pong === "" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    alice.connection.close();
  });
  assertEquals(JSON.parse(pong), { type: "pong", data: "xyz" });
});

Deno.test("after a final goodbye (kicked) it does not reconnect", async () => {
  await withScriptedServer(async (_number, _hello, conn) => {
    await send(conn, welcome("r", []), {
      type: "bye",
      code: "kicked",
      message: "Kicked by the operator.",
    });
    conn.close();
  }, async (port, hellos) => {
    const alice = connect(port, "alice");
    await alice.connection.start();
    const ended = await alice.waitFor((e) => e.type === "ended", "end");
    assert(ended.type === "ended" && ended.bye?.code === "kicked");
    assertEquals(ended.reason, "Kicked by the operator.");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assertEquals(hellos.length, 1);
  });
});

Deno.test("after a shutdown goodbye it keeps trying, with growing, capped delays", async () => {
  await withScriptedServer(async (number, _hello, conn) => {
    // The first connection is welcomed and told the server is going; later ones fail at once.
    if (number === 0) {
      await send(conn, welcome("r", []), { type: "bye", code: "shutdown", message: "Bye all." });
    }
    conn.close();
  }, async (port, hellos) => {
    const alice = connect(port, "alice");
    try {
      await alice.connection.start();
      await alice.waitFor(() => hellos.length >= 5, "five attempts");
      const delays = alice.events.flatMap((e) => e.type === "disconnected" ? [e.retryInMs] : []);
      assert(delays[1] > delays[0] && delays[2] > delays[1], `growing: ${delays}`);
      assert(delays.every((d) => d <= FAST.maxMs * 1.2), `capped: ${delays}`);
      const first = alice.events.find((e) => e.type === "disconnected");
      assert(first?.type === "disconnected" && first.bye?.code === "shutdown");
      assertEquals(first.reason, "Bye all.");
    } finally {
      alice.connection.close();
    }
  });
});

Deno.test("an unreachable server is reported once, without retrying", async () => {
  const port = closedPort();
  const alice = connect(port, "alice");
  await assertRejects(() => alice.connection.start(), (error: unknown) => {
    assert(error instanceof UnreachableError);
    assertEquals(error.reason, "connection refused");
    assertEquals(
      error.message,
      `Can't reach 127.0.0.1:${port} (connection refused). Is "chat serve" running there?`,
    );
    return true;
  });
  assertEquals(alice.events.filter((e) => e.type === "connecting").length, 1);
});

Deno.test("a room password is asked for, retried when wrong, and kept for reconnects", async () => {
  await withServer(async (_server, port) => {
    const proxy = new TcpProxy(port);
    const alice = connect(proxy.port, "alice");
    try {
      const started = alice.connection.start();
      const first = await alice.waitFor((e) => e.type === "password_needed", "password request");
      assert(first.type === "password_needed" && first.code === "wrong_password");
      alice.connection.choosePassword("guess");
      await alice.waitFor(
        (e) => e !== first && e.type === "password_needed",
        "second password request",
      );
      alice.connection.choosePassword("s3cret");
      assertEquals(await started, "joined");

      proxy.cut();
      await alice.waitFor((e) => e.type === "joined" && e.rejoined, "rejoin");
      assertEquals(alice.events.filter((e) => e.type === "password_needed").length, 2);
    } finally {
      await alice.connection.quit();
      await proxy.close();
    }
  }, { password: "s3cret" });
});

/** Runs `body` with a sessions file in a temporary directory. */
function withSavedSessions(body: (saved: SavedSessions) => Promise<void>): Promise<void> {
  return withTempDir((dir) =>
    body(new SavedSessions(`${dir}/sessions.json`, { writeDelayMs: 10 }))
  );
}

Deno.test("a new run with the saved place gets exactly what was missed while others kept talking, then live ones", async () => {
  await withSavedSessions(async (saved) => {
    await withServer(async (_server, port) => {
      const place = saved.forServer(`127.0.0.1:${port}`);
      const { client: bob } = await LineClient.join(port, "bob");
      const first = connect(port, "alice", place);
      await first.connection.start();
      await bob.say("before");
      await first.waitFor(() => messageTexts(first.events).includes("before"), "before");
      await first.connection.quit();
      saved.flush(); // as `chat join` does on its way out
      assertEquals(place.recall("alice")?.lastId, lastSeenId(first.events));

      // Bob talks on while alice is away, while she joins again, and after.
      const talker = bob.keepTalking(3);
      await bob.nextFrame((f) => f.type === "message" && f.text === "m20");
      const again = connect(
        port,
        "alice",
        new SavedSessions(saved.path).forServer(`127.0.0.1:${port}`),
      );
      await again.connection.start();
      await again.waitFor(
        (e) => e.type === "record" && e.record.type === "message",
        "live message",
      );
      const last = await talker.stop();
      await again.waitFor(() => messageTexts(again.events).includes(`m${last}`), `m${last}`);

      const joined = again.events.find((e) => e.type === "joined");
      assert(joined?.type === "joined" && joined.welcome.catchUp && !joined.welcome.gap);
      const caughtUp = joined.records.filter((r) => r.type === "message").length;
      assert(caughtUp >= 20, `caught up ${caughtUp}`);
      const expected = Array.from({ length: last }, (_, i) => `m${i + 1}`);
      assertEquals(
        messageTexts(again.events),
        expected,
        "every message once, in order, none before",
      );
      await again.connection.quit();
      bob.close();
    }, { limits: { rateBurst: 10_000, ratePerSecond: 10_000 } });
  });
});

Deno.test("the first hello presents the saved place; the place follows new records and your renames", async () => {
  await withSavedSessions(async (saved) => {
    await withScriptedServer(async (_number, _hello, conn) => {
      await send(
        conn,
        welcome("r1", [msg(4, "d")], { catchUp: true, session: "token-2" }),
        msg(5, "e"),
        { type: "nick", id: 6, ts: 1, from: "alice", to: "alicia" },
      );
    }, async (port, hellos) => {
      const place = saved.forServer(`127.0.0.1:${port}`);
      place.remember("alice", { room: "r1 #general", session: "token-1", lastId: 3 });
      saved.flush();
      const alice = connect(port, "alice", place);
      try {
        await alice.connection.start();
        await alice.waitFor(() => alice.connection.name === "alicia", "rename");
        assertEquals(hellos[0], {
          type: "hello",
          version: 2,
          name: "alice",
          resume: "token-1",
          room: "#general",
          since: 3,
          multiRoom: true,
          log: "r1",
        });
        assertEquals(messageTexts(alice.events), ["d", "e"]);
        saved.flush();
        const read = new SavedSessions(saved.path).forServer(`127.0.0.1:${port}`);
        assertEquals(read.recall("alicia"), { room: "r1 #general", session: "token-2", lastId: 6 });
        assertEquals(read.recall("alice"), undefined, "the token now belongs to the new name");
      } finally {
        alice.connection.close();
      }
    });
  });
});

Deno.test("when the server does not continue from the saved id, its records are shown afresh", async () => {
  await withSavedSessions(async (saved) => {
    // The saved id is from the future (the server's ids started again after a failed write):
    // the server sends recent history instead of a catch-up, with ids the client saw before.
    await withScriptedServer(async (_number, _hello, conn) => {
      await send(conn, welcome("r1", [msg(2, "b"), msg(3, "c")]), msg(4, "d"));
    }, async (port) => {
      const place = saved.forServer(`127.0.0.1:${port}`);
      place.remember("alice", { room: "r1 #general", session: "token-1", lastId: 50 });
      const alice = connect(port, "alice", place);
      try {
        await alice.connection.start();
        await alice.waitFor(() => messageTexts(alice.events).includes("d"), "d");
        assertEquals(messageTexts(alice.events), ["b", "c", "d"]);
        assertEquals(place.recall("alice")?.lastId, 4);
      } finally {
        alice.connection.close();
      }
    });
  });
});

/** The highest record id among the events. */
function lastSeenId(events: ConnectionEvent[]): number {
  let last = 0;
  for (const event of events) {
    const records = event.type === "record"
      ? [event.record]
      : event.type === "joined"
      ? event.records
      : [];
    for (const record of records) last = Math.max(last, record.id);
  }
  return last;
}

Deno.test("a returning member gets a catch-up of thousands of records page by page, exactly once", async () => {
  // A queue bound the old single-frame catch-up (1000 records) would overflow.
  const limits = { maxQueueBytes: 64 * 1024, ratePerSecond: 1e6, rateBurst: 1e6 };
  await withServer(async (_server, port) => {
    const proxy = new TcpProxy(port);
    const alice = connect(proxy.port, "alice");
    try {
      await alice.connection.start();
      const { client: bob } = await LineClient.join(port, "bob");
      proxy.refusing = true;
      proxy.cut();
      await alice.waitFor((e) => e.type === "disconnected", "disconnect");
      const missed = 3000;
      for (let sent = 0; sent < missed; sent += 100) {
        const lines = Array.from(
          { length: 100 },
          (_, i) => JSON.stringify({ type: "send", text: `old-${sent + i + 1}` }),
        );
        await bob.sendRaw(lines.join("\n") + "\n");
        await bob.nextFrame((f) => f.type === "message" && f.text === `old-${sent + 100}`);
      }
      // bob goes on talking while alice comes back and catches up.
      const talking = bob.keepTalking(2);
      proxy.refusing = false;
      const rejoined = await alice.waitFor(
        (e) => e.type === "joined" && e.rejoined,
        "rejoin",
        20_000,
      );
      const live = await talking.stop();
      await alice.waitFor(() => messageTexts(alice.events).includes(`m${live}`), `m${live}`);

      assert(rejoined.type === "joined");
      const history = welcomeHistory(rejoined.welcome, rejoined.records);
      assertEquals(history.kind, "catch-up");
      const caughtUp = history.records.filter((r) => r.type === "message").map((r) => r.text);
      const old = Array.from({ length: missed }, (_, i) => `old-${i + 1}`);
      assertEquals(caughtUp.slice(0, missed), old, "the catch-up holds every missed message");
      assertEquals(history.newMessages, caughtUp.length, "the count is what the catch-up shows");
      const all = messageTexts(alice.events);
      const liveTexts = Array.from({ length: live }, (_, i) => `m${i + 1}`);
      assertEquals(all, [...old, ...liveTexts], "everything once, in order");
      const afterRejoin = alice.events.slice(alice.events.indexOf(rejoined));
      assertEquals(afterRejoin.filter((e) => e.type === "disconnected"), [], "no reconnect loop");
      bob.close();
    } finally {
      await alice.connection.quit();
      await proxy.close();
    }
  }, { limits });
});

Deno.test("a returning member in two rooms gets each room's catch-up, page by page, each record once", async () => {
  const limits = { maxQueueBytes: 64 * 1024, ratePerSecond: 1e6, rateBurst: 1e6 };
  await withServer(async (_server, port) => {
    const proxy = new TcpProxy(port);
    const alice = connect(proxy.port, "alice");
    try {
      await alice.connection.start();
      alice.connection.send("/join #homework");
      await alice.waitFor((e) => e.type === "joined" && e.welcome.room === "#homework", "join");
      assertEquals(alice.connection.rooms, ["#general", "#homework"]);
      const { client: bob } = await LineClient.join(port, "bob", { multiRoom: true });
      await bob.sendFrame({ type: "join", room: "#homework" });
      await bob.nextFrame((f) => f.type === "joined");
      proxy.refusing = true;
      proxy.cut();
      await alice.waitFor((e) => e.type === "disconnected", "disconnect");
      const missed = { "#general": 700, "#homework": 1200 };
      for (const [room, total] of Object.entries(missed)) {
        for (let sent = 0; sent < total; sent += 100) {
          const lines = Array.from(
            { length: 100 },
            (_, i) => JSON.stringify({ type: "send", room, text: `${room}-${sent + i + 1}` }),
          );
          await bob.sendRaw(lines.join("\n") + "\n");
          await bob.nextFrame((f) => f.type === "message" && f.text === `${room}-${sent + 100}`);
        }
      }
      proxy.refusing = false;
      const back = (room: string) =>
        alice.waitFor(
          (e) => e.type === "joined" && e.rejoined && e.welcome.room === room,
          `rejoin ${room}`,
          20_000,
        );
      for (const [room, total] of Object.entries(missed)) {
        const rejoined = await back(room);
        assert(rejoined.type === "joined");
        const history = welcomeHistory(rejoined.welcome, rejoined.records);
        assertEquals(history.kind, "catch-up");
        const texts = history.records.filter((r) => r.type === "message").map((r) => r.text);
        assertEquals(texts, Array.from({ length: total }, (_, i) => `${room}-${i + 1}`));
        assert(history.records.every((r) => r.room === room), "only that room's records");
      }
      await bob.sendFrame({ type: "send", room: "#homework", text: "live" });
      await alice.waitFor(() => messageTexts(alice.events).includes("live"), "live");
      const all = messageTexts(alice.events);
      assertEquals(all.length, new Set(all).size, "nothing twice");
      assertEquals(all.length, 700 + 1200 + 1);
      bob.close();
    } finally {
      await alice.connection.quit();
      await proxy.close();
    }
  }, { limits });
});

Deno.test("coming back to a private room entered with its key: the key goes with it, and the catch-up comes", async () => {
  await withServer(async (_server, port) => {
    const { client: bob } = await LineClient.join(port, "bob", { multiRoom: true });
    await bob.sendFrame({ type: "join", room: "#secret", key: "open sesame" });
    await bob.nextFrame((f) => f.type === "joined");
    const proxy = new TcpProxy(port);
    const alice = connect(proxy.port, "alice");
    try {
      await alice.connection.start();
      assert(alice.connection.join("#secret", "open sesame"));
      await alice.waitFor((e) => e.type === "joined" && e.welcome.room === "#secret", "join");
      proxy.refusing = true;
      proxy.cut();
      await alice.waitFor((e) => e.type === "disconnected", "disconnect");
      for (const text of ["secret 1", "secret 2"]) {
        await bob.sendFrame({ type: "send", room: "#secret", text });
        await bob.nextFrame((f) => f.type === "message" && f.text === text);
      }
      proxy.refusing = false;
      const back = await alice.waitFor(
        (e) => e.type === "joined" && e.rejoined && e.welcome.room === "#secret",
        "back in #secret",
      );
      assert(back.type === "joined");
      const history = welcomeHistory(back.welcome, back.records);
      assertEquals(history.kind, "catch-up");
      assertEquals(history.records.filter((r) => r.type === "message").map((r) => r.text), [
        "secret 1",
        "secret 2",
      ]);
      const refusals = alice.events.filter((e) => e.type === "reply" && e.frame.type === "error");
      assertEquals(refusals, [], "no key_needed");

      // Only in the private room now: the hello names no room (it could not give the key),
      // and the private room comes back by its join, caught up.
      alice.connection.send("/part #general", "#general");
      await alice.waitFor((e) => e.type === "parted", "parted");
      assertEquals(alice.connection.rooms, ["#secret"]);
      alice.events.length = 0;
      proxy.refusing = true;
      proxy.cut();
      await alice.waitFor((e) => e.type === "disconnected", "disconnect");
      await bob.sendFrame({ type: "send", room: "#secret", text: "secret 3" });
      await bob.nextFrame((f) => f.type === "message" && f.text === "secret 3");
      proxy.refusing = false;
      const again = await alice.waitFor(
        (e) => e.type === "joined" && e.rejoined && e.welcome.room === "#secret",
        "back in #secret again",
      );
      assert(again.type === "joined");
      assertEquals(messageTexts([again]), ["secret 3"]);
      assertEquals(
        alice.events.filter((e) => e.type === "reply" && e.frame.type === "error"),
        [],
      );
      bob.close();
    } finally {
      await alice.connection.quit();
      await proxy.close();
    }
  });
});

Deno.test("fetchOlder pages back through what was said before joining", async () => {
  await withServer(async (_server, port) => {
    const { client: bob } = await LineClient.join(port, "bob");
    for (let i = 1; i <= 12; i++) await bob.say(`m${i}`);
    await bob.nextFrame((f) => f.type === "message" && f.text === "m12");
    const alice = connect(port, "alice");
    try {
      await alice.connection.start();
      const joined = alice.events.find((e) => e.type === "joined");
      assert(joined?.type === "joined");
      assertEquals(joined.records.map((r) => r.type === "message" && r.text), [
        "m9",
        "m10",
        "m11",
        "m12",
      ]);
      const older = await alice.connection.fetchOlder(joined.records[0].id, 5);
      assertEquals(older.records.map((r) => r.type === "message" && r.text), [
        "m4",
        "m5",
        "m6",
        "m7",
        "m8",
      ]);
      assertEquals(older.more, true);
      const oldest = await alice.connection.fetchOlder(older.records[0].id, 5);
      assertEquals(oldest.records.filter((r) => r.type === "message").map((r) => r.text), [
        "m1",
        "m2",
        "m3",
      ]);
      assertEquals(oldest.more, false);
      assertEquals(
        messageTexts(alice.events),
        ["m9", "m10", "m11", "m12"],
        "older pages are not live records",
      );
      bob.close();
    } finally {
      await alice.connection.quit();
    }
  }, { historyOnJoin: 4, limits: { ratePerSecond: 1e6, rateBurst: 1e6 } });
});
