/**
 * Bad input over real TCP: each kind gets its exact outcome, and the other
 * members keep chatting as if nothing happened.
 */

import { ChatServer } from "../src/server/chat_server.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";
import { reservePort } from "./support/chat_process.ts";

// Anything a terminal would act on: C0/C1 controls (newline aside), DEL, bidi controls.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** Alice and bob, joined; every test checks they still chat after the bad input. */
async function bystanders(port: number) {
  const { client: alice } = await LineClient.join(port, "alice");
  const { client: bob } = await LineClient.join(port, "bob");
  await alice.nextFrame((f) => f.type === "join" && f.name === "bob");
  return {
    alice,
    bob,
    /** Asserts a message from alice reaches bob (and nothing went missing). */
    async stillChatting(text = `still here ${crypto.randomUUID()}`) {
      await alice.say(text);
      const got = await bob.nextFrame((f) => f.type === "message" && f.from === "alice");
      assertEquals(got.text, text);
    },
    close() {
      alice.close();
      bob.close();
    },
  };
}

async function errorCodeFor(client: LineClient, line: string): Promise<AnyFrame> {
  await client.sendLine(line);
  return await client.nextFrame((f) => f.type === "error");
}

Deno.test("invalid JSON, unknown types and wrong field types get error frames; the connection stays", async () => {
  await withServer(async (_server, port) => {
    const room = await bystanders(port);
    const { client: mallory } = await LineClient.join(port, "mallory");
    const cases: Array<[string, string]> = [
      ["{this is not json", "bad_frame"],
      ['["an","array"]', "bad_frame"],
      ['{"no":"type"}', "bad_frame"],
      ['{"type":"teleport"}', "unknown_type"],
      ['{"type":"send","text":{"nested":true}}', "bad_field"],
      ['{"type":"send","text":12345678901234567890}', "bad_field"],
      ["[".repeat(5000) + "]".repeat(5000), "bad_frame"],
      ['{"type":"hello","version":2,"name":"again"}', "already_joined"],
    ];
    for (const [line, expected] of cases) {
      const error = await errorCodeFor(mallory, line);
      assertEquals(error.code, expected, `for ${line.slice(0, 40)}`);
      assert(error.message.length > 10, "the error explains itself");
    }
    await mallory.say("mallory behaves now");
    const got = await room.bob.nextFrame((f) => f.type === "message" && f.from === "mallory");
    assertEquals(got.text, "mallory behaves now");
    await room.stillChatting();
    mallory.close();
    room.close();
  }, { limits: { rateBurst: 20 } }); // the 10,000-character line alone costs ten lines
});

Deno.test("frames before hello, a wrong version, and empty or too long messages are refused", async () => {
  await withServer(async (_server, port) => {
    const room = await bystanders(port);
    const early = await LineClient.connect(port);
    await early.sendFrame({ type: "ping", data: "x" });
    assertEquals((await early.nextFrame()).type, "pong");
    assertEquals((await errorCodeFor(early, '{"type":"send","text":"hi"}')).code, "not_joined");
    const wrongVersion = await errorCodeFor(early, '{"type":"hello","version":99,"name":"eve"}');
    assertEquals(wrongVersion.code, "unsupported_version");
    await early.sendFrame({ type: "hello", version: 2, name: "eve" });
    await early.nextFrame((f) => f.type === "welcome");
    assertEquals((await errorCodeFor(early, '{"type":"send","text":"   "}')).code, "empty_message");
    const long = "x".repeat(4001);
    const tooLong = await errorCodeFor(early, JSON.stringify({ type: "send", text: long }));
    assertEquals(tooLong.code, "message_too_long");
    assertMatch(tooLong.message, /4001 characters; the limit is 4000/);
    await room.stillChatting();
    assertEquals(room.bob.transcript.filter((l) => l.includes("xxxx")), []);
    early.close();
    room.close();
  });
});

Deno.test("a line over the cap closes only that connection, with a reason", async () => {
  await withServer(async (_server, port) => {
    const room = await bystanders(port);
    const { client: mallory } = await LineClient.join(port, "mallory");
    await mallory.sendRaw(JSON.stringify({ type: "send", text: "y".repeat(20_000) }) + "\n");
    const bye = await mallory.nextFrame((f) => f.type === "bye");
    assertEquals(bye.code, "line_too_long");
    assertMatch(bye.message, /16384 bytes/);
    await mallory.waitForClose();
    const leave = await room.alice.nextFrame((f) => f.type === "leave");
    assertEquals([leave.name, leave.reason], ["mallory", "sent a line that was too long"]);
    await room.stillChatting();
    room.close();
  }, { limits: { maxLineBytes: 16384 } });
});

Deno.test("a line that never ends is cut off at the cap: memory does not grow with it", async () => {
  await withServer(async (server, port) => {
    const room = await bystanders(port);
    const endless = await LineClient.connect(port);
    const chunk = "z".repeat(4096);
    let sent = 0;
    try {
      while (sent < 1024 * 1024) {
        await endless.sendRaw(chunk);
        sent += chunk.length;
      }
    } catch {
      // The server closed the connection while we were still sending: expected.
    }
    await endless.waitForClose();
    assert(endless.transcript.some((l) => l.includes("longer than 2048 bytes")));
    await room.stillChatting();
    assertEquals(server.connectionCount, 2);
    room.close();
  }, { limits: { maxLineBytes: 2048 } });
});

Deno.test("escape sequences and control characters never reach other members", async () => {
  await withServer(async (_server, port) => {
    const room = await bystanders(port);
    const plain = await LineClient.connect(port);
    await plain.sendLine("carol");
    await plain.nextLine((l) => l.startsWith("-- Welcome"));

    const hostile =
      "\x1b[2J\x1b[31mred\x1b[0m \x1b]0;title\x07bell\x07 \u202eesrever\u202c back\rspace";
    await room.alice.say(hostile);
    const got = await room.bob.nextFrame((f) => f.type === "message" && f.from === "alice");
    assertEquals(got.text, "red bell esrever back\nspace");
    const line = await plain.nextLine((l) => l.includes("alice:"));
    assertMatch(line, /alice: red bell esrever back$/);
    assertEquals(await plain.nextLine(), " ".repeat("[00:00] alice: ".length) + "space");
    for (const text of plain.transcript) assert(!UNSAFE.test(text), JSON.stringify(text));
    for (const line of room.bob.transcript) {
      assert(!/\\u00(0[0-9]|1[0-9a-f]|7f)|\\u20(2[a-e]|6[6-9])/i.test(line), line);
    }
    // The plain client's raw bytes, too: no ESC anywhere.
    await plain.sendLine("\x1b[1;1Hplain \x1b]2;x\x07sneaky\x00");
    const relayed = await room.bob.nextFrame((f) => f.type === "message" && f.from === "carol");
    assertEquals(relayed.text, "plain sneaky");
    await room.stillChatting();
    plain.close();
    room.close();
  });
});

Deno.test("names with escape sequences, controls or invisible characters are refused; a retry works", async () => {
  await withServer(async (_server, port) => {
    const room = await bystanders(port);
    const client = await LineClient.connect(port);
    await client.sendFrame({ type: "hello", version: 2, name: "n".repeat(25) });
    const tooLong = await client.nextFrame();
    assertEquals([tooLong.code, tooLong.message], [
      "name_invalid",
      "That name is 25 characters long; the limit is 24.",
    ]);
    for (const name of ["\x1b[31mred", "tab\tname", "zero\u200bwidth", "rtl\u202eevil", "Server"]) {
      await client.sendFrame({ type: "hello", version: 2, name });
      const error = await client.nextFrame();
      assertEquals(error.type, "error");
      assert(["name_invalid", "name_reserved"].includes(error.code), error.code);
    }
    const plain = await LineClient.connect(port);
    await plain.sendLine("evil\x1b[2Jname");
    assertMatch(await plain.nextLine((l) => l.startsWith("!!")), /spaces, control or invisible/);
    await plain.sendLine("fine");
    await plain.nextLine((l) => l.startsWith("-- Welcome, fine!"));
    await room.stillChatting();
    assertEquals(room.alice.transcript.filter((l) => l.includes("red")).length, 0);
    client.close();
    plain.close();
    room.close();
  });
});

Deno.test("invalid UTF-8 is replaced, not fatal, for plain and structured clients", async () => {
  await withServer(async (_server, port) => {
    const room = await bystanders(port);
    const plain = await LineClient.connect(port);
    await plain.sendLine("dave");
    await plain.nextLine((l) => l.startsWith("-- Welcome"));
    await plain.sendRaw(Uint8Array.of(0x6f, 0x6b, 0x20, 0xc3, 0x28, 0xff, 0x0a));
    const fromPlain = await room.bob.nextFrame((f) => f.type === "message" && f.from === "dave");
    assertEquals(fromPlain.text, "ok \ufffd(\ufffd");
    const utf8 = new TextEncoder();
    const withBadByte = new Uint8Array([
      ...utf8.encode('{"type":"send","text":"x'),
      0xfe,
      ...utf8.encode('"}\n'),
    ]);
    await room.alice.sendRaw(withBadByte);
    const fromJson = await room.bob.nextFrame((f) => f.type === "message" && f.from === "alice");
    assertEquals(fromJson.text, "x\ufffd");
    await room.alice.sendFrame({ type: "send", text: "lone \ud800 surrogate" });
    const surrogate = await room.bob.nextFrame((f) => f.type === "message" && f.from === "alice");
    assertEquals(surrogate.text, "lone \ufffd surrogate");
    await room.stillChatting();
    plain.close();
    room.close();
  });
});

Deno.test("a plain client that writes without newlines: a pause ends the line", async () => {
  await withServer(async (_server, port) => {
    const room = await bystanders(port);
    const script = await LineClient.connect(port);
    await script.sendRaw("erin");
    // Its output comes one event per write, without line endings (tests/server_newline_less_test.ts).
    await room.bob.nextFrame((f) => f.type === "join" && f.name === "erin");
    await script.sendRaw("one message per write");
    const got = await room.bob.nextFrame((f) => f.type === "message" && f.from === "erin");
    assertEquals(got.text, "one message per write");
    await room.stillChatting();
    script.close();
    room.close();
  });
});

Deno.test("a connection that never chooses a name is closed after the handshake timeout", async () => {
  await withServer(async (server, port) => {
    const room = await bystanders(port);
    const silent = await LineClient.connect(port);
    await silent.nextLine((l) => l.startsWith("Welcome to chat!"));
    await silent.waitForClose(5000);
    assert(silent.transcript.some((l) => l.includes("No name was chosen within 1 seconds")));
    assertEquals(server.connectionCount, 2);
    await room.stillChatting();
    room.close();
  }, { limits: { handshakeTimeoutMs: 1000 } });
});

Deno.test("a client that stops reading is dropped; everyone else gets every message", async () => {
  await withServer(async (_server, port) => {
    const room = await bystanders(port);
    const sleeper = await Deno.connect({ hostname: "127.0.0.1", port });
    await sleeper.write(
      new TextEncoder().encode('{"type":"hello","version":2,"name":"sleeper"}\n'),
    );
    await room.alice.nextFrame((f) => f.type === "join" && f.name === "sleeper");
    const text = "m".repeat(3000);
    let dropped: AnyFrame | undefined;
    // Alice watches for the departure; bob's lines are kept to check every message arrived.
    const watcher = room.alice.nextFrame((f) => f.type === "leave" && f.name === "sleeper", 60_000)
      .then((f) => dropped = f);
    let sent = 0;
    while (!dropped && sent < 20_000) {
      await room.alice.say(`${sent} ${text}`);
      sent++;
      if (sent % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await watcher;
    assertEquals(dropped?.reason, "too slow (stopped reading)");
    // Bob received every message alice sent, in order.
    for (let i = 0; i < sent; i++) {
      const got = await room.bob.nextFrame((f) => f.type === "message", 20_000);
      assertEquals(got.text.split(" ")[0], String(i));
    }
    await room.stillChatting();
    sleeper.close();
    room.close();
  }, { limits: { maxQueueBytes: 256 * 1024, rateBurst: 1e6, ratePerSecond: 1e6 } });
});

Deno.test("a restart on the same port works at once (address reuse)", async () => {
  const first = new ChatServer({ hostname: "127.0.0.1", port: reservePort() });
  const port = first.addr.port;
  const { client } = await LineClient.join(port, "alice");
  await first.shutdown();
  await client.waitForClose();
  const second = new ChatServer({ hostname: "127.0.0.1", port });
  try {
    const { welcome } = await LineClient.join(port, "alice");
    assertEquals(welcome.name, "alice");
  } finally {
    await second.shutdown();
  }
});
