/**
 * `deno task bench --scenario cluster`: one chat on 1, 2 and 3 `chat serve
 * --redis` nodes over one redis-server, with the members spread evenly over
 * the nodes and the same load each time. Reports deliveries per second, per
 * CPU-second of the chat servers, latency, and Redis's own CPU; then the
 * latency at a light load (100 members, 100 messages/s) on one and two
 * nodes, where every message goes through Redis to every node.
 *
 * @module
 */

import { LoadGenerator, type LoadShape, type RunResult } from "./load.ts";
import { readProcessStats } from "./process_stats.ts";
import { serveFlagsFor } from "./scenarios.ts";
import { ServerProcess } from "./server_process.ts";
import { round } from "./summary.ts";
import { RedisProcess } from "../../tests/support/redis_server.ts";

/** What the cluster scenario runs. */
export interface ClusterSettings {
  /** The node counts to compare. */
  nodeCounts: number[];
  /** The load, the same for every node count. */
  fanout: LoadShape;
  /** The light load of the latency target, and the node counts it runs on. */
  light: LoadShape & { nodeCounts: number[] };
  timeoutSeconds: number;
}

const SHAPE = { window: 16, textChars: 64, slowMembers: 0, webSockets: 0 };

/**
 * The defaults: 100 members, 10 senders × 300 messages flat out; 100 members
 * at 100/s. (Above 100 members a room gathers joins into presence records,
 * which the load generator's join wait does not count yet.)
 */
export const CLUSTER_DEFAULTS: ClusterSettings = {
  nodeCounts: [1, 2, 3],
  fanout: { ...SHAPE, connections: 100, senders: 10, messages: 300, rate: 0 },
  light: { ...SHAPE, connections: 100, senders: 10, messages: 50, rate: 100, nodeCounts: [1, 2] },
  timeoutSeconds: 300,
};

/** One run on some nodes. */
export interface ClusterRun {
  nodes: number;
  members: number;
  run: RunResult;
  /** CPU seconds of all chat servers together during the run. */
  serverCpuSeconds: number | null;
  /** CPU seconds of redis-server during the run. */
  redisCpuSeconds: number | null;
  deliveriesPerServerCpuSecond: number | null;
}

/** The cluster scenario's results. */
export interface ClusterReport {
  fanout: ClusterRun[];
  light: ClusterRun[];
  problems: string[];
}

/** Runs every node count with the fanout load, then the light load. */
export async function runClusterScenario(
  settings: ClusterSettings,
  progress: (line: string) => void = () => {},
): Promise<ClusterReport> {
  const fanout: ClusterRun[] = [];
  for (const nodes of settings.nodeCounts) {
    progress(`cluster: ${nodes} node${nodes === 1 ? "" : "s"}…`);
    fanout.push(await runOnNodes(nodes, settings.fanout, settings.timeoutSeconds));
  }
  const light: ClusterRun[] = [];
  for (const nodes of settings.light.nodeCounts) {
    progress(`cluster: light load on ${nodes} node${nodes === 1 ? "" : "s"}…`);
    light.push(await runOnNodes(nodes, settings.light, settings.timeoutSeconds));
  }
  const problems = [...fanout, ...light].flatMap((r) =>
    r.run.lost > 0 || r.run.outOfOrder > 0 || r.run.timedOut
      ? [`${r.nodes} nodes: ${r.run.lost} lost, ${r.run.outOfOrder} out of order`]
      : []
  );
  return { fanout, light, problems };
}

/** One run: a fresh Redis, `nodes` fresh servers, the members spread over them. */
async function runOnNodes(
  nodes: number,
  shape: LoadShape,
  timeoutSeconds: number,
): Promise<ClusterRun> {
  // AOF with everysec, as docs/SCALING.md recommends by default.
  const redis = await RedisProcess.start("everysec");
  const servers: ServerProcess[] = [];
  try {
    const flags = [
      ...serveFlagsFor({ ...shape, timeoutSeconds, settleSeconds: 0, pasteSeconds: 0 }),
    ];
    for (let i = 0; i < nodes; i++) {
      servers.push(
        await ServerProcess.start({ serveFlags: [...flags, "--redis", redis.url], denoFlags: [] }),
      );
    }
    const { load } = await LoadGenerator.join({
      ...shape,
      port: servers[0].port,
      ports: servers.map((s) => s.port),
      timeoutMs: timeoutSeconds * 1000,
    });
    try {
      const cpu = () => servers.reduce((sum, s) => sum + cpuOf(s.stats()), 0);
      const before = { servers: cpu(), redis: cpuOf(readProcessStats(redis.pid!)) };
      const run = await load.run();
      const serverCpuSeconds = round(cpu() - before.servers);
      const redisCpuSeconds = round(cpuOf(readProcessStats(redis.pid!)) - before.redis);
      return {
        nodes,
        members: shape.connections,
        run,
        serverCpuSeconds,
        redisCpuSeconds,
        deliveriesPerServerCpuSecond: serverCpuSeconds > 0
          ? Math.round(run.deliveries / serverCpuSeconds)
          : null,
      };
    } finally {
      await load.close();
    }
  } finally {
    for (const server of servers) await server.stop();
    await redis.remove();
  }
}

function cpuOf(stats: { userSeconds: number; systemSeconds: number } | null): number {
  return stats ? stats.userSeconds + stats.systemSeconds : 0;
}

/** The report as a table for people. */
export function formatClusterReport(report: ClusterReport): string {
  const line = (r: ClusterRun) =>
    [
      `${r.nodes}`.padStart(5),
      `${r.members}`.padStart(7),
      `${r.run.deliveriesPerSecond}`.padStart(12),
      `${r.deliveriesPerServerCpuSecond ?? "n/a"}`.padStart(14),
      `${r.serverCpuSeconds ?? "n/a"}`.padStart(9),
      `${r.redisCpuSeconds ?? "n/a"}`.padStart(9),
      `${r.run.latency.p50}`.padStart(7),
      `${r.run.latency.p99}`.padStart(7),
      `${r.run.lost}`.padStart(5),
    ].join(" ");
  const head = "nodes members deliveries/s per chat CPU-s chat CPU redis CPU p50 ms p99 ms lost";
  return [
    "Cluster: one chat on several chat serve --redis nodes, members spread evenly",
    "",
    "Same load on 1, 2, 3 nodes (flat out):",
    head,
    ...report.fanout.map(line),
    "",
    "Light load (100 members, 100 messages/s in total):",
    head,
    ...report.light.map(line),
    ...(report.problems.length ? ["", "Problems:", ...report.problems] : []),
  ].join("\n");
}
