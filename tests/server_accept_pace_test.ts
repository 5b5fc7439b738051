/**
 * The server-wide budget of turned-away connections, over real TCP on
 * loopback with the server's clock injected: once a reconnect loop has used
 * it up, the server takes new connections only as the clock refills it (the
 * rest wait in the kernel's backlog), while the members already in chat on.
 */

import { PROTOCOL_VERSION } from "../src/protocol/constants.ts";
import { DEFAULT_LIMITS } from "../src/protocol/limits.ts";
import { assertEquals } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

const START = Date.UTC(2026, 0, 1);
const TURN_AWAYS_PER_SECOND = 50;

const isMessage = (text: string) => (f: AnyFrame) => f.type === "message" && f.text === text;

/** A connection from 127.0.0.1 that says hello; its transcript once the server has closed it. */
async function closedUnread(port: number, name: string): Promise<string[]> {
  const client = await LineClient.connect(port);
  await client.sendFrame({ type: "hello", version: PROTOCOL_VERSION, name });
  await client.waitForClose();
  client.close();
  return client.transcript;
}

Deno.test("past the turn-away budget, new connections are accepted at its pace while members chat on", async () => {
  let now = START;
  let paused = () => {};
  const pause = new Promise<void>((resolve) => paused = resolve);
  const log: string[] = [];
  await withServer(async (server, port) => {
    // bob is in the room (from ::1) before the loop starts.
    const bob = LineClient.over(await Deno.connect({ hostname: "::1", port }));
    await bob.sendFrame({ type: "hello", version: PROTOCOL_VERSION, name: "bob" });
    assertEquals((await bob.nextFrame()).type, "welcome");
    // Each address may connect twice; then 127.0.0.1's connections are closed
    // unread, each one turned away, until the budget is used up.
    const firstTwo = [await LineClient.connect(port), await LineClient.connect(port)];
    for (let i = 0; i < TURN_AWAYS_PER_SECOND; i++) {
      assertEquals(await closedUnread(port, `loop${i}`), [], `connection ${i + 1} is cut`);
    }
    assertEquals(server.closedUnread, TURN_AWAYS_PER_SECOND);
    // The next connection waits in the backlog: the accept loop pauses and says so.
    const waiting = closedUnread(port, "waiting");
    await Promise.race([
      pause,
      waiting.then(() =>
        Promise.reject(new Error("the connection past the budget was taken at once"))
      ),
    ]);
    assertEquals(
      log.filter((line) => line.startsWith("Turning away")),
      [
        `Turning away more than ${TURN_AWAYS_PER_SECOND} connections a second: new connections are ` +
        "accepted more slowly until that stops (logged every 10 minutes at most).",
      ],
    );
    // The room goes on meanwhile.
    await bob.say("still here");
    await bob.nextFrame(isMessage("still here"));
    assertEquals(
      server.closedUnread,
      TURN_AWAYS_PER_SECOND,
      "the waiting connection is not taken yet",
    );
    // A newcomer from another address waits behind it, and is let in as the budget refills.
    const carolConnecting = Deno.connect({ hostname: "::1", port });
    now += 1000 / TURN_AWAYS_PER_SECOND;
    assertEquals(await waiting, [], "taken once the clock moved on, and cut");
    assertEquals(server.closedUnread, TURN_AWAYS_PER_SECOND + 1);
    now += 1000 / TURN_AWAYS_PER_SECOND;
    const carol = LineClient.over(await carolConnecting);
    await carol.sendFrame({ type: "hello", version: PROTOCOL_VERSION, name: "carol" });
    assertEquals((await carol.nextFrame()).type, "welcome");
    await carol.say("made it");
    await bob.nextFrame(isMessage("made it"));
    for (const c of [bob, carol, ...firstTwo]) c.close();
  }, {
    hostname: "::",
    now: () => now,
    limits: { connectBurst: 2, turnAwaysPerSecond: TURN_AWAYS_PER_SECOND },
    log: (line) => {
      log.push(line);
      if (line.startsWith("Turning away")) paused();
    },
  });
});

Deno.test("members let in cost nothing from the turn-away budget: a crowd reconnecting is not paced", async () => {
  const crowd = DEFAULT_LIMITS.turnAwaysPerSecond + 20;
  // With the clock stopped a paced accept loop would wait for ever: fail at once instead.
  let paced: (error: Error) => void = () => {};
  const pacing = new Promise<never>((_, reject) => paced = reject);
  await withServer(async (_server, port) => {
    const members: LineClient[] = [];
    const joinAll = async () => {
      for (let i = 0; i < crowd; i++) members.push((await LineClient.join(port, `m${i}`)).client);
    };
    try {
      await Promise.race([joinAll(), pacing]);
    } finally {
      for (const member of members) member.close();
    }
    assertEquals(members.length, crowd);
  }, {
    now: () => START,
    limits: { maxConnectionsPerAddress: crowd, joinBurst: crowd, connectBurst: crowd },
    log: (line) => {
      if (line.startsWith("Turning away")) paced(new Error(`paced after ${crowd} joins: ${line}`));
    },
  });
});
