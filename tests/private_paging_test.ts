/**
 * Private messages are kept as history, and a client pages back through its
 * own (`history` with `private: true`): the two people of each message see
 * it, nobody else does. Over real TCP.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

const UNLIMITED = { joinBurst: 1000, joinsPerMinute: 1000, rateBurst: 1000, ratePerSecond: 1000 };

async function whisper(from: LineClient, to: string, text: string): Promise<AnyFrame> {
  await from.say(`/msg ${to} ${text}`);
  return await from.nextFrame((f) => f.type === "private" && f.text === text);
}

/** Pages back through `client`'s private messages, `limit` at a time; the texts, oldest first. */
async function pageBack(client: LineClient, limit: number): Promise<string[]> {
  const texts: string[] = [];
  let before: number | undefined;
  for (let more = true; more;) {
    await client.sendFrame({
      type: "history",
      private: true,
      limit,
      ...(before === undefined ? { before: Number.MAX_SAFE_INTEGER } : { before }),
    });
    const page = await client.nextFrame((f) => f.type === "page" || f.type === "error");
    assertEquals([page.type, page.private, page.room], ["page", true, undefined]);
    assert(page.records.length <= limit);
    texts.unshift(...page.records.map((r: AnyFrame) => r.text));
    before = page.records[0]?.id;
    more = page.more;
  }
  return texts;
}

Deno.test("a client pages back through its private messages, and only its own", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice", { room: "#a" });
    const { client: bob } = await LineClient.join(port, "bob", { room: "#b" });
    const { client: carol } = await LineClient.join(port, "carol");
    for (let i = 1; i <= 5; i++) {
      await whisper(i % 2 ? alice : bob, i % 2 ? "bob" : "alice", `ab${i}`);
    }
    await whisper(carol, "bob", "cb1");
    await alice.say("in the room");

    assertEquals(await pageBack(alice, 2), ["ab1", "ab2", "ab3", "ab4", "ab5"]);
    assertEquals(await pageBack(bob, 4), ["ab1", "ab2", "ab3", "ab4", "ab5", "cb1"]);
    assertEquals(await pageBack(carol, 10), ["cb1"]);
    // Someone else under a name that was used: none of them.
    alice.close();
    await alice.ended;
    const { client: other } = await LineClient.join(port, "dave");
    assertEquals(await pageBack(other, 10), []);
    // Forward from an id, the rest of a conversation.
    await bob.sendFrame({ type: "history", private: true, after: 0, limit: 2 });
    const first = await bob.nextFrame((f) => f.type === "page");
    assertEquals([first.after, first.more, first.records.map((r: AnyFrame) => r.text)], [
      0,
      true,
      ["ab1", "ab2"],
    ]);
    for (const client of [bob, carol, other]) client.close();
  }, { limits: UNLIMITED });
});
