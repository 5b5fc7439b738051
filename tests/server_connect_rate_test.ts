/**
 * The per-address connection rate, over real TCP on loopback with the
 * server's clock injected (nothing sleeps): a reconnect loop's connections
 * past the rate are closed unread at accept time, while another address
 * joins and chats, and a person reconnecting a few times never notices.
 */

import { PROTOCOL_VERSION } from "../src/protocol/constants.ts";
import { DEFAULT_LIMITS } from "../src/protocol/limits.ts";
import { assert, assertEquals } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

const START = Date.UTC(2026, 0, 1);

/** One turn of a reconnect loop from 127.0.0.1: connect, hello, and what came back before the close. */
async function loopOnce(port: number, name: string): Promise<string[]> {
  const client = await LineClient.connect(port);
  await client.sendFrame({ type: "hello", version: PROTOCOL_VERSION, name });
  try {
    const answer = await client.nextFrame((f) => ["welcome", "bye"].includes(f.type));
    if (answer.type === "welcome") await client.sendFrame({ type: "quit" });
  } catch {
    // Closed without an answer: the transcript says so.
  }
  await client.waitForClose();
  client.close();
  return client.transcript;
}

/** Connects from ::1 (another address than 127.0.0.1) and joins as `name`. */
async function joinFromV6(port: number, name: string): Promise<LineClient> {
  const client = LineClient.over(await Deno.connect({ hostname: "::1", port }));
  await client.sendFrame({ type: "hello", version: PROTOCOL_VERSION, name });
  assertEquals((await client.nextFrame()).type, "welcome", `${name} joins from ::1`);
  return client;
}

const isMessage = (text: string) => (f: AnyFrame) => f.type === "message" && f.text === text;

Deno.test("a reconnect loop is cut at the connection rate at accept time (closed unread, logged once) while another address joins and chats", async () => {
  let now = START;
  const log: string[] = [];
  await withServer(async (server, port) => {
    const bob = await joinFromV6(port, "bob");
    const { connectBurst, connectsPerSecond, joinBurst } = DEFAULT_LIMITS;
    // The burst: every connection is answered as today (joins, then too_many_joins).
    for (let i = 0; i < connectBurst; i++) {
      const transcript = await loopOnce(port, `loop${i}`);
      const expected = i < joinBurst ? "welcome" : "bye";
      assertEquals(JSON.parse(transcript[0] ?? "{}").type, expected, `connection ${i + 1}`);
    }
    assertEquals(server.closedUnread, 0);
    // Past it, at the same instant: closed at once, nothing read, nothing written.
    for (let i = 0; i < 5; i++) {
      assertEquals(await loopOnce(port, `cut${i}`), [], `cut connection ${i + 1}`);
    }
    assertEquals(server.closedUnread, 5);
    const cutLines = log.filter((line) => line.includes("unread"));
    assertEquals(cutLines, [
      `Closing connections from 127.0.0.1 unread: more than ${connectsPerSecond} a second (logged once per address)`,
    ]);
    // Another address is untouched: it joins and chats.
    const carol = await joinFromV6(port, "carol");
    await carol.say("hello from carol");
    await bob.nextFrame(isMessage("hello from carol"));
    await bob.say("hi carol");
    await carol.nextFrame(isMessage("hi carol"));
    // A second later, the loop gets the steady rate's connections answered, and no more.
    now += 1000;
    for (let i = 0; i < connectsPerSecond; i++) {
      const transcript = await loopOnce(port, `later${i}`);
      assertEquals(JSON.parse(transcript[0] ?? "{}").code, "too_many_joins", `later ${i + 1}`);
    }
    assertEquals(await loopOnce(port, "cut-again"), []);
    assertEquals(server.closedUnread, 6);
    assertEquals(log.filter((line) => line.includes("unread")).length, 1, "logged once");
    for (const c of [bob, carol]) c.close();
  }, { hostname: "::", now: () => now, log: (line) => log.push(line) });
});

Deno.test("a person reconnecting a few times in a row is never cut by the connection rate", async () => {
  await withServer(async (server, port) => {
    const { client: bob } = await LineClient.join(port, "bob");
    for (let i = 0; i < 5; i++) {
      const { client: alice } = await LineClient.join(port, "alice");
      await alice.say(`back ${i}`);
      await bob.nextFrame(isMessage(`back ${i}`));
      alice.close();
      await bob.nextFrame((f) => f.type === "leave" && f.name === "alice");
    }
    assertEquals(server.closedUnread, 0);
    assert(server.connectionCount >= 1);
    bob.close();
  }, { now: () => START });
});

Deno.test("behind a trusted proxy (every connection from the proxy's address) there is no connection rate", async () => {
  await withServer(async (server, port) => {
    for (let i = 0; i < DEFAULT_LIMITS.connectBurst + 5; i++) {
      const transcript = await loopOnce(port, `via-proxy${i}`);
      assert(transcript.length > 0, `connection ${i + 1} was answered`);
    }
    assertEquals(server.closedUnread, 0);
  }, { now: () => START, trustProxy: true });
});
