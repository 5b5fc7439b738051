/**
 * Limits over real TCP, each with its exact outcome: rate limit and flood,
 * pastes, connection caps, dead peers found by ping.
 */

import { FloodGuard } from "../src/server/flood_guard.ts";
import { TokenBucket } from "../src/server/token_bucket.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

Deno.test("TokenBucket allows a burst, then the steady rate", () => {
  const bucket = new TokenBucket(3, 2, 0);
  assertEquals([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [
    true,
    true,
    true,
    false,
  ]);
  assertEquals(bucket.take(499), false);
  assertEquals(bucket.take(500), true);
  assertEquals(bucket.take(10_000, 3), true, "refills up to the burst, no more");
  assertEquals(bucket.take(10_000), false);
});

Deno.test("a sender over the rate limit is told to slow down and its extra messages are dropped", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    for (let i = 0; i < 8; i++) await alice.say(`burst ${i}`);
    const warning = await alice.nextFrame((f) => f.type === "error");
    assertEquals(warning.code, "rate_limited");
    assertMatch(warning.message, /sending too fast \(limit: 1 a second\)/);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await alice.say("after a pause");
    const received = [];
    while (true) {
      const frame = await bob.nextFrame((f) => f.type === "message");
      received.push(frame.text);
      if (frame.text === "after a pause") break;
    }
    // The hello took one token of the burst of 4.
    assertEquals(received, ["burst 0", "burst 1", "burst 2", "after a pause"]);
    alice.close();
    bob.close();
  }, { limits: { rateBurst: 4, ratePerSecond: 1, floodStrikes: 100 } });
});

Deno.test("a persistent flooder is disconnected with a reason; the room goes on", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: flooder } = await LineClient.join(port, "flooder");
    const lines = Array.from(
      { length: 200 },
      (_, i) => JSON.stringify({ type: "send", text: `spam ${i}` }),
    );
    await flooder.sendRaw(lines.join("\n") + "\n");
    const bye = await flooder.nextFrame((f) => f.type === "bye");
    assertEquals(bye.code, "flood");
    await flooder.waitForClose();
    const leave = await alice.nextFrame((f) => f.type === "leave");
    assertEquals([leave.name, leave.reason], ["flooder", "disconnected for flooding"]);
    const spam = alice.transcript.filter((l) => l.includes("spam"));
    assertEquals(spam.length, 4, "only the burst (less the hello) got through");
    flooder.close();
    alice.close();
  }, { limits: { rateBurst: 5, ratePerSecond: 1, floodStrikes: 20 } });
});

Deno.test("pasting a block of lines from a plain client is not punished", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const plain = await LineClient.connect(port);
    await plain.sendLine("carol");
    await plain.nextLine((l) => l.startsWith("-- Welcome"));
    const paste = Array.from({ length: 20 }, (_, i) => `pasted line ${i}`).join("\n") + "\n";
    await plain.sendRaw(paste);
    for (let i = 0; i < 20; i++) {
      const got = await alice.nextFrame((f) => f.type === "message" && f.from === "carol");
      assertEquals(got.text, `pasted line ${i}`);
    }
    assert(!plain.transcript.some((l) => l.includes("too fast")));
    // A structured client pastes as one multi-line message: it counts once, plus a tenth a break.
    for (let i = 0; i < 3; i++) await alice.say(`block ${i}\nsecond line\nthird line`);
    for (let i = 0; i < 3; i++) {
      const got = await alice.nextFrame((f) => f.type === "message" && f.from === "alice");
      assertEquals(got.text, `block ${i}\nsecond line\nthird line`);
    }
    alice.close();
    plain.close();
  }, { limits: { rateBurst: 5, ratePerSecond: 1 } });
});

Deno.test("connections over the total cap or the per-address cap are refused with a reason", async () => {
  await withServer(async (_server, port) => {
    const { client: first } = await LineClient.join(port, "first");
    const { client: second } = await LineClient.join(port, "second");
    // Structured client: the bye comes as a JSON frame.
    const third = await LineClient.connect(port);
    await third.sendFrame({ type: "hello", version: 2, name: "third" });
    const bye = await third.nextFrame((f) => f.type === "bye");
    assertEquals(bye.code, "too_many_connections");
    await third.waitForClose();
    // Plain client: the same refusal as text.
    const plain = await LineClient.connect(port);
    assertMatch(await plain.nextLine(), /^-- Your address already has 2 connections open/);
    await plain.waitForClose();
    second.close();
    await first.nextFrame((f) => f.type === "leave");
    const { client: again } = await LineClient.join(port, "again");
    for (const c of [first, third, plain, again]) c.close();
  }, { limits: { maxConnectionsPerAddress: 2 } });

  await withServer(async (_server, port) => {
    const { client: only } = await LineClient.join(port, "only");
    const extra = await LineClient.connect(port);
    await extra.sendFrame({ type: "hello", version: 2, name: "extra" });
    assertEquals((await extra.nextFrame((f) => f.type === "bye")).code, "server_full");
    only.close();
    extra.close();
  }, { limits: { maxConnections: 1 } });
});

Deno.test("a dead peer that never answers pings is dropped and announced as timed out", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: ghost } = await LineClient.join(port, "ghost");
    // Alice answers pings (her client does it below); the ghost never does.
    let answering = true;
    const answer = (async () => {
      while (answering) {
        const ping = await alice.nextFrame((f) => f.type === "ping" || f.type === "leave", 10_000);
        if (ping.type === "leave") return ping;
        await alice.sendFrame({ type: "pong", data: ping.data });
      }
    })();
    const leave = await answer;
    answering = false;
    assertEquals([leave?.name, leave?.reason], ["ghost", "timed out"]);
    assert(ghost.transcript.some((l) => l.includes('"type":"ping"')), "the ghost was pinged first");
    await alice.say("/who");
    assertEquals((await alice.nextFrame((f) => f.type === "members")).members, ["alice"]);
    alice.close();
    ghost.close();
  }, { limits: { idleTimeoutMs: 1000, pingTimeoutMs: 1000 } });
});

Deno.test("FloodGuard: accepts the burst, warns once a second, disconnects after the strikes", () => {
  const guard = new FloodGuard({ rateBurst: 2, ratePerSecond: 1, floodStrikes: 3 }, 0);
  const verdicts = [0, 0, 0, 0, 500, 1000, 1000, 1001].map((now) => guard.check(1, now));
  assertEquals(verdicts, [
    "accept",
    "accept",
    "warn",
    "drop",
    "drop",
    "accept",
    "warn",
    "disconnect",
  ]);
  const patient = new FloodGuard({ rateBurst: 1, ratePerSecond: 1, floodStrikes: 1 }, 0);
  assertEquals([patient.check(1, 0), patient.check(1, 0)], ["accept", "warn"]);
  assertEquals(patient.check(1, 1000), "accept", "an accepted line takes a strike away");
  assertEquals(patient.check(1, 1000), "warn");
  assertEquals(patient.check(0.1, 1200), "accept", "a pasted line costs a tenth");
});
