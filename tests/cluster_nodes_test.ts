/**
 * A node says which node it is and how many it sees; the operator's
 * `/nodes` lists them; a bad or unreachable `--redis` is a clear error.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { inProcessNode, startNode, withCluster } from "./support/cluster.ts";
import { runChat } from "./support/chat_process.ts";
import { REDIS_SKIP, redisAvailable, RedisProcess } from "./support/redis_server.ts";
import { ChatServer } from "../src/server/chat_server.ts";
import { runConsoleLine } from "../src/server/operator_console.ts";
import { parseServeArgs } from "../src/cli/serve_command.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";

const ignore = !redisAvailable();

Deno.test({
  name: `cluster: each node prints its id and how many nodes it sees${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(2, ({ nodes }) => {
      assertMatch(nodes[0].output(), /This is node [0-9a-f]{8}; it sees 1 node /);
      assertMatch(nodes[1].output(), /This is node [0-9a-f]{8}; it sees 2 nodes /);
      return Promise.resolve();
    });
  },
});

Deno.test({
  name: `cluster: the operator's /nodes lists every node alive${REDIS_SKIP}`,
  ignore,
  async fn() {
    const redis = await RedisProcess.start();
    const other = await startNode(redis);
    const { server, cluster } = await inProcessNode(redis);
    try {
      const otherId = other.output().match(/This is node ([0-9a-f]{8})/)![1];
      const [answer] = runConsoleLine(server, "/nodes");
      assert(answer.startsWith("2 nodes:"), answer);
      assert(answer.includes(`${otherId}  127.0.0.1:${other.port}`), answer);
      assert(answer.includes(`${cluster.node}  127.0.0.1:${server.addr.port}`), answer);
    } finally {
      await server.shutdown();
      await cluster.close();
      await other.stop();
      await redis.remove();
    }
  },
});

Deno.test("a lone server's /nodes says it runs without --redis", async () => {
  const server = new ChatServer({ hostname: "127.0.0.1", port: 0, web: false });
  try {
    const [answer] = runConsoleLine(server, "/nodes");
    assertEquals(answer, "This server is not one of several nodes (it runs without --redis).");
  } finally {
    await server.shutdown();
  }
});

Deno.test("chat serve --redis with a URL that is not Redis's is a usage error", async () => {
  const run = await runChat(["serve", "--redis", "http://127.0.0.1:1/0"]);
  assertEquals(run.code, 2);
  assertMatch(run.stderr, /A Redis URL starts with redis:\/\//);
});

Deno.test("chat serve --redis with nobody listening says so and exits 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const run = await runChat([
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--redis",
    `redis://:secret@127.0.0.1:${port}/0`,
  ]);
  assertEquals(run.code, 1);
  assertMatch(run.stderr, /Could not reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0/);
  assert(!run.stderr.includes("secret"));
});

Deno.test("CHAT_REDIS_URL gives the Redis when --redis does not; --redis wins", () => {
  const fromEnv = parseServeArgs([], { CHAT_REDIS_URL: "rediss://:pw@redis.example:6380/2" });
  assertEquals(fromEnv?.cluster?.url, "rediss://:pw@redis.example:6380/2");
  const fromFlag = parseServeArgs(["--redis", "redis://127.0.0.1:6379/0"], {
    CHAT_REDIS_URL: "redis://elsewhere:6379/0",
  });
  assertEquals(fromFlag?.cluster?.url, "redis://127.0.0.1:6379/0");
  assertEquals(parseServeArgs([], {})?.cluster, undefined);
});

/** A node in this test process, on `redis`. */

Deno.test({
  name:
    `cluster: a ban made on one node's console keeps the address out of every node${REDIS_SKIP}`,
  ignore,
  async fn() {
    const redis = await RedisProcess.start();
    const nodes = [await inProcessNode(redis), await inProcessNode(redis)];
    const [first, second] = nodes.map((node) => node.server);
    try {
      const { client: mallory } = await LineClient.join(first.addr.port, "mallory");
      assertEquals(runConsoleLine(first, "/ban mallory 10m"), []);
      assertEquals((await mallory.nextFrame((f) => f.type === "bye")).code, "banned");
      // Tests connect from 127.0.0.1, the banned address: the other node refuses them too
      // (once the ban's news has reached it: try until it does, or time runs out).
      const deadline = Date.now() + 5000;
      let answer: AnyFrame | undefined;
      while (answer?.type !== "bye" && Date.now() < deadline) {
        const someone = await LineClient.connect(second.addr.port);
        await someone.sendFrame({ type: "hello", version: 2, name: "someone" });
        answer = await someone.nextFrame((f) => f.type === "bye" || f.type === "welcome");
        someone.close();
      }
      assertEquals(answer?.code, "banned");
      assertMatch(runConsoleLine(second, "/bans")[0], /127\.0\.0\.1 \(mallory\): 10m left/);
      // Lifted on the second node, it is lifted on the first.
      assertEquals(runConsoleLine(second, "/unban mallory"), ["Ban on 127.0.0.1 lifted."]);
      const until = Date.now() + 5000;
      while (runConsoleLine(first, "/bans")[0] !== "No bans." && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const { client: back } = await LineClient.join(first.addr.port, "mallory");
      back.close();
      mallory.close();
    } finally {
      for (const { server, cluster } of nodes) {
        await server.shutdown();
        await cluster.close();
      }
      await redis.remove();
    }
  },
});

Deno.test("chat serve --redis with --no-history is a usage error", async () => {
  const run = await runChat(["serve", "--no-history", "--redis", "redis://127.0.0.1:1/0"]);
  assertEquals(run.code, 2);
  assertMatch(run.stderr, /--no-history does not go with --redis/);
});

Deno.test({
  name:
    `cluster: with --redis files are off, and a member asking to send one is told so${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(1, async ({ nodes }) => {
      const { client } = await LineClient.join(nodes[0].port, "ann");
      try {
        await client.sendFrame({ type: "upload", name: "notes.txt", size: 3, ref: "r1" });
        const refused = await client.nextFrame((f: AnyFrame) => f.type === "error", 10_000);
        assertEquals(refused.code, "files_off");
      } finally {
        client.close();
      }
    });
  },
});
