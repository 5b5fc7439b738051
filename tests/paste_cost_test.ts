/**
 * A paste costs by its size, not only its line count: big blocks from a
 * plain-text client can't make the server relay far more text than the rate
 * allows. Short pasted lines stay cheap (server_limits_test.ts).
 */

import { FloodGuard } from "../src/server/flood_guard.ts";
import { CHARS_PER_LINE, lineCost } from "../src/protocol/line_cost.ts";
import { assertEquals, assertMatch } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

Deno.test("lineCost: a line, a tenth when pasted, a tenth per line break, or its size if more", () => {
  assertEquals(lineCost("x".repeat(80), false), 1);
  assertEquals(lineCost("x".repeat(40), true), 0.1);
  assertEquals(lineCost("x".repeat(CHARS_PER_LINE * 6), true), 6);
  assertEquals(lineCost("x".repeat(CHARS_PER_LINE * 6), false), 6);
  const multiLine = JSON.stringify({ type: "send", text: "a\n".repeat(30) });
  assertEquals(lineCost(multiLine, false), 4); // one line and 30 line breaks at a tenth
  const guard = new FloodGuard({ rateBurst: 10, ratePerSecond: 1, floodStrikes: 5 }, 0);
  const huge = lineCost("x".repeat(16_000), false);
  assertEquals(guard.check(huge, 0), "accept", "never more than the whole burst");
  assertEquals(guard.check(0.1, 0), "warn");
});

Deno.test("a plain client pasting big blocks gets through only what their size allows", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const plain = await LineClient.connect(port);
    await plain.sendLine("carol");
    await plain.nextLine((l) => l.startsWith("-- Welcome"));
    // Ten lines of 4000 characters in one go, four lines' worth each; nine tokens are left.
    const block = Array.from({ length: 10 }, (_, i) => `${i}`.repeat(4000)).join("\n") + "\n";
    await plain.sendRaw(block);
    assertMatch(await plain.nextLine((l) => l.startsWith("!!")), /sending too fast/);
    await alice.say("end");
    const relayed = [];
    while (true) {
      const frame = await alice.nextFrame((f) => f.type === "message");
      if (frame.from === "alice") break;
      relayed.push(frame.text);
    }
    assertEquals(relayed, ["0".repeat(4000), "1".repeat(4000)]);
    alice.close();
    plain.close();
  }, { limits: { rateBurst: 10, ratePerSecond: 0.5, floodStrikes: 100 } });
});
