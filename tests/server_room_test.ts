/**
 * The room over real TCP: two structured clients and one plain-text client
 * chat, rename, whisper and leave; the server announces what happens exactly once.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

Deno.test("plain-text client is greeted, asked for a name, and retries a taken one", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const plain = await LineClient.connect(port);
    assertMatch(await plain.nextLine(), /^Welcome to chat!/);
    await plain.nextLine((l) => l.startsWith("Type your name"));
    await plain.sendLine("ALICE");
    assertMatch(await plain.nextLine((l) => l.startsWith("!!")), /already called "alice"/);
    await plain.nextLine((l) => l === "Type another name:");
    await plain.sendLine("carol");
    assertMatch(
      await plain.nextLine((l) => l.startsWith("-- Welcome")),
      /Welcome, carol! 2 here: alice, carol/,
    );
    const joined = await alice.nextFrame((f) => f.type === "join" && f.name !== "alice");
    assertEquals([joined.name, joined.count], ["carol", 2]);
    alice.close();
    plain.close();
  });
});

Deno.test("structured join: welcome lists members; a taken name gets an error and another try", async () => {
  await withServer(async (_server, port) => {
    const { client: alice, welcome } = await LineClient.join(port, "alice");
    assertEquals(welcome.members, ["alice"]);
    assertEquals(welcome.version, 2);
    assert(typeof welcome.session === "string" && welcome.session.length > 10);
    const other = await LineClient.connect(port);
    await other.sendFrame({ type: "hello", version: 2, name: "Alice" });
    const error = await other.nextFrame();
    assertEquals(error.type, "error");
    assertEquals(error.code, "name_taken");
    await other.sendFrame({ type: "hello", version: 2, name: "bob" });
    const second = await other.nextFrame((f) => f.type === "welcome");
    assertEquals(second.members, ["alice", "bob"]);
    alice.close();
    other.close();
  });
});

Deno.test("messages reach everyone, the sender included, with increasing ids", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    const plain = await LineClient.connect(port);
    await plain.sendLine("carol");
    await plain.nextLine((l) => l.startsWith("-- Welcome"));
    await alice.nextFrame((f) => f.type === "join" && f.name === "carol");
    await bob.nextFrame((f) => f.type === "join" && f.name === "carol");

    await alice.say("first");
    await bob.say("second");
    await plain.sendLine("third");
    for (const client of [alice, bob]) {
      const got = [];
      for (let i = 0; i < 3; i++) got.push(await client.nextFrame((f) => f.type === "message"));
      assertEquals(got.map((f) => `${f.from}:${f.text}`), [
        "alice:first",
        "bob:second",
        "carol:third",
      ]);
      assert(got[0].id < got[1].id && got[1].id < got[2].id, "ids increase");
      assert(got.every((f) => typeof f.ts === "number" && Math.abs(f.ts - Date.now()) < 60_000));
    }
    assertMatch(await plain.nextLine((l) => l.includes("alice:")), /^\[\d\d:\d\d\] alice: first$/);
    assertMatch(await plain.nextLine((l) => l.includes("bob:")), /^\[\d\d:\d\d\] bob: second$/);
    assertMatch(await plain.nextLine((l) => l.includes("carol:")), /^\[\d\d:\d\d\] carol: third$/);
    for (const c of [alice, bob, plain]) c.close();
  });
});

Deno.test("/msg goes to one member and a copy to the sender; others see nothing", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    const { client: carol } = await LineClient.join(port, "carol");
    await alice.say("/msg BOB psst, a secret");
    for (const client of [alice, bob]) {
      const whisper = await client.nextFrame((f) => f.type === "private");
      assertEquals([whisper.from, whisper.to, whisper.text], ["alice", "bob", "psst, a secret"]);
    }
    await alice.say("/msg nobody-here hi");
    const error = await alice.nextFrame((f) => f.type === "error");
    assertEquals(error.code, "no_such_member");
    await alice.say("/msg bob");
    assertEquals((await alice.nextFrame((f) => f.type === "error")).code, "bad_arguments");
    await alice.say("public again");
    const next = await carol.nextFrame((f) => f.type === "message" || f.type === "private");
    assertEquals([next.type, next.text], ["message", "public again"]);
    for (const c of [alice, bob, carol]) c.close();
  });
});

Deno.test("/nick renames and announces; /me is an emote; /who lists members", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    await alice.say("/nick Alicia");
    const nick = await bob.nextFrame((f) => f.type === "nick");
    assertEquals([nick.from, nick.to], ["alice", "Alicia"]);
    await bob.say("/nick alicia");
    assertEquals((await bob.nextFrame((f) => f.type === "error")).code, "name_taken");
    await alice.say("/me waves");
    const emote = await bob.nextFrame((f) => f.type === "message");
    assertEquals([emote.from, emote.text, emote.emote], ["Alicia", "waves", true]);
    await bob.say("/who");
    assertEquals((await bob.nextFrame((f) => f.type === "members")).members, ["Alicia", "bob"]);
    await bob.say("/names");
    assertEquals((await bob.nextFrame((f) => f.type === "members")).members, ["Alicia", "bob"]);
    await bob.say("/help");
    const help = await bob.nextFrame((f) => f.type === "info");
    for (const command of ["/help", "/who", "/me", "/msg", "/nick", "/quit"]) {
      assert(help.text.includes(command), `help mentions ${command}`);
    }
    await bob.say("/dance");
    assertEquals((await bob.nextFrame((f) => f.type === "error")).code, "unknown_command");
    await bob.say("//dance is not a command");
    assertEquals(
      (await alice.nextFrame((f) => f.type === "message" && f.from === "bob")).text,
      "/dance is not a command",
    );
    alice.close();
    bob.close();
  });
});

Deno.test("/quit and {quit} say goodbye and are announced once", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    const plain = await LineClient.connect(port);
    await plain.sendLine("carol");
    await alice.nextFrame((f) => f.type === "join" && f.name === "carol");

    await bob.say("/quit");
    assertEquals((await bob.nextFrame((f) => f.type === "bye")).code, "quit");
    await bob.waitForClose();
    await plain.sendLine("{quit}");
    await plain.nextLine((l) => l === "-- Goodbye!");
    await plain.waitForClose();

    const leaves = [];
    leaves.push(await alice.nextFrame((f) => f.type === "leave"));
    leaves.push(await alice.nextFrame((f) => f.type === "leave"));
    assertEquals(leaves.map((f) => [f.name, f.count]), [["bob", 2], ["carol", 1]]);
    await alice.say("/who");
    assertEquals((await alice.nextFrame((f) => f.type === "members")).members, ["alice"]);
    assertEquals(alice.transcript.filter((l) => l.includes('"leave"')).length, 2, "each once");
    alice.close();
  });
});

Deno.test("an abrupt disconnect is announced exactly once", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const victim = await Deno.connect({ hostname: "127.0.0.1", port });
    await victim.write(new TextEncoder().encode('{"type":"hello","version":2,"name":"bob"}\n'));
    await alice.nextFrame((f) => f.type === "join" && f.name === "bob");
    // SO_LINGER 0 is not exposed; closing with unread data pending makes the kernel send RST.
    await alice.say("something for bob to leave unread");
    await alice.nextFrame((f) => f.type === "message");
    victim.close();
    const leave = await alice.nextFrame((f) => f.type === "leave");
    assertEquals(leave.name, "bob");
    assertEquals(leave.count, 1);
    await alice.say("/who");
    await alice.nextFrame((f) => f.type === "members");
    assertEquals(alice.transcript.filter((l) => l.includes('"leave"')).length, 1);
    alice.close();
  });
});

Deno.test("server shutdown tells every client and closes the connections", async () => {
  const { ChatServer } = await import("../src/server/chat_server.ts");
  const server = new ChatServer({ hostname: "127.0.0.1", port: 0 });
  const port = server.addr.port;
  const { client: alice } = await LineClient.join(port, "alice");
  const plain = await LineClient.connect(port);
  await plain.sendLine("carol");
  await plain.nextLine((l) => l.startsWith("-- Welcome"));
  await server.shutdown();
  const bye = await alice.nextFrame((f) => f.type === "bye");
  assertEquals(bye.code, "shutdown");
  await alice.waitForClose();
  assertMatch(
    await plain.nextLine((l) => l.includes("shutting down")),
    /^-- The server is shutting down/,
  );
  await plain.waitForClose();
  assertEquals(alice.transcript.filter((l) => l.includes('"leave"')).length, 0);
});

Deno.test("newcomers see recent messages; a reconnect with resume and since catches up exactly", async () => {
  await withServer(async (_server, port) => {
    const { client: alice, welcome: aliceWelcome } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    await alice.say("one");
    // Ids are per room: the catch-up counts from the last record of the room seen.
    const lastSeen = await alice.nextFrame((f) => f.type === "message" && f.text === "one");
    await bob.say("/msg alice secret for alice");
    await alice.nextFrame((f) => f.type === "private");

    // A newcomer gets the public messages only.
    const { client: carol, welcome } = await LineClient.join(port, "carol");
    assertEquals(welcome.catchUp, false);
    assertEquals(welcome.history.map((r: { text: string }) => r.text), ["one"]);

    // Alice's connection is still open (the server has not noticed it died): resume takes over.
    await bob.say("two");
    await bob.say("three");
    await bob.nextFrame((f) => f.type === "message" && f.text === "three");
    const { client: alice2, welcome: resumed } = await LineClient.join(port, "alice", {
      resume: aliceWelcome.session,
      since: lastSeen.id,
      log: aliceWelcome.log,
    });
    assertEquals(resumed.catchUp, true);
    assertEquals(
      resumed.history.filter((r: { type: string }) => r.type === "message").map((
        r: { text: string },
      ) => r.text),
      ["two", "three"],
    );
    assert(resumed.history.every((r: { id: number }) => r.id > lastSeen.id));
    assertEquals((await alice.nextFrame((f) => f.type === "bye")).code, "replaced");
    await alice.waitForClose();
    await bob.say("four");
    assertEquals((await alice2.nextFrame((f) => f.type === "message")).text, "four");
    // Nobody saw alice leave or join again (carol has everything up to "four").
    await carol.nextFrame((f) => f.type === "message" && f.text === "four");
    assertEquals(carol.transcript.filter((l) => l.includes('"name":"alice"')).length, 0);

    // Without the token the name stays taken.
    const impostor = await LineClient.connect(port);
    await impostor.sendFrame({
      type: "hello",
      version: 2,
      name: "alice",
      since: 0,
      log: welcome.log,
    });
    assertEquals((await impostor.nextFrame()).code, "name_taken");
    for (const c of [alice, alice2, bob, carol, impostor]) c.close();
  });
});
