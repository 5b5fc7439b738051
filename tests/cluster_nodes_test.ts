/**
 * A node says which node it is and how many it sees; the operator's
 * `/nodes` lists them; a bad or unreachable `--redis` is a clear error.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { startNode, withCluster } from "./support/cluster.ts";
import { runChat } from "./support/chat_process.ts";
import { REDIS_SKIP, redisAvailable, RedisProcess } from "./support/redis_server.ts";
import { ChatServer } from "../src/server/chat_server.ts";
import { Cluster } from "../src/server/cluster/cluster.ts";
import { runConsoleLine } from "../src/server/operator_console.ts";
import { parseServeArgs } from "../src/cli/serve_command.ts";

const ignore = !redisAvailable();

Deno.test({
  name: `cluster: each node prints its id and how many nodes it sees${REDIS_SKIP}`,
  ignore,
  async fn() {
    await withCluster(2, async ({ nodes }) => {
      assertMatch(nodes[0].output(), /This is node [0-9a-f]{8}; it sees 1 node /);
      assertMatch(nodes[1].output(), /This is node [0-9a-f]{8}; it sees 2 nodes /);
    });
  },
});

Deno.test({
  name: `cluster: the operator's /nodes lists every node alive${REDIS_SKIP}`,
  ignore,
  async fn() {
    const redis = await RedisProcess.start();
    const other = await startNode(redis);
    const cluster = await Cluster.open({ url: redis.url, historyLimit: 100, nodeTtlMs: 1500 });
    const server = new ChatServer({
      hostname: "127.0.0.1",
      port: 0,
      store: cluster.store,
      cluster,
      web: false,
    });
    try {
      await cluster.started;
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
