/**
 * Members move between nodes: private messages kept while they were away
 * are handed over on whichever node they come back to, once; and a member
 * who opens their name on another node takes it over from the first.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { withCluster } from "./support/cluster.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { REDIS_SKIP, redisAvailable } from "./support/redis_server.ts";

const ignore = !redisAvailable();
const isMessage = (text: string) => (f: AnyFrame) => f.type === "message" && f.text === text;

Deno.test({
  name:
    `cluster: a private message kept for an absent member is handed over, once, on another node${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(2, async ({ nodes, redis }) => {
      const { client: ann, welcome } = await LineClient.join(nodes[0].port, "ann");
      const { client: bob } = await LineClient.join(nodes[1].port, "bob");
      const { client: carol } = await LineClient.join(nodes[0].port, "carol");
      try {
        await ann.say("bye for now"); // she used her name: it is kept for her
        await bob.nextFrame(isMessage("bye for now"), 10_000);
        await ann.sendFrame({ type: "quit" });
        await ann.waitForClose();
        await bob.nextFrame((f) => f.type === "leave" && f.name === "ann", 10_000);
        await bob.say("/msg ann see you tomorrow");
        const kept = await bob.nextFrame((f) => f.type === "info", 10_000);
        assert(kept.text.includes("ann is not here now"), kept.text);
        // She comes back on bob's node: the message is hers, once.
        const back = await LineClient.join(nodes[1].port, "ann", { resume: welcome.session });
        const seen = [
          ...back.welcome.history,
          ...back.client.transcript.map((line) => line.startsWith("{") ? JSON.parse(line) : {}),
        ].filter((f: AnyFrame) => f.type === "private" && f.text === "see you tomorrow");
        assert(seen.length >= 1, back.client.transcript.join("\n"));
        back.client.close();
        // Kept messages leave the mailbox once written, and the other nodes hear it a few
        // milliseconds later (docs/SCALING.md, Limits): once Redis has none left for her, a message
        // relayed to the first node after that shows the news had time to arrive there.
        await redis.waitUntil(["SCARD", "chat:mail:holders"], "0");
        await bob.say("she came and went");
        await carol.nextFrame(isMessage("she came and went"), 10_000);
        // Back once more, on the first node: nothing is handed over twice.
        const again = await LineClient.join(nodes[0].port, "ann", { resume: welcome.session });
        await again.client.say("here again");
        await again.client.nextFrame(isMessage("here again"), 10_000);
        assert(
          !again.client.transcript.some((line) => line.includes("While you were away")),
          again.client.transcript.join("\n"),
        );
        again.client.close();
      } finally {
        ann.close();
        bob.close();
        carol.close();
      }
    });
  },
});

Deno.test({
  name:
    `cluster: a member switching nodes mid-conversation takes their name over and misses nothing${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(2, async ({ nodes }) => {
      const { client: ann, welcome } = await LineClient.join(nodes[0].port, "ann");
      const { client: bob } = await LineClient.join(nodes[1].port, "bob");
      try {
        await bob.say("one");
        const one = await ann.nextFrame(isMessage("one"), 10_000);
        // ann opens her name on bob's node while her first connection still runs.
        const moved = await LineClient.join(nodes[1].port, "ann", {
          resume: welcome.session,
          since: one.id,
          log: welcome.log,
        });
        const bye = await ann.nextFrame((f) => f.type === "bye", 10_000);
        assertEquals(bye.code, "replaced");
        await bob.say("two");
        await moved.client.nextFrame(isMessage("two"), 10_000);
        await moved.client.say("three");
        await bob.nextFrame(isMessage("three"), 10_000);
        await bob.say("/who");
        const who = await bob.nextFrame((f) => f.type === "members" || f.type === "info");
        assertEquals(JSON.stringify(who).match(/ann/g)?.length, 1, JSON.stringify(who));
        moved.client.close();
      } finally {
        ann.close();
        bob.close();
      }
    });
  },
});
