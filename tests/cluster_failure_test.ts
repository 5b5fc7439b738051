/**
 * What happens to a chat of several nodes when a node dies (SIGKILL) or
 * Redis goes away: members are told, nothing they were told was sent is
 * lost, and everything recovers by itself. The nodes are started with a
 * short node lifetime (CHAT_NODE_TTL_MS, tests/support/cluster.ts) so a dead
 * node is noticed in about two seconds instead of ten; the test waits for
 * the announcement, not for time to pass.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { killNode, withCluster } from "./support/cluster.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { REDIS_SKIP, redisAvailable } from "./support/redis_server.ts";

const ignore = !redisAvailable();
const isMessage = (text: string) => (f: AnyFrame) => f.type === "message" && f.text === text;
const goneFrame = (name: string) => (f: AnyFrame) => f.type === "leave" && f.name === name;

Deno.test({
  name:
    `cluster: a node killed with SIGKILL: its members are announced gone once, their names freed, and they resume elsewhere with nothing missed${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(3, async ({ nodes }) => {
      const { client: ann } = await LineClient.join(nodes[0].port, "ann");
      const { client: bob, welcome: bobWelcome } = await LineClient.join(nodes[1].port, "bob");
      const { client: cy } = await LineClient.join(nodes[2].port, "cy");
      try {
        await ann.say("before");
        const before = await bob.nextFrame(isMessage("before"), 10_000);
        await killNode(nodes[1]);
        await bob.waitForClose(10_000);
        // Said while bob's node is dead and not yet noticed: bob must get it when he is back.
        await ann.say("while away");
        await ann.nextFrame(isMessage("while away"), 10_000);
        // Both survivors check; only one announces, and everybody hears it once.
        const gone = await ann.nextFrame(goneFrame("bob"), 15_000);
        assertEquals(gone.reason, "their server stopped");
        await cy.nextFrame(goneFrame("bob"), 15_000);
        await ann.say("after");
        for (const client of [ann, cy]) await client.nextFrame(isMessage("after"), 10_000);
        for (const client of [ann, cy]) {
          const leaves = client.transcript.filter((line) => line.includes('"type":"leave"'));
          assertEquals(leaves.length, 1, leaves.join("\n"));
        }
        // bob comes back on another node with his token: the name is his, and the catch-up
        // holds exactly what he missed.
        const back = await LineClient.join(nodes[2].port, "bob", {
          resume: bobWelcome.session,
          since: before.id,
          log: bobWelcome.log,
        });
        const texts = back.welcome.history.filter((r: AnyFrame) => r.type === "message")
          .map((r: AnyFrame) => r.text);
        assertEquals(texts, ["while away", "after"]);
        back.client.close();
      } finally {
        for (const client of [ann, bob, cy]) client.close();
      }
    });
  },
});

Deno.test({
  name: `cluster: a dead node's names are free for anyone once it is announced gone${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(2, async ({ nodes }) => {
      const { client: ann } = await LineClient.join(nodes[0].port, "ann");
      const { client: bob } = await LineClient.join(nodes[1].port, "bob");
      try {
        await killNode(nodes[1]);
        await ann.nextFrame(goneFrame("bob"), 15_000);
        // A newcomer (no token) may now be called bob.
        const { welcome } = await LineClient.join(nodes[0].port, "bob");
        assertEquals(welcome.name, "bob");
      } finally {
        ann.close();
        bob.close();
      }
    });
  },
});

Deno.test({
  name:
    `cluster: Redis stopped and started again: members are told, messages are refused (not dropped), nothing acknowledged is lost, and the nodes recover${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(2, async ({ nodes, redis }) => {
      const { client: ann } = await LineClient.join(nodes[0].port, "ann");
      const { client: bob } = await LineClient.join(nodes[1].port, "bob");
      try {
        await ann.say("kept");
        const kept = await bob.nextFrame(isMessage("kept"), 10_000);
        // A crash: with appendfsync always, what was acknowledged is on disk.
        await redis.stop("SIGKILL");
        for (const client of [ann, bob]) {
          const told = await client.nextFrame((f) => f.type === "info", 10_000);
          assert(told.text.includes("cannot be sent for now"), told.text);
        }
        await ann.say("refused");
        const refusal = await ann.nextFrame((f) => f.type === "error", 10_000);
        assertEquals(refusal.code, "not_sent");
        await bob.say("/msg ann refused too");
        assertEquals((await bob.nextFrame((f) => f.type === "error", 10_000)).code, "not_sent");
        await redis.restart();
        for (const client of [ann, bob]) {
          const told = await client.nextFrame((f) => f.type === "info", 15_000);
          assert(told.text.includes("storage is back"), told.text);
        }
        await ann.say("back");
        const back = await bob.nextFrame(isMessage("back"), 10_000);
        assert(back.id > kept.id);
        await bob.say("/msg ann private again");
        assertEquals(
          (await ann.nextFrame((f) => f.type === "private", 10_000)).text,
          "private again",
        );
        // The refused message reached nobody; the acknowledged one is in the history.
        const { client: cy, welcome } = await LineClient.join(nodes[1].port, "cy");
        const texts = welcome.history.filter((r: AnyFrame) => r.type === "message")
          .map((r: AnyFrame) => r.text);
        assertEquals(texts, ["kept", "back"]);
        assert(!bob.transcript.some((line) => line.includes('"text":"refused"')));
        cy.close();
      } finally {
        ann.close();
        bob.close();
      }
    });
  },
});

Deno.test({
  name:
    `cluster: with appendfsync everysec a power cut under Redis loses at most the latest messages, in order, and no id is given twice; a clean stop loses nothing${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(2, async ({ nodes, redis }) => {
      const { client: ann } = await LineClient.join(nodes[0].port, "ann");
      const { client: bob } = await LineClient.join(nodes[1].port, "bob");
      const told = (client: LineClient, words: string) =>
        client.nextFrame((f) => f.type === "info" && f.text.includes(words), 15_000);
      try {
        // With the later messages, within the rate limit's burst (10): none is refused for speed.
        const said = Array.from({ length: 6 }, (_, i) => `m${i + 1}`);
        for (const text of said) await ann.say(text);
        let highest = 0;
        for (const text of said) highest = (await bob.nextFrame(isMessage(text), 10_000)).id;
        // A power cut: Redis dies, and the OS loses what it had not synced yet.
        await redis.stop("SIGKILL");
        await redis.loseUnsyncedWrites(0.5);
        await told(bob, "cannot be sent for now");
        await redis.restart();
        await told(ann, "storage is back");
        await told(bob, "storage is back");
        await ann.say("after the crash");
        const after = await bob.nextFrame(isMessage("after the crash"), 10_000);
        assert(after.id > highest, `id ${after.id} was given before (up to ${highest})`);
        // What Redis kept is the oldest part of what was said, in order, then the new message.
        const { client: cy, welcome } = await LineClient.join(nodes[1].port, "cy");
        const texts: string[] = welcome.history.filter((r: AnyFrame) => r.type === "message")
          .map((r: AnyFrame) => r.text);
        assertEquals(texts[texts.length - 1], "after the crash");
        const kept = texts.slice(0, -1);
        assert(kept.length < said.length, "the cut lost nothing: the test shows no loss");
        assertEquals(kept, said.slice(0, kept.length));
        cy.close();
        // A clean stop (SIGTERM) writes everything out first.
        await ann.say("before a clean stop");
        await bob.nextFrame(isMessage("before a clean stop"), 10_000);
        await redis.stop("SIGTERM");
        await told(bob, "cannot be sent for now");
        await redis.restart();
        await told(bob, "storage is back");
        const { client: dan, welcome: danWelcome } = await LineClient.join(nodes[1].port, "dan");
        assert(
          danWelcome.history.some((r: AnyFrame) => r.text === "before a clean stop"),
          JSON.stringify(danWelcome.history),
        );
        dan.close();
      } finally {
        ann.close();
        bob.close();
      }
    }, { fsync: "everysec" });
  },
});
