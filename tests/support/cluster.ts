/**
 * Several `chat serve --redis` nodes over one real redis-server, for the
 * cluster tests: started on ports of their own, stopped (or killed) at the end.
 *
 * @module
 */

import { type ServeProcess, startServe } from "./chat_process.ts";
import { RedisProcess } from "./redis_server.ts";
import { ChatServer } from "../../src/server/chat_server.ts";
import { Cluster } from "../../src/server/cluster/cluster.ts";

/** How long a silent node counts as alive in the tests (the real default is 10 s). */
export const TEST_NODE_TTL_MS = 1500;

/** A Redis and the nodes sharing it. */
export interface TestCluster {
  redis: RedisProcess;
  nodes: ServeProcess[];
  /** Starts one more node. */
  addNode(): Promise<ServeProcess>;
}

/** Starts one chat `serve` node on `redis`. */
export function startNode(redis: RedisProcess, args: string[] = []): Promise<ServeProcess> {
  return startServe(["--redis", redis.url, "--no-qr", ...args], {
    env: { CHAT_NODE_TTL_MS: String(TEST_NODE_TTL_MS) },
  });
}

/** Runs `body` with a Redis and `count` nodes; everything is stopped afterwards. */
export async function withCluster(
  count: number,
  body: (cluster: TestCluster) => Promise<void>,
  options: { fsync?: "always" | "everysec"; args?: string[] } = {},
): Promise<void> {
  const redis = await RedisProcess.start(options.fsync);
  const nodes: ServeProcess[] = [];
  const addNode = async () => {
    const node = await startNode(redis, options.args);
    nodes.push(node);
    return node;
  };
  try {
    for (let i = 0; i < count; i++) await addNode();
    await body({ redis, nodes, addNode });
  } finally {
    for (const node of nodes) await killNode(node);
    await redis.remove();
  }
}

/** Kills a node as a crash would (SIGKILL), if it still runs; resolves once it is gone. */
export async function killNode(node: ServeProcess): Promise<void> {
  try {
    node.child.kill("SIGKILL");
  } catch {
    // It had ended already.
  }
  await node.status;
}

/** A node run in the test's own process, for tests that type on its operator console. */
export async function inProcessNode(
  redis: RedisProcess,
): Promise<{ server: ChatServer; cluster: Cluster }> {
  const cluster = await Cluster.open({
    url: redis.url,
    historyLimit: 100,
    nodeTtlMs: TEST_NODE_TTL_MS,
  });
  const server = new ChatServer({
    hostname: "127.0.0.1",
    port: 0,
    store: cluster.store,
    cluster,
    web: false,
  });
  await cluster.started;
  return { server, cluster };
}

/** Stops in-process nodes and their Redis. */
export async function stopInProcess(
  nodes: Array<{ server: ChatServer; cluster: Cluster }>,
  redis: RedisProcess,
): Promise<void> {
  for (const { server, cluster } of nodes) {
    await server.shutdown();
    await cluster.close();
  }
  await redis.remove();
}
