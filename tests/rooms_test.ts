/**
 * Rooms over real TCP: separate rooms, members in several at once, plain
 * clients moving with /join, /rooms, /topic, /who and /part, per-room
 * catch-up, the migration of a history file written by the one-room release,
 * and the version mismatch sentences both ways.
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROTOCOL_VERSION } from "../src/protocol/constants.ts";
import { memoryStore } from "../src/server/room_store.ts";
import { openSqliteStore } from "../src/server/sqlite_store.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { chatCommand, runChat, startServe } from "./support/chat_process.ts";
import { tmuxAvailable, TmuxServer } from "./support/tmux.ts";
import { runConsoleLine } from "../src/server/operator_console.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { withScriptedServer } from "./support/scripted_server.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { withServer } from "./support/test_server.ts";

const UNLIMITED = { joinBurst: 1000, joinsPerMinute: 1000, rateBurst: 1000, ratePerSecond: 1000 };

/** Sends a line and waits for its echo in `room`. */
async function said(client: LineClient, text: string, room?: string): Promise<AnyFrame> {
  await client.sendFrame({ type: "send", text, ...(room ? { room } : {}) });
  return await client.nextFrame((f) => f.type === "message" && text.endsWith(f.text));
}

Deno.test("rooms are separate: a message in #a never reaches someone only in #b", async () => {
  await withServer(async (_server, port) => {
    const { client: alice, welcome } = await LineClient.join(port, "alice", { room: "#a" });
    assertEquals([welcome.room, welcome.members], ["#a", ["alice"]]);
    const { client: bob } = await LineClient.join(port, "bob", { room: "#b" });
    const { client: carol, welcome: general } = await LineClient.join(port, "carol");
    assertEquals(general.room, "#general", "everyone else starts in the default room");

    const inA = await said(alice, "only for #a");
    assertEquals(inA.room, "#a");
    const inB = await said(bob, "only for #b");
    assertEquals(inB.room, "#b");
    await said(carol, "only for #general");
    // Each sees its own room's message as the first message it gets: nothing from the others.
    await alice.say("/who");
    const who = await alice.nextFrame((f) => f.type === "members");
    assertEquals([who.room, who.members], ["#a", ["alice"]]);
    for (const [client, text] of [[alice, "only for #a"], [bob, "only for #b"]] as const) {
      const messages = client.transcript.filter((l) => l.includes('"type":"message"'));
      assertEquals(messages.length, 1, client.transcript.join("\n"));
      assertMatch(messages[0], new RegExp(text));
    }
    const carolMessages = carol.transcript.filter((l) => l.includes('"type":"message"'));
    assertEquals(carolMessages.length, 1);
    // Names are unique on the whole server, whatever the room.
    const taken = await LineClient.connect(port);
    await taken.sendFrame({ type: "hello", version: PROTOCOL_VERSION, name: "Alice", room: "#b" });
    assertEquals((await taken.nextFrame()).code, "name_taken");
    // Private messages are between people: across rooms, without a room.
    await bob.say("/msg alice hello from #b");
    const whisper = await alice.nextFrame((f) => f.type === "private");
    assertEquals([whisper.from, whisper.text, whisper.room], ["bob", "hello from #b", undefined]);
    for (const client of [alice, bob, carol, taken]) client.close();
  }, { limits: UNLIMITED });
});

Deno.test("a structured client in several rooms: join and part frames, messages per room", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice", { multiRoom: true });
    await alice.sendFrame({ type: "join", room: "#Homework" });
    const joined = await alice.nextFrame((f) => f.type === "joined");
    assertEquals([joined.room, joined.members], ["#Homework", ["alice"]]);
    const { client: bob } = await LineClient.join(port, "bob", { room: "#homework" });
    assertEquals(
      (await alice.nextFrame((f) => f.type === "join")).room,
      "#Homework",
      "room names are case-insensitive; the room keeps the name it was created with",
    );
    await said(bob, "in homework");
    const heard = await alice.nextFrame((f) => f.type === "message");
    assertEquals([heard.room, heard.text], ["#Homework", "in homework"]);
    // Sending to a room named in the frame; a room one is not in is refused.
    const sent = await said(alice, "back in general", "#general");
    assertEquals(sent.room, "#general");
    await alice.sendFrame({ type: "send", text: "nowhere", room: "#elsewhere" });
    assertEquals((await alice.nextFrame((f) => f.type === "error")).code, "not_in_room");
    await alice.sendFrame({ type: "join", room: "not a room!" });
    const invalid = await alice.nextFrame((f) => f.type === "error");
    assertEquals(invalid.code, "room_invalid");
    assertMatch(invalid.message, /# and 1 to 32 letters/);
    // Paging is per room.
    await alice.sendFrame({ type: "history", room: "#homework", after: 0, limit: 50 });
    const page = await alice.nextFrame((f) => f.type === "page");
    assertEquals(page.room, "#Homework");
    assert(page.records.every((r: AnyFrame) => r.room === "#Homework"));
    assert(page.records.some((r: AnyFrame) => r.text === "in homework"));
    assert(!page.records.some((r: AnyFrame) => r.text === "back in general"));
    await alice.sendFrame({ type: "part", room: "#homework" });
    assertEquals((await alice.nextFrame((f) => f.type === "parted")).room, "#Homework");
    const left = await bob.nextFrame((f) => f.type === "leave");
    assertEquals([left.name, left.count], ["alice", 1]);
    alice.close();
    bob.close();
  }, { limits: UNLIMITED });
});

Deno.test("a plain-text client moves with /join; /rooms, /topic, /who and /part", async () => {
  await withServer(async (_server, port) => {
    const { client: bob } = await LineClient.join(port, "bob");
    const plain = await LineClient.connect(port);
    await plain.sendLine("pat");
    assertMatch(
      await plain.nextLine((l) => l.startsWith("-- You are in")),
      /^-- You are in #general\./,
    );
    await plain.sendLine("/join #homework");
    assertMatch(
      await plain.nextLine((l) => l.startsWith("-- You are now in")),
      /^-- You are now in #homework\. 1 here: pat\.$/,
    );
    const left = await bob.nextFrame((f) => f.type === "leave");
    assertEquals([left.name, left.reason], ["pat", "went to #homework"]);
    await plain.sendLine("/topic chapter 4, exercises 1-3");
    await plain.nextLine((l) => l.includes("pat set the topic: chapter 4, exercises 1-3"));
    await plain.sendLine("done with 1");
    await plain.nextLine((l) => l.endsWith("pat: done with 1"));
    await plain.sendLine("/who");
    assertEquals(await plain.nextLine((l) => l.includes(" here: ")), "-- 1 here: pat");
    await plain.sendLine("/rooms");
    await plain.nextLine((l) => l === "-- Rooms:");
    assertEquals(await plain.nextLine(), "   #general: 1 here");
    assertEquals(
      await plain.nextLine(),
      "   #homework: 1 here (you are here) — chapter 4, exercises 1-3",
    );
    await plain.sendLine("/part");
    assertMatch(await plain.nextLine((l) => l.startsWith("!!")), /only room: \/join another/);
    // Someone joining sees the topic; the message said in #homework never reached #general.
    const { welcome } = await LineClient.join(port, "carol", { room: "#HOMEWORK" });
    assertEquals([welcome.room, welcome.topic], ["#homework", "chapter 4, exercises 1-3"]);
    assert(!bob.transcript.some((l) => l.includes("done with 1")));
    bob.close();
    plain.close();
  }, { limits: UNLIMITED });
});

Deno.test("per-room catch-up: coming back to a room gets exactly what was missed there", async () => {
  await withServer(async (_server, port) => {
    const { client: alice, welcome } = await LineClient.join(port, "alice", { room: "#homework" });
    const { client: bob } = await LineClient.join(port, "bob", { multiRoom: true });
    await bob.sendFrame({ type: "join", room: "#homework" });
    await bob.nextFrame((f) => f.type === "joined");
    const seen = await said(alice, "see you later");
    await alice.sendFrame({ type: "quit" });
    await alice.ended;
    for (const text of ["one", "two", "three"]) await said(bob, text, "#homework");
    await said(bob, "not for homework", "#general");
    const { client: back, welcome: again } = await LineClient.join(port, "alice", {
      resume: welcome.session,
      room: "#homework",
      since: seen.id,
      log: welcome.log,
    });
    assertEquals([again.room, again.catchUp], ["#homework", true]);
    const texts = again.history.filter((r: AnyFrame) => r.type === "message").map((r: AnyFrame) =>
      r.text
    );
    assertEquals(texts, ["one", "two", "three"]);
    assert(again.history.every((r: AnyFrame) => r.room === "#homework" && r.id > seen.id));
    back.close();
    bob.close();
  }, { store: memoryStore(100), limits: UNLIMITED });
});

const FIXTURE = fileURLToPath(new URL("./fixtures/main_history_v2.db", import.meta.url));
const FIXTURE_TOKENS = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/main_history_v2.json", import.meta.url)),
);

Deno.test("a history file written by the one-room release becomes #general's, nothing lost", async () => {
  // tests/fixtures/main_history_v2.db was written by chat serve of the release before rooms:
  // alice and bob talked, bob whispered to alice, bob left, alice left bob a message.
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    Deno.copyFileSync(FIXTURE, file);
    const store = openSqliteStore(file, { historyLimit: 100 });
    await withServer(async (_server, port) => {
      // bob comes back with his token and the place he had: a catch-up in #general.
      const { client: bob, welcome } = await LineClient.join(port, "bob", {
        resume: FIXTURE_TOKENS.bob,
        since: 5,
        log: FIXTURE_TOKENS.room,
      });
      assertEquals(
        [welcome.room, welcome.log, welcome.catchUp],
        ["#general", FIXTURE_TOKENS.room, true],
      );
      const shown = welcome.history.map((r: AnyFrame) =>
        r.type === "private" ? `${r.from}>${r.to}:${r.text}` : `${r.type}:${r.text ?? r.name}`
      );
      assertEquals(shown, [
        "bob>alice:psst, alice",
        "message:waves",
        "leave:bob",
        "alice>bob:a note for later",
        "message:last words",
        "leave:alice",
      ]);
      assertMatch(
        (await bob.nextFrame((f) => f.type === "info")).text,
        /While you were away, alice sent you a private message/,
      );
      // Ids continue after the migrated ones; the room is #general and is listed.
      const next = await said(bob, "after the upgrade");
      assertEquals([next.id, next.room], [13, "#general"], "bob's join was 12");
      await bob.say("/rooms");
      assertMatch((await bob.nextFrame((f) => f.type === "info")).text, /#general: 1 here/);
      // A newcomer sees the earlier conversation of the old room.
      const { welcome: carol } = await LineClient.join(port, "carol");
      assertEquals(
        carol.history.filter((r: AnyFrame) => r.type === "message").map((r: AnyFrame) => r.text),
        [
          "first from alice",
          "second from alice",
          "bob says hi",
          "waves",
          "last words",
          "after the upgrade",
        ],
      );
      bob.close();
    }, { store, limits: UNLIMITED });
  });
});

Deno.test("version mismatch: an older client is told to update itself", async () => {
  await withServer(async (_server, port) => {
    const old = await LineClient.connect(port);
    await old.sendFrame({ type: "hello", version: 1, name: "oldtimer" });
    const refused = await old.nextFrame();
    assertEquals([refused.type, refused.code, refused.version], [
      "error",
      "unsupported_version",
      PROTOCOL_VERSION,
    ]);
    assertEquals(
      refused.message,
      `This server runs a newer chat (protocol ${PROTOCOL_VERSION}, yours 1): update chat on your side to join.`,
    );
    old.close();
  });
});

Deno.test("version mismatch: chat join tells the person the server must be updated", async () => {
  // What the one-room release answers to a hello of another version, word for word.
  await withScriptedServer(async (_number, hello, conn) => {
    const refusal = {
      type: "error",
      code: "unsupported_version",
      message:
        `This server speaks protocol version 1, not ${hello.version}. Use a matching chat version.`,
    };
    await conn.write(new TextEncoder().encode(JSON.stringify(refusal) + "\n"));
  }, async (port) => {
    const result = await runChat(["join", "--name", "dora", `127.0.0.1:${port}`], { input: "" });
    assertEquals(result.code, 1, result.stdout + result.stderr);
    assertMatch(
      result.stdout + result.stderr,
      /The server runs an older chat \(protocol 1, this client 2\): ask whoever runs it to update chat/,
    );
  });
});

Deno.test("a multi-room member coming back is caught up in every room it was in", async () => {
  await withServer(async (_server, port) => {
    const { client: alice, welcome } = await LineClient.join(port, "alice", { multiRoom: true });
    await alice.sendFrame({ type: "join", room: "#homework" });
    await alice.nextFrame((f) => f.type === "joined");
    const lastGeneral = await said(alice, "bye for now", "#general");
    const lastHomework = await said(alice, "me too", "#homework");
    await alice.sendFrame({ type: "quit" });
    await alice.ended;
    const { client: bob } = await LineClient.join(port, "bob", { multiRoom: true });
    await bob.sendFrame({ type: "join", room: "#homework" });
    await bob.nextFrame((f) => f.type === "joined");
    for (const text of ["h1", "h2", "h3"]) await said(bob, text, "#homework");
    await said(bob, "g1", "#general");
    const { client: back, welcome: again } = await LineClient.join(port, "alice", {
      multiRoom: true,
      resume: welcome.session,
      log: welcome.log,
      room: "#general",
      since: lastGeneral.id,
      rooms: [{ room: "#homework", since: lastHomework.id }],
    });
    const texts = (history: AnyFrame[]) =>
      history.filter((r) => r.type === "message").map((r) => r.text);
    assertEquals([again.room, again.catchUp, texts(again.history)], ["#general", true, ["g1"]]);
    const homework = await back.nextFrame((f) => f.type === "joined");
    assertEquals([homework.room, homework.catchUp], ["#homework", true]);
    assertEquals(texts(homework.history), ["h1", "h2", "h3"], "#homework: 3 new messages");
    back.close();
    bob.close();
  }, { limits: UNLIMITED });
});

Deno.test({
  name: "per-room catch-up after the server is killed with SIGKILL and restarted",
  // The killed server's sockets end abruptly.
  sanitizeResources: false,
  async fn() {
    await withTempDir(async (dir) => {
      const flags = ["--data", dir, "--rate-limit", "1000000", "--rate-burst", "1000000"];
      const server = await startServe(flags);
      const { client: alice, welcome } = await LineClient.join(server.port, "alice", {
        room: "#homework",
      });
      const seen = await said(alice, "checkpoint");
      await alice.sendFrame({ type: "quit" });
      await alice.ended;
      const { client: bob } = await LineClient.join(server.port, "bob", { room: "#homework" });
      for (const text of ["one", "two", "three"]) await said(bob, text);
      const { client: carol } = await LineClient.join(server.port, "carol");
      await said(carol, "general chatter");
      server.child.kill("SIGKILL");
      await server.status;
      bob.close();
      carol.close();
      const restarted = await startServe(flags);
      try {
        const { client: back, welcome: again } = await LineClient.join(restarted.port, "alice", {
          resume: welcome.session,
          log: welcome.log,
          room: "#homework",
          since: seen.id,
        });
        assertEquals([again.room, again.catchUp, again.gap], ["#homework", true, undefined]);
        assertEquals(
          again.history.filter((r: AnyFrame) => r.type === "message").map((r: AnyFrame) => r.text),
          ["one", "two", "three"],
        );
        back.close();
      } finally {
        await restarted.stop();
      }
    });
  },
});

Deno.test("--rooms, --no-room-creation, the operator's /open and /close, and the caps", async () => {
  await withServer(async (server, port) => {
    const { client: alice } = await LineClient.join(port, "alice", { multiRoom: true });
    await alice.say("/rooms");
    assertMatch(
      (await alice.nextFrame((f) => f.type === "info")).text,
      /^Rooms:\n#general: 1 here \(you are here\)\n#homework: 0 here\n#random: 0 here$/,
    );
    await alice.sendFrame({ type: "join", room: "#new" });
    const refused = await alice.nextFrame((f) => f.type === "error");
    assertEquals(refused.code, "no_such_room");
    assertMatch(refused.message, /only the operator creates rooms/);
    assertEquals(runConsoleLine(server, "/open #new"), ["#new is open."]);
    await alice.sendFrame({ type: "join", room: "#new" });
    assertEquals((await alice.nextFrame((f) => f.type === "joined")).room, "#new");
    // Two rooms per member here: a third is refused with the way out.
    await alice.sendFrame({ type: "join", room: "#homework" });
    const full = await alice.nextFrame((f) => f.type === "error");
    assertEquals([full.code, full.message], [
      "too_many_rooms",
      "You can't be in #homework too: 2 rooms are the most one may be in; /part one first.",
    ]);
    // Four rooms on the server at most: #general, #homework, #random, #new.
    assertEquals(runConsoleLine(server, "/open #fifth"), [
      "!! #fifth can't be made: this server has 4 rooms, the most it allows; join one of them (/rooms lists them).",
    ]);
    // Closing a room moves its members out; a one-room plain member goes to #general.
    const plain = await LineClient.connect(port);
    await plain.sendLine("pat");
    await plain.sendLine("/join #new");
    await plain.nextLine((l) => l.startsWith("-- You are now in #new"));
    assertEquals(runConsoleLine(server, "/close #new"), [
      "#new is closed; its history is deleted.",
    ]);
    const parted = await alice.nextFrame((f) => f.type === "parted");
    assertEquals([parted.room, parted.reason], ["#new", "closed by the operator"]);
    assertEquals(
      await plain.nextLine((l) => l.startsWith("-- You left")),
      "-- You left #new: closed by the operator.",
    );
    assertMatch(await plain.nextLine(), /^-- You are now in #general\./);
    assertEquals(runConsoleLine(server, "/close #general"), [
      "!! #general is where everyone starts; it can't be closed.",
    ]);
    assert(runConsoleLine(server, "/rooms").join("\n").includes("#general: 2 here"));
    alice.close();
    plain.close();
  }, {
    limits: UNLIMITED,
    rooms: { preset: ["homework", "#random"], creation: false, maxRooms: 4, maxRoomsPerMember: 2 },
  });
});

Deno.test("a room nobody used for --room-expiry days is removed with its history", async () => {
  let now = Date.UTC(2026, 0, 1);
  const store = memoryStore(100);
  await withServer(async (server, port) => {
    const { client: alice } = await LineClient.join(port, "alice", { room: "#old" });
    await said(alice, "remember me");
    await said(alice, "stay here", "#old");
    await alice.sendFrame({ type: "quit" });
    await alice.ended;
    now += 29 * 24 * 60 * 60 * 1000;
    assertEquals(server.places.rooms.expire(), [], "29 days: kept");
    now += 2 * 24 * 60 * 60 * 1000;
    assertEquals(server.places.rooms.expire(), ["#old"]);
    assertEquals(server.places.rooms.list().map((r) => r.name), ["#general"]);
    assertEquals(store.roomHistory("#old").recent(10), [], "its history went with it");
    assert(store.roomHistory("#old").lastId() > 0, "but a new #old continues its ids");
  }, { store, now: () => now, rooms: { expiryDays: 30 } });
});

Deno.test("private rooms: the key, a wrong key, an invite; the creator operates the room", async () => {
  await withServer(async (_server, port) => {
    const { client: olga } = await LineClient.join(port, "olga", { multiRoom: true });
    await olga.say("/join #secret open-sesame");
    assertEquals((await olga.nextFrame((f) => f.type === "joined")).room, "#secret");
    const { client: pete } = await LineClient.join(port, "pete", { multiRoom: true });
    await pete.say("/join #secret");
    const needed = await pete.nextFrame((f) => f.type === "error");
    assertEquals(needed.code, "key_needed");
    assertMatch(needed.message, /#secret is private: join with its key/);
    await pete.say("/join #secret guess");
    assertEquals((await pete.nextFrame((f) => f.type === "error")).code, "wrong_key");
    await pete.sendFrame({ type: "join", room: "#secret", key: "open-sesame" });
    assertEquals((await pete.nextFrame((f) => f.type === "joined")).room, "#secret");
    // Only the operator kicks, changes the key and locks the topic.
    await pete.sendFrame({ type: "send", text: "/kick olga", room: "#secret" });
    assertEquals((await pete.nextFrame((f) => f.type === "error")).code, "not_room_operator");
    await olga.sendFrame({ type: "send", text: "/locktopic on", room: "#secret" });
    await olga.nextFrame((f) => f.type === "info" && f.text.includes("is locked"));
    await pete.sendFrame({ type: "send", text: "/topic mine now", room: "#secret" });
    assertMatch((await pete.nextFrame((f) => f.type === "error")).message, /topic .* is locked/);
    await olga.sendFrame({ type: "send", text: "/kick pete too chatty", room: "#secret" });
    const out = await pete.nextFrame((f) => f.type === "parted");
    assertEquals([out.room, out.reason], ["#secret", "kicked from #secret by olga: too chatty"]);
    const heard = await olga.nextFrame((f) => f.type === "leave" && f.room === "#secret");
    assertEquals([heard.name, heard.kind], ["pete", "kicked"]);
    // A new key: the old one no longer works; an invite lets quinn in without one.
    await olga.sendFrame({ type: "send", text: "/key new-key", room: "#secret" });
    await olga.nextFrame((f) => f.type === "info" && f.text.includes("is private"));
    await pete.say("/join #secret open-sesame");
    assertEquals((await pete.nextFrame((f) => f.type === "error")).code, "wrong_key");
    const { client: quinn } = await LineClient.join(port, "quinn");
    await olga.sendFrame({ type: "send", text: "/invite quinn", room: "#secret" });
    assertMatch(
      (await quinn.nextFrame((f) => f.type === "info")).text,
      /olga invited you to #secret/,
    );
    await quinn.say("/join #secret");
    assertEquals((await quinn.nextFrame((f) => f.type === "joined")).room, "#secret");
    // The server operator's kick is still the server-wide one.
    for (const client of [olga, pete, quinn]) client.close();
  }, { limits: UNLIMITED });
});

Deno.test("a private room keeps its key, operator and topic across a restart", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    let token = "";
    await withServer(async (_server, port) => {
      const { client: olga, welcome } = await LineClient.join(port, "olga");
      token = welcome.session;
      await olga.say("/join #vault k3y");
      await olga.nextFrame((f) => f.type === "joined");
      await olga.say("/topic the plans");
      await olga.nextFrame((f) => f.type === "notice");
      olga.close();
    }, { store: openSqliteStore(file, { historyLimit: 100 }), limits: UNLIMITED });
    assert(!Deno.readFileSync(file).toString().includes("k3y"));
    await withServer(async (_server, port) => {
      const { client: pete } = await LineClient.join(port, "pete");
      await pete.say("/join #vault");
      assertEquals((await pete.nextFrame((f) => f.type === "error")).code, "key_needed");
      await pete.say("/join #vault k3y");
      const joined = await pete.nextFrame((f) => f.type === "joined");
      assertEquals([joined.room, joined.topic], ["#vault", "the plans"]);
      // Olga, back with her token, is still its operator.
      const { client: olga } = await LineClient.join(port, "olga", { resume: token });
      await olga.say("/join #vault");
      await olga.nextFrame((f) => f.type === "joined");
      await olga.say("/kick pete");
      assertEquals((await pete.nextFrame((f) => f.type === "parted")).room, "#vault");
      pete.close();
      olga.close();
    }, { store: openSqliteStore(file, { historyLimit: 100 }), limits: UNLIMITED });
  });
});

Deno.test("a big room gathers joins and leaves into one record and sends counts, not lists, but not kicks", async () => {
  const later: Array<() => void> = [];
  await withServer(async (server, port) => {
    const clients: LineClient[] = [];
    for (const name of ["a1", "a2", "a3"]) clients.push((await LineClient.join(port, name)).client);
    const watcher = clients[0];
    // Three here: still one join record each.
    assertEquals((await watcher.nextFrame((f) => f.type === "join" && f.name === "a3")).count, 3);
    const { client: a4, welcome } = await LineClient.join(port, "a4");
    assertEquals([welcome.members, welcome.count], [["a4"], 4], "the count, not the list");
    const { client: a5 } = await LineClient.join(port, "a5");
    await a5.sendFrame({ type: "quit" });
    await a5.ended;
    assertEquals(later.length, 1, "one announcement scheduled for the whole gathering");
    later.shift()!();
    const presence = await watcher.nextFrame((f) => f.type === "presence");
    assertEquals([presence.joined, presence.left, presence.count], [["a4", "a5"], ["a5"], 4]);
    assert(!watcher.transcript.some((l) => l.includes('"name":"a4"')), "no join of its own");
    await watcher.say("/who");
    assertEquals((await watcher.nextFrame((f) => f.type === "members")).members.length, 4);
    // A kick is announced on its own with the server's reason, after what was gathered before it.
    const { client: a6 } = await LineClient.join(port, "a6");
    assertEquals(later.length, 1, "a6's join is being gathered");
    assertEquals(server.kick("a6", "spam"), undefined);
    await a6.ended;
    const gathered = await watcher.nextFrame((f) => f.type === "presence");
    assertEquals([gathered.joined, gathered.left], [["a6"], []]);
    const kicked = await watcher.nextFrame((f) => f.type === "leave");
    assertEquals([kicked.name, kicked.kind, kicked.reason, kicked.count], [
      "a6",
      "kicked",
      "kicked by the operator: spam",
      4,
    ]);
    later.shift()!(); // the gathering's own time comes: it was announced already
    await watcher.say("/who");
    await watcher.nextFrame((f) => f.type === "members");
    assertEquals(watcher.transcript.filter((l) => l.includes('"type":"presence"')).length, 2);
    for (const client of [...clients, a4]) client.close();
  }, {
    limits: UNLIMITED,
    rooms: { presence: { threshold: 3, intervalMs: 1000, schedule: (run) => later.push(run) } },
  });
});

Deno.test("chat join in a pipe adds a room with /join, and comes back to both rooms caught up", async () => {
  await withTempDir(async (dir) => {
    const env = { CHAT_DATA_DIR: dir };
    await withServer(async (_server, port) => {
      const { client: hw } = await LineClient.join(port, "helper", { room: "#homework" });
      const first = await runChat(["join", "--name", "pipe", `127.0.0.1:${port}`], {
        env,
        input: "/join #homework\nhi homework\n",
      });
      assertEquals(first.code, 0, first.stderr);
      assertMatch(first.stdout, /^-- You are in #general\./m);
      assertMatch(first.stdout, /^-- You are now in #homework\. 2 here: helper, pipe\.$/m);
      const heard = await hw.nextFrame((f) => f.type === "message" && f.from === "pipe");
      assertEquals([heard.text, heard.room], ["hi homework", "#homework"]);
      await said(hw, "while you were out");
      // The places saved are both rooms: the next run goes back to each and catches up there.
      const second = await runChat(["join", "--name", "pipe", `127.0.0.1:${port}`], {
        env,
        input: "",
      });
      assertEquals(second.code, 0, second.stderr);
      assertMatch(second.stdout, /^-- You are in #general\./m);
      assertMatch(second.stdout, /^\[#general\] -- No new messages since you left\.$/m);
      assertMatch(second.stdout, /^\[#homework\] -- 1 new message since you left:$/m);
      assertMatch(second.stdout, /^\[#homework\] \[\d\d:\d\d\] helper: while you were out$/m);
      hw.close();
    }, { limits: UNLIMITED });
  });
});

Deno.test("retention is per room: --history-limit keeps the newest of each room", async () => {
  await withTempDir(async (dir) => {
    const store = openSqliteStore(join(dir, "history.db"), { historyLimit: 5 });
    await withServer(async (_server, port) => {
      const { client: alice } = await LineClient.join(port, "alice", { multiRoom: true });
      await alice.sendFrame({ type: "join", room: "#quiet" });
      await alice.nextFrame((f) => f.type === "joined");
      await said(alice, "q1", "#quiet");
      await said(alice, "q2", "#quiet");
      for (let i = 1; i <= 12; i++) await said(alice, `busy ${i}`, "#general");
      const messages = (key: string) =>
        store.roomHistory(key).page({ after: 0, limit: 100 }, undefined).records
          .filter((r) => r.type === "message").map((r) => (r as { text: string }).text);
      // Retention runs in small steps on timers: wait for it (an event, with a deadline).
      const deadline = Date.now() + 5000;
      while (messages("#general").length > 5) {
        assert(Date.now() < deadline, `not trimmed: ${messages("#general")}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assertEquals(messages("#general"), ["busy 8", "busy 9", "busy 10", "busy 11", "busy 12"]);
      assertEquals(messages("#quiet"), ["q1", "q2"], "a quiet room keeps its own");
      alice.close();
    }, { store, limits: UNLIMITED });
  });
});

Deno.test({
  name: `the terminal client moves with /join: the room in the status bar, only its messages${
    tmuxAvailable() ? "" : " (ignored: tmux is not installed)"
  }`,
  ignore: !tmuxAvailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const tmux = new TmuxServer();
    const server = await startServe(["--rate-limit", "1000", "--rate-burst", "1000"]);
    try {
      const command = chatCommand(["join", "--name", "tess", `127.0.0.1:${server.port}`])
        .map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(" ");
      const tess = await tmux.open("tess", `${command}; sleep 600`, { columns: 80, rows: 20 }, {
        NO_COLOR: "",
      });
      await tess.waitFor("You are in #general.");
      assertMatch((await tess.screen()).at(-2)!, /tess @ 127\.0\.0\.1:\d+ #general/);
      const { client: hw } = await LineClient.join(server.port, "hal", { room: "#homework" });
      const { client: gen } = await LineClient.join(server.port, "gus");
      await tess.type("/join #homework");
      await tess.press("Enter");
      await tess.waitFor("You are now in #homework. 2 here: hal, tess");
      assertMatch((await tess.screen()).at(-2)!, /tess @ 127\.0\.0\.1:\d+ #homework .*2 here/);
      await said(gen, "only in general");
      await said(hw, "only in homework");
      await tess.waitFor("hal: only in homework");
      assert(!(await tess.screen()).join("\n").includes("only in general"));
      await tess.type("back to work");
      await tess.press("Enter");
      assertEquals(
        (await hw.nextFrame((f) => f.type === "message" && f.from === "tess")).text,
        "back to work",
      );
      hw.close();
      gen.close();
    } finally {
      await tmux.kill();
      await server.stop();
    }
  },
});

Deno.test("a command acts in the room its send names, not the room joined last", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice", { multiRoom: true });
    await alice.sendFrame({ type: "join", room: "#homework" });
    await alice.nextFrame((f) => f.type === "joined");
    // #homework is alice's current room (joined last); the page shows #general and sends there.
    await alice.sendFrame({ type: "send", text: "/topic general things", room: "#general" });
    const topic = await alice.nextFrame((f) => f.type === "notice");
    assertEquals([topic.room, topic.text], ["#general", "alice set the topic: general things"]);
    await alice.sendFrame({ type: "send", text: "/me waves", room: "#general" });
    const emote = await alice.nextFrame((f) => f.type === "message");
    assertEquals([emote.room, emote.emote], ["#general", true]);
    await alice.sendFrame({ type: "send", text: "/who", room: "#nowhere" });
    assertEquals((await alice.nextFrame((f) => f.type === "error")).code, "not_in_room");
    alice.close();
  }, { limits: UNLIMITED });
});

Deno.test("a refused join names its room: a join frame, a hello's room and its rooms", async () => {
  await withServer(async (_server, port) => {
    const { client: olga } = await LineClient.join(port, "olga", { multiRoom: true });
    await olga.sendFrame({ type: "join", room: "#secret", key: "open-sesame" });
    await olga.nextFrame((f) => f.type === "joined");
    const { client: pete } = await LineClient.join(port, "pete", { multiRoom: true });
    await pete.sendFrame({ type: "join", room: "#Secret", key: "guess" });
    const wrong = await pete.nextFrame((f) => f.type === "error");
    assertEquals([wrong.code, wrong.room], ["wrong_key", "#Secret"]);
    // Not a join: no room named.
    await pete.sendFrame({ type: "send", text: "/kick olga" });
    const notJoin = await pete.nextFrame((f) => f.type === "error");
    assertEquals([notJoin.code, notJoin.room], ["not_room_operator", undefined]);
    pete.close();
    // Coming back to rooms it can no longer enter: each refusal names the room it is about.
    const back = await LineClient.connect(port);
    await back.sendFrame({
      type: "hello",
      version: PROTOCOL_VERSION,
      name: "quinn",
      multiRoom: true,
      room: "#secret",
      rooms: [{ room: "#random" }, { room: "#SECRET" }],
    });
    const frames: AnyFrame[] = [];
    while (frames.filter((f) => f.type === "error").length < 2) frames.push(await back.nextFrame());
    const refusals = frames.filter((f) => f.type === "error").map((f) => [f.code, f.room]);
    assertEquals(refusals, [["key_needed", "#secret"], ["key_needed", "#SECRET"]]);
    assertEquals(frames[0].type, "welcome", "an error before the welcome reads as the hello's");
    assertEquals(frames[0].room, "#general");
    back.close();
    olga.close();
  }, { limits: UNLIMITED });
});
