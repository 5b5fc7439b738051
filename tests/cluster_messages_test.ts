/**
 * Two and three `chat serve --redis` nodes over a real redis-server are one
 * chat: messages, ids, private messages, rooms, names and history are the
 * same whichever node a member is on.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { withCluster } from "./support/cluster.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { REDIS_SKIP, redisAvailable } from "./support/redis_server.ts";

const ignore = !redisAvailable();
const isMessage = (text: string) => (f: AnyFrame) => f.type === "message" && f.text === text;

Deno.test({
  name:
    `cluster: a message said on one node reaches members of every node, with one id${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(3, async ({ nodes }) => {
      const members = await Promise.all(
        ["ann", "bob", "cy"].map((name, i) => LineClient.join(nodes[i].port, name)),
      );
      try {
        const [ann, bob, cy] = members.map((m) => m.client);
        // Every welcome names the same history, so ids compare across nodes.
        assertEquals(new Set(members.map((m) => m.welcome.log)).size, 1);
        // Each one's words, said at once on three nodes, arrive everywhere in one order.
        await Promise.all([ann.say("from ann"), bob.say("from bob"), cy.say("from cy")]);
        const seen = await Promise.all([ann, bob, cy].map(async (client) => {
          const frames: AnyFrame[] = [];
          while (frames.length < 3) {
            frames.push(await client.nextFrame((f) => f.type === "message", 10_000));
          }
          return frames.map((f) => `${f.id}:${f.text}`);
        }));
        assertEquals(seen[1], seen[0]);
        assertEquals(seen[2], seen[0]);
        assertEquals(new Set(seen[0].map((s) => s.split(":")[0])).size, 3);
      } finally {
        for (const { client } of members) client.close();
      }
    });
  },
});

Deno.test({
  name: `cluster: a name taken on one node is refused on another${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(2, async ({ nodes }) => {
      const { client: ann } = await LineClient.join(nodes[0].port, "Ann");
      try {
        const other = await LineClient.connect(nodes[1].port);
        await other.sendFrame({ type: "hello", version: 2, name: "ann" });
        const refused = await other.nextFrame((f) => f.type === "error" || f.type === "welcome");
        assertEquals(refused.type, "error");
        assertEquals(refused.code, "name_taken");
        other.close();
        // Once she leaves, the name is free on the other node too.
        await ann.sendFrame({ type: "quit" });
        await ann.waitForClose();
        const deadline = Date.now() + 5000;
        let welcome: AnyFrame | undefined;
        while (welcome === undefined && Date.now() < deadline) {
          const again = await LineClient.connect(nodes[1].port);
          await again.sendFrame({ type: "hello", version: 2, name: "ann" });
          const answer = await again.nextFrame((f) => f.type === "error" || f.type === "welcome");
          if (answer.type === "welcome") welcome = answer;
          again.close();
          // The release travels through Redis: wait for its news, not for time to pass.
          if (!welcome) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert(welcome, "the name stayed taken after its holder left");
      } finally {
        ann.close();
      }
    });
  },
});

Deno.test({
  name: `cluster: private messages reach a member on another node, and nobody else${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(2, async ({ nodes }) => {
      const { client: ann } = await LineClient.join(nodes[0].port, "ann");
      const { client: bob } = await LineClient.join(nodes[1].port, "bob");
      const { client: cy } = await LineClient.join(nodes[1].port, "cy");
      try {
        await ann.say("/msg bob psst");
        const got = await bob.nextFrame((f) => f.type === "private", 10_000);
        assertEquals([got.from, got.to, got.text], ["ann", "bob", "psst"]);
        const copy = await ann.nextFrame((f) => f.type === "private", 10_000);
        assertEquals(copy.id, got.id);
        await bob.say("/msg ann back");
        const answer = await ann.nextFrame((f) => f.type === "private", 10_000);
        assertEquals(answer.text, "back");
        // cy saw neither: a public line after them is the first thing she gets.
        await cy.say("done");
        await cy.nextFrame(isMessage("done"), 10_000);
        assert(!cy.transcript.some((line) => line.includes("psst") || line.includes("back")));
      } finally {
        for (const client of [ann, bob, cy]) client.close();
      }
    });
  },
});

Deno.test({
  name: `cluster: history and catch-up are the same on another node${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(2, async ({ nodes }) => {
      const { client: ann, welcome } = await LineClient.join(nodes[0].port, "ann");
      try {
        await ann.say("one");
        const one = await ann.nextFrame(isMessage("one"), 10_000);
        // bob, joining on the other node, sees what was said on the first.
        // (in the welcome's history, or right after it when that node had not read it yet).
        const { client: bob, welcome: bobWelcome } = await LineClient.join(nodes[1].port, "bob");
        if (!bobWelcome.history.some((r: AnyFrame) => r.id === one.id && r.text === "one")) {
          assertEquals((await bob.nextFrame((f) => f.type === "message", 10_000)).id, one.id);
        }
        bob.close();
        // ann comes back on the other node with her token and the last id she saw:
        // she gets exactly what she missed.
        await ann.say("two");
        await ann.nextFrame(isMessage("two"), 10_000);
        const { client: cy } = await LineClient.join(nodes[1].port, "cy");
        await cy.say("three");
        await cy.nextFrame(isMessage("three"), 10_000);
        ann.close();
        const back = await LineClient.join(nodes[1].port, "ann", {
          resume: welcome.session,
          since: one.id,
          log: welcome.log,
        });
        const texts = back.welcome.history.filter((r: AnyFrame) => r.type === "message")
          .map((r: AnyFrame) => r.text);
        assertEquals(texts, ["two", "three"]);
        assertEquals(back.welcome.catchUp, true);
        back.client.close();
        cy.close();
      } finally {
        ann.close();
      }
    });
  },
});

Deno.test({
  name: `cluster: rooms are shared: a room made on one node is joined on another${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(2, async ({ nodes }) => {
      const { client: ann } = await LineClient.join(nodes[0].port, "ann", { multiRoom: true });
      const { client: bob } = await LineClient.join(nodes[1].port, "bob", { multiRoom: true });
      try {
        await ann.say("/join #homework");
        await ann.nextFrame((f) => f.type === "joined" && f.room === "#homework", 10_000);
        await ann.say("/topic maths");
        await ann.nextFrame((f) => f.type === "notice" && f.text.includes("maths"), 10_000);
        // bob's node, where nobody is in #homework, counts ann there (once the news has come).
        let listed = "";
        for (let tries = 0; tries < 50 && !/#homework\D+1 here/.test(listed); tries++) {
          await bob.say("/rooms");
          listed = (await bob.nextFrame((f) => f.type === "info" && f.text.includes("Rooms"))).text;
        }
        assert(/#homework\D+1 here/.test(listed), listed);
        await bob.say("/join #homework");
        const joined = await bob.nextFrame((f) => f.type === "joined", 10_000);
        assertEquals(joined.room, "#homework");
        // Members and topic are the room's, whichever node they are on.
        assertEquals(joined.members, ["ann", "bob"]);
        assertEquals(joined.topic, "maths");
        await bob.say("/who");
        const who = await bob.nextFrame((f) => f.type === "members" || f.type === "info", 10_000);
        assert(JSON.stringify(who).includes("ann"), JSON.stringify(who));
        await ann.say("/rooms");
        const rooms = await ann.nextFrame((f) => f.type === "info" && f.text.includes("#homework"));
        assert(/#homework\D+2/.test(rooms.text), rooms.text);
        // The topic changed on the other node reaches this node's room too.
        await bob.sendFrame({ type: "send", room: "#homework", text: "/topic algebra" });
        await ann.nextFrame((f) => f.type === "notice" && f.text.includes("algebra"), 10_000);
        await ann.say("/part #homework");
        await ann.nextFrame((f) => f.type === "parted" || f.type === "info", 10_000);
        await ann.say("/join #homework");
        const again = await ann.nextFrame((f) => f.type === "joined", 10_000);
        assertEquals(again.topic, "algebra");
        await ann.sendFrame({ type: "send", room: "#homework", text: "page 12" });
        const heard = await bob.nextFrame((f) => f.type === "message" && f.room === "#homework");
        assertEquals(heard.text, "page 12");
      } finally {
        ann.close();
        bob.close();
      }
    });
  },
});
