/**
 * Which nodes are alive. Each node keeps a key `chat:node:<id>` that expires
 * unless the node refreshes it; a node that dies (kill -9, power loss) stops
 * refreshing, and the first surviving node to notice (only one wins the
 * `SREM` from the set of nodes) announces its members gone in their rooms
 * and frees their names. The members can then come back on another node
 * with their token.
 *
 * @module
 */

import type { Redis } from "ioredis";
import type { LeaveRecord } from "../../protocol/frames.ts";

/** The set of node ids that have not been found dead yet. */
export const NODES_KEY = "chat:nodes";

/** A node's liveness key; it expires `ttlMs` after the node's last refresh. */
export function nodeKey(node: string): string {
  return `chat:node:${node}`;
}

/** The set of a node's members in rooms, as `roomKey<TAB>name`, for announcing them gone. */
export function membersKey(node: string): string {
  return `chat:node:${node}:members`;
}

/** How long a node's liveness key lasts unless refreshed (a dead node is noticed within this and a check). */
export const NODE_TTL_MS = 10_000;

/** What a node says about itself in its liveness key. */
export interface NodeInfo {
  id: string;
  /** The address and port its members connect to, for `/nodes`. */
  listen: string;
  startedAt: number;
}

/** Timer functions, replaceable in tests. */
export interface Timers {
  setInterval(run: () => void, ms: number): ReturnType<typeof setInterval>;
  clearInterval(id: ReturnType<typeof setInterval>): void;
}

/** Settings of {@linkcode NodeLiveness}. */
export interface LivenessOptions {
  redis: Redis;
  self: NodeInfo;
  ttlMs?: number;
  timers?: Timers;
  now?: () => number;
  /** Called once, on the one node that takes it in charge, for each dead node. */
  reap: (node: string) => Promise<void>;
}

/** Keeps this node alive in Redis and notices the others dying. */
export class NodeLiveness {
  readonly #options: LivenessOptions;
  readonly #ttlMs: number;
  readonly #timers: Timers;
  readonly #intervals: ReturnType<typeof setInterval>[] = [];
  #alive: NodeInfo[] = [];
  /**
   * Since when this node's own key has been refreshed without a failure.
   * Other nodes' keys may have expired while Redis was away (or before
   * this node came), so none is found dead before a whole lifetime has
   * passed since: every live node has refreshed by then.
   */
  #refreshedSince: number | undefined;
  readonly #now: () => number;

  constructor(options: LivenessOptions) {
    this.#options = options;
    this.#ttlMs = options.ttlMs ?? NODE_TTL_MS;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? {
      setInterval: (run, ms) => setInterval(run, ms),
      clearInterval: (id) => clearInterval(id),
    };
  }

  /** Registers this node and starts refreshing and checking, a third of the lifetime apart. */
  async start(): Promise<void> {
    await this.#refresh();
    await this.check();
    const every = Math.max(100, Math.floor(this.#ttlMs / 3));
    this.#intervals.push(
      this.#timers.setInterval(() => void this.#refresh().catch(() => {}), every),
      this.#timers.setInterval(() => void this.check().catch(() => {}), every),
    );
  }

  /** The nodes seen alive at the last check, this one included, oldest first. */
  get alive(): NodeInfo[] {
    return this.#alive;
  }

  /** Finds the nodes alive, and takes in charge those that died (once across all nodes). */
  async check(): Promise<void> {
    const { redis, reap } = this.#options;
    const ids = await redis.smembers(NODES_KEY);
    const infos = ids.length === 0 ? [] : await redis.mget(ids.map(nodeKey));
    const since = this.#refreshedSince;
    const settled = since !== undefined && this.#now() - since >= this.#ttlMs;
    const alive: NodeInfo[] = [];
    for (const [i, id] of ids.entries()) {
      const json = infos[i];
      if (json !== null) {
        alive.push(JSON.parse(json));
      } else if (settled && id !== this.#options.self.id && await redis.srem(NODES_KEY, id) === 1) {
        await reap(id);
      }
    }
    this.#alive = alive.sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
  }

  /** Redis went away: other nodes' keys may expire meanwhile, so wait a lifetime before judging them. */
  lost(): void {
    this.#refreshedSince = undefined;
  }

  /** Stops refreshing and leaves the set of nodes (a clean stop: its members already left). */
  async stop(): Promise<void> {
    for (const id of this.#intervals) this.#timers.clearInterval(id);
    const { redis, self } = this.#options;
    await redis.multi().srem(NODES_KEY, self.id).del(nodeKey(self.id), membersKey(self.id)).exec()
      .catch(() => {});
  }

  async #refresh(): Promise<void> {
    const { redis, self } = this.#options;
    try {
      await redis.multi()
        .set(nodeKey(self.id), JSON.stringify(self), "PX", this.#ttlMs)
        .sadd(NODES_KEY, self.id)
        .exec();
      this.#refreshedSince ??= this.#now();
    } catch (error) {
      this.#refreshedSince = undefined;
      throw error;
    }
  }
}

/** The leave record for a member whose node died. */
export function goneRecord(room: string, name: string): Omit<LeaveRecord, "id" | "ts"> {
  return {
    type: "leave",
    room,
    name,
    count: 0,
    kind: "disconnected",
    reason: "their server stopped",
  };
}
