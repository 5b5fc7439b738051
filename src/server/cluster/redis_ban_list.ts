/**
 * The operator's bans shared by every node: a ban made on one node's
 * console keeps the address out of all of them. Each node checks its own
 * copy (a {@linkcode BanList}); changes go to Redis and to the other nodes.
 *
 * @module
 */

import type { Redis } from "ioredis";
import { type Ban, BanList } from "../ban_list.ts";
import type { ClusterEvents } from "./cluster_events.ts";

/** The Redis hash of bans: banned address key → ban as JSON. */
export const BANS_KEY = "chat:bans";

/** {@linkcode BanList} mirrored from Redis. */
export class RedisBanList extends BanList {
  readonly #redis: Redis;
  readonly #events: ClusterEvents;

  private constructor(redis: Redis, events: ClusterEvents) {
    super();
    this.#redis = redis;
    this.#events = events;
    events.on("ban", (event) => this.#keep(event.ban as Ban));
    events.on("unban", (event) => this.#lift(String(event.address)));
  }

  /** Loads the bans from Redis and follows the other nodes' changes. */
  static async open(redis: Redis, events: ClusterEvents): Promise<RedisBanList> {
    const bans = new RedisBanList(redis, events);
    for (const json of await redis.hvals(BANS_KEY)) bans.#keep(JSON.parse(json));
    return bans;
  }

  override add(ban: Ban): void {
    super.add(ban);
    const stored = this.find(ban.address, 0)!; // as kept: by the address's key
    this.#redis.hset(BANS_KEY, stored.address, JSON.stringify(stored)).catch(() => {});
    this.#events.publish({ kind: "ban", ban: stored }).catch(() => {});
  }

  override remove(addressOrName: string): Ban | undefined {
    const lifted = super.remove(addressOrName);
    if (lifted) {
      this.#redis.hdel(BANS_KEY, lifted.address).catch(() => {});
      this.#events.publish({ kind: "unban", address: lifted.address }).catch(() => {});
    }
    return lifted;
  }

  /** Copies another node's ban. */
  #keep(ban: Ban): void {
    super.add(ban);
  }

  #lift(address: string): void {
    super.remove(address);
  }
}
