/**
 * The away mailbox shared by every node: private messages kept for an
 * absent member wait in Redis (one list per holder), and every node keeps a
 * copy for its synchronous counts; whichever node the member comes back to
 * hands them over, once.
 *
 * @module
 */

import type { Redis } from "ioredis";
import type { PrivateRecord } from "../../protocol/frames.ts";
import { type Mailbox, MemoryMailbox } from "../mailbox.ts";
import type { ClusterEvents } from "./cluster_events.ts";

/** The set of holders with mail waiting; each one's mail is the list `chat:mail:<holder>`. */
const HOLDERS_KEY = "chat:mail:holders";

function listKey(holder: string): string {
  return `chat:mail:${holder}`;
}

/** {@linkcode Mailbox} mirrored from Redis. */
export class RedisMailbox implements Mailbox {
  readonly #copy = new MemoryMailbox();
  readonly #redis: Redis;
  readonly #events: ClusterEvents;

  private constructor(redis: Redis, events: ClusterEvents) {
    this.#redis = redis;
    this.#events = events;
    events.on("hold", (event) => {
      this.#copy.hold(String(event.holder), event.record as PrivateRecord, String(event.sender));
    });
    events.on("take", (event) => void this.#copy.take(String(event.holder)));
  }

  /** Loads the waiting mail from Redis and follows the other nodes' changes. */
  static async open(redis: Redis, events: ClusterEvents): Promise<RedisMailbox> {
    const mailbox = new RedisMailbox(redis, events);
    for (const holder of await redis.smembers(HOLDERS_KEY)) {
      for (const json of await redis.lrange(listKey(holder), 0, -1)) {
        const { record, sender } = JSON.parse(json);
        mailbox.#copy.hold(holder, record, sender);
      }
    }
    return mailbox;
  }

  hold(holder: string, record: PrivateRecord, sender: string): void {
    this.#copy.hold(holder, record, sender);
    this.#redis.multi()
      .rpush(listKey(holder), JSON.stringify({ record, sender }))
      .sadd(HOLDERS_KEY, holder)
      .exec().catch(() => {});
    this.#events.publish({ kind: "hold", holder, record, sender }).catch(() => {});
  }

  count(holder: string): number {
    return this.#copy.count(holder);
  }

  countFrom(sender: string): number {
    return this.#copy.countFrom(sender);
  }

  total(): { count: number; bytes: number } {
    return this.#copy.total();
  }

  take(holder: string): PrivateRecord[] {
    const taken = this.#copy.take(holder);
    if (taken.length === 0) return taken;
    this.#redis.multi().del(listKey(holder)).srem(HOLDERS_KEY, holder).exec().catch(() => {});
    this.#events.publish({ kind: "take", holder }).catch(() => {});
    return taken;
  }
}
