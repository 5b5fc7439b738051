/**
 * Creating rooms is rate-limited per member and per address, so nobody can
 * fill `--max-rooms` in a loop and lock everyone else out of creating rooms;
 * the cap itself still says so clearly, and the operator is never limited.
 * Over real TCP, with an injected clock.
 */

import { runConsoleLine } from "../src/server/operator_console.ts";
import { PROTOCOL_VERSION } from "../src/protocol/constants.ts";
import { assertEquals, assertMatch } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

const UNLIMITED = { joinBurst: 1000, joinsPerMinute: 1000, rateBurst: 1000, ratePerSecond: 1000 };

/** Asks to go to `room`; the `joined` frame or the error. */
async function go(client: LineClient, room: string): Promise<AnyFrame> {
  await client.say(`/join ${room}`);
  return await client.nextFrame((f) => f.type === "joined" || f.type === "error");
}

Deno.test("one member creates 5 rooms at once, then one every 6 minutes", async () => {
  let now = Date.UTC(2026, 0, 1);
  await withServer(async (server, port) => {
    const { client: mallory } = await LineClient.join(port, "mallory");
    for (let i = 1; i <= 5; i++) assertEquals((await go(mallory, `#r${i}`)).room, `#r${i}`);
    const refused = await go(mallory, "#r6");
    assertEquals(refused.code, "rate_limited");
    assertEquals(
      refused.message,
      "You created 5 rooms lately; wait 6m to create another, or join one that exists (/rooms lists them).",
    );
    // Rooms that exist are not creations; neither is the operator's /open.
    assertEquals((await go(mallory, "#r1")).room, "#r1");
    assertEquals(runConsoleLine(server, "/open #byop"), ["#byop is open."]);
    // Someone else (from the same address) still creates rooms.
    const { client: ann } = await LineClient.join(port, "ann");
    assertEquals((await go(ann, "#annsroom")).room, "#annsroom");
    now += 6 * 60 * 1000;
    assertEquals((await go(mallory, "#r6")).room, "#r6");
    assertEquals((await go(mallory, "#r7")).code, "rate_limited");
    mallory.close();
    ann.close();
  }, { now: () => now, limits: UNLIMITED });
});

Deno.test("one address creates 20 rooms at once, whoever its members are", async () => {
  await withServer(async (_server, port) => {
    const clients: LineClient[] = [];
    for (let m = 0; m < 4; m++) {
      const { client } = await LineClient.join(port, `m${m}`);
      clients.push(client);
      for (let i = 0; i < 5; i++) assertEquals((await go(client, `#m${m}r${i}`)).type, "joined");
    }
    const { client: fifth } = await LineClient.join(port, "fifth");
    const refused = await go(fifth, "#one-more");
    assertEquals(refused.code, "rate_limited");
    assertMatch(refused.message, /^Too many rooms were created from your address lately; wait /);
    // A hello naming a new room counts too: refused, the newcomer is in #general and told why.
    const { client: late, welcome } = await LineClient.join(port, "late", { room: "#hello-room" });
    assertEquals(welcome.room, "#general");
    assertEquals((await late.nextFrame((f) => f.type === "error")).code, "rate_limited");
    for (const client of [...clients, fifth, late]) client.close();
  }, { limits: UNLIMITED });
});

Deno.test("the cap on rooms in total still says so, to members and to a plain client", async () => {
  await withServer(async (_server, port) => {
    const { client: ann } = await LineClient.join(port, "ann");
    assertEquals((await go(ann, "#two")).room, "#two");
    const full = await go(ann, "#three");
    assertEquals([full.code, full.message], [
      "too_many_rooms",
      "#three can't be made: this server has 2 rooms, the most it allows; join one of them (/rooms lists them).",
    ]);
    const plain = await LineClient.connect(port);
    await plain.sendLine("pat");
    await plain.sendLine("/join #three");
    assertEquals(
      await plain.nextLine((l) => l.startsWith("!!")),
      "!! #three can't be made: this server has 2 rooms, the most it allows; join one of them (/rooms lists them).",
    );
    ann.close();
    plain.close();
  }, { limits: UNLIMITED, rooms: { maxRooms: 2 } });
});

Deno.test("a hello can't enter a private room without its key", async () => {
  await withServer(async (_server, port) => {
    const { client: olga } = await LineClient.join(port, "olga");
    assertEquals((await go(olga, "#secret k3y")).room, "#secret");
    const eve = await LineClient.connect(port);
    await eve.sendFrame({ type: "hello", version: PROTOCOL_VERSION, name: "eve", room: "#secret" });
    const welcome = await eve.nextFrame((f) => f.type === "welcome");
    assertEquals(welcome.room, "#general");
    assertEquals((await eve.nextFrame((f) => f.type === "error")).code, "key_needed");
    olga.close();
    eve.close();
  }, { limits: UNLIMITED });
});
