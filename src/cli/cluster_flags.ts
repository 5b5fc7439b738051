/**
 * `chat serve --redis URL`: the flag (or `CHAT_REDIS_URL`) that makes this
 * server one node of several sharing one chat over Redis (docs/SCALING.md).
 *
 * @module
 */

import type { ParsedArgs } from "./args.ts";
import type { OptionTable } from "./options.ts";
import { UsageError, UserError } from "./errors.ts";
import { Cluster } from "../server/cluster/cluster.ts";
import { redactedUrl, redisUrlProblem } from "../server/cluster/redis_url.ts";

/** The cluster options of `chat serve`. */
export const CLUSTER_OPTIONS: OptionTable = {
  redis: {
    type: "string",
    value: "URL",
    help: "be one node of a chat shared over Redis: redis://HOST:PORT/DB\n" +
      "(rediss:// for TLS, redis://:PASSWORD@HOST…; or CHAT_REDIS_URL)",
  },
};

/** What the environment may give instead of the flag (and, for tests, the node lifetime). */
export interface ClusterEnv {
  CHAT_REDIS_URL?: string;
  /** Test only: how long a silent node counts as alive, in ms (default 10 s). */
  CHAT_NODE_TTL_MS?: string;
}

/** The Redis settings, or undefined for a lone server. */
export interface ClusterSettings {
  url: string;
  nodeTtlMs?: number;
}

/** Reads `--redis` (else `CHAT_REDIS_URL`); a bad URL is a usage error. */
export function clusterSettingsFrom(
  values: ParsedArgs["values"],
  env: ClusterEnv,
  command: string,
  noHistory = false,
): ClusterSettings | undefined {
  const url = values.redis === undefined ? env.CHAT_REDIS_URL : String(values.redis);
  if (url === undefined || url === "") return undefined;
  if (noHistory) {
    throw new UsageError(
      "--no-history does not go with --redis: the history is kept in Redis.",
      command,
    );
  }
  const problem = redisUrlProblem(url);
  if (problem) throw new UsageError(problem, command);
  const ttl = Number(env.CHAT_NODE_TTL_MS);
  return { url, ...(Number.isInteger(ttl) && ttl > 0 ? { nodeTtlMs: ttl } : {}) };
}

/** The cluster environment variables, where the permissions allow reading them. */
export function clusterEnv(): ClusterEnv {
  const read = (name: string) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined;
    }
  };
  return { CHAT_REDIS_URL: read("CHAT_REDIS_URL"), CHAT_NODE_TTL_MS: read("CHAT_NODE_TTL_MS") };
}

/** Joins the chat in Redis; an unreachable Redis is a runtime error with a sentence. */
export async function openCluster(
  settings: ClusterSettings,
  historyLimit: number,
  log: (line: string) => void,
): Promise<{ cluster: Cluster; note: string }> {
  try {
    const cluster = await Cluster.open({ ...settings, historyLimit, log });
    return {
      cluster,
      note: `History is kept in Redis at ${redactedUrl(settings.url)} (last ${historyLimit} ` +
        "messages per room), shared by every node.",
    };
  } catch (error) {
    throw new UserError((error as Error).message, { cause: error });
  }
}
