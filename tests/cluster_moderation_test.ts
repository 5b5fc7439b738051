/**
 * Moderation is the whole chat's, whichever node it is given on: the
 * console's /kick and /ban, a room operator's /kick and /invite, a room's
 * key and the console's /close reach members on every node.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { inProcessNode, stopInProcess } from "./support/cluster.ts";
import { REDIS_SKIP, redisAvailable, RedisProcess } from "./support/redis_server.ts";
import { runConsoleLine } from "../src/server/operator_console.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";

const ignore = !redisAvailable();
const WAIT_MS = 10_000;

/** Runs `body` with a Redis and two in-process nodes. */
async function withTwoNodes(
  body: (nodes: Node[]) => Promise<void>,
): Promise<void> {
  const redis = await RedisProcess.start();
  const nodes = [await inProcessNode(redis), await inProcessNode(redis)];
  try {
    await body(nodes);
  } finally {
    await stopInProcess(nodes, redis);
  }
}

/** Joins `name` to the room `room` on `port` (a multi-room client); resolves once in. */
async function joinRoom(port: number, name: string, room: string, key = ""): Promise<LineClient> {
  const { client } = await LineClient.join(port, name, { multiRoom: true });
  if (room === "#general") return client; // where everyone starts
  await client.say(`/join ${room} ${key}`.trim());
  await client.nextFrame((f) => f.type === "joined" && f.room === room, WAIT_MS);
  return client;
}

type Node = Awaited<ReturnType<typeof inProcessNode>>;

/**
 * Waits until `client` (on `node`) saw `name` join `room`, and `node` knows
 * which node holds the name (the two news travel apart).
 */
async function untilJoined(
  client: LineClient,
  node: Node,
  room: string,
  name: string,
): Promise<void> {
  await client.nextFrame((f) => f.type === "join" && f.room === room && f.name === name, WAIT_MS);
  await untilHeld(node, name);
}

/** Waits until `node` knows which node holds `name`. */
async function untilHeld(node: Node, name: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!node.cluster.otherNodes.holderOf(name) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test({
  name: `cluster: the console's /kick reaches a member on another node${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withTwoNodes(async ([first, second]) => {
      const ann = await joinRoom(first.server.addr.port, "ann", "#general");
      const bob = await joinRoom(second.server.addr.port, "bob", "#general");
      try {
        await untilJoined(ann, first, "#general", "bob");
        assertEquals(runConsoleLine(first.server, "/kick bob too loud"), []);
        const bye = await bob.nextFrame((f) => f.type === "bye", WAIT_MS);
        assertEquals(bye.code, "kicked");
        assertEquals(bye.message, "You were kicked by the operator: too loud.");
        const left = await ann.nextFrame((f) => f.type === "leave" && f.name === "bob", WAIT_MS);
        assertEquals(left.reason, "kicked by the operator: too loud");
        // Nobody of that name anywhere is still an error.
        assertMatch(runConsoleLine(first.server, "/kick nobody")[0], /nobody/);
      } finally {
        ann.close();
        bob.close();
      }
    });
  },
});

Deno.test({
  name:
    `cluster: the console's /ban disconnects a member on another node and bans their address${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withTwoNodes(async ([first, second]) => {
      const ann = await joinRoom(first.server.addr.port, "ann", "#general");
      const mallory = await joinRoom(second.server.addr.port, "mallory", "#general");
      try {
        await untilJoined(ann, first, "#general", "mallory");
        assertEquals(runConsoleLine(first.server, "/ban mallory 10m"), []);
        const bye = await mallory.nextFrame((f) => f.type === "bye", WAIT_MS);
        assertEquals(bye.code, "banned");
        assertEquals(bye.message, "You were banned from this room for 10m.");
        // The ban was made where mallory was, with their address, and is every node's.
        assertMatch(
          runConsoleLine(second.server, "/bans")[0],
          /127\.0\.0\.1 \(mallory\): 10m left/,
        );
      } finally {
        ann.close();
        mallory.close();
      }
    });
  },
});

Deno.test({
  name: `cluster: a room operator's /kick puts out a member on another node${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withTwoNodes(async ([first, second]) => {
      const ann = await joinRoom(first.server.addr.port, "ann", "#den");
      const bob = await joinRoom(second.server.addr.port, "bob", "#den");
      try {
        await untilJoined(ann, first, "#den", "bob");
        await ann.sendFrame({ type: "send", room: "#den", text: "/kick bob rude" });
        const parted = await bob.nextFrame((f) => f.type === "parted", WAIT_MS);
        assertEquals(parted.room, "#den");
        assertEquals(parted.reason, "kicked from #den by ann: rude");
        const left = await ann.nextFrame((f) => f.type === "leave" && f.name === "bob", WAIT_MS);
        assertEquals(left.room, "#den");
        assertEquals(left.reason, "kicked from #den by ann: rude");
        // Someone not in the room is refused as before.
        await ann.sendFrame({ type: "send", room: "#den", text: "/kick bob" });
        const refused = await ann.nextFrame((f) => f.type === "error", WAIT_MS);
        assertEquals(refused.code, "no_such_member");
      } finally {
        ann.close();
        bob.close();
      }
    });
  },
});

Deno.test({
  name: `cluster: /close moves a room's members out on every node, once each${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withTwoNodes(async ([first, second]) => {
      const ann = await joinRoom(first.server.addr.port, "ann", "#den");
      const bob = await joinRoom(second.server.addr.port, "bob", "#den");
      try {
        await untilJoined(ann, first, "#den", "bob");
        assertEquals(runConsoleLine(first.server, "/close #den"), [
          "#den is closed; its history is deleted.",
        ]);
        for (const member of [ann, bob]) {
          const parted = await member.nextFrame((f) => f.type === "parted", WAIT_MS);
          assertEquals(parted.room, "#den");
          assertEquals(parted.reason, "closed by the operator");
        }
        // The other node forgot the room: not listed, and told once.
        await bob.say("/rooms");
        const rooms = await bob.nextFrame((f) => f.type === "info" && f.text.includes("#general"));
        assert(!rooms.text.includes("#den"), rooms.text);
        const parts = bob.transcript.filter((line) => line.includes('"parted"'));
        assertEquals(parts.length, 1, parts.join("\n"));
        assertMatch(runConsoleLine(second.server, "/rooms")[0], /^(?![\s\S]*#den)/);
      } finally {
        ann.close();
        bob.close();
      }
    });
  },
});

Deno.test({
  name: `cluster: an invite and a key change made on one node hold on every node${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withTwoNodes(async ([first, second]) => {
      const ann = await joinRoom(first.server.addr.port, "ann", "#secret", "hunter2");
      const { client: bob } = await LineClient.join(second.server.addr.port, "bob", {
        multiRoom: true,
      });
      try {
        // Without an invite, bob's node asks for the key.
        await bob.say("/join #secret");
        assertEquals((await bob.nextFrame((f) => f.type === "error", WAIT_MS)).code, "key_needed");
        // The room's operator invites bob, who is on the other node.
        await ann.sendFrame({ type: "send", room: "#secret", text: "/invite bob" });
        const told = await ann.nextFrame((f) => f.type === "info", WAIT_MS);
        assertEquals(told.text, "bob may now join #secret.");
        const invited = await bob.nextFrame((f) => f.type === "info", WAIT_MS);
        assertEquals(invited.text, "ann invited you to #secret: /join #secret to go there.");
        // bob's node lets him in without the key (the invite came with the room's news, first).
        await bob.say("/join #secret");
        assertEquals((await bob.nextFrame((f) => f.type === "joined", WAIT_MS)).room, "#secret");
        // A new key, set on the first node, ends the invites on the second too.
        await bob.say("/part #secret");
        await bob.nextFrame((f) => f.type === "parted", WAIT_MS);
        assertEquals(runConsoleLine(first.server, "/key #secret swordfish"), [
          "#secret is private: newcomers need the key.",
        ]);
        let answer: AnyFrame | undefined;
        const deadline = Date.now() + WAIT_MS;
        while (answer?.code !== "key_needed" && Date.now() < deadline) {
          await bob.say("/join #secret");
          answer = await bob.nextFrame((f) => f.type === "error" || f.type === "joined", WAIT_MS);
          if (answer.type === "joined") await bob.say("/part #secret");
        }
        assertEquals(answer?.code, "key_needed");
        await bob.say("/join #secret swordfish");
        assertEquals((await bob.nextFrame((f) => f.type === "joined", WAIT_MS)).room, "#secret");
        // The console invites someone on the other node too.
        const cy = await joinRoom(second.server.addr.port, "cy", "#general");
        await untilHeld(first, "cy");
        assertEquals(runConsoleLine(first.server, "/invite #secret cy"), [
          "cy may now join #secret.",
        ]);
        const note = await cy.nextFrame((f) => f.type === "info", WAIT_MS);
        assertMatch(note.text, /^The operator invited you to #secret/);
        await cy.say("/join #secret");
        assertEquals((await cy.nextFrame((f) => f.type === "joined", WAIT_MS)).room, "#secret");
        cy.close();
      } finally {
        ann.close();
        bob.close();
      }
    });
  },
});
