/**
 * Connections to the Redis that several `chat serve` nodes share. Commands
 * fail at once while Redis is unreachable (no offline queue), so a node
 * never accepts a message it cannot store; ioredis reconnects by itself.
 *
 * @module
 */

import { Redis } from "ioredis";
import { redactedUrl } from "./redis_url.ts";

/** How long a node waits between attempts to reach Redis again. */
const RETRY_MS = 250;
/** How long one command may wait for its answer before it counts as failed. */
const COMMAND_TIMEOUT_MS = 2000;

/**
 * Opens a connection to `url` (`redis://[:password@]host:port/db`, or
 * `rediss://` for TLS). It connects in the background and again after
 * every loss; `ready` resolves once it first answers.
 */
export function openRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: () => RETRY_MS,
    lazyConnect: false,
  });
}

/** Resolves once the connection answers; rejects with a sentence for the operator after `ms`. */
export function untilReady(redis: Redis, url: string, ms = 5000): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off("ready", ready);
      reject(new Error(`Could not reach Redis at ${redactedUrl(url)}. Is redis-server running?`));
    }, ms);
    const ready = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once("ready", ready);
  });
}
