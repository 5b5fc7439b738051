/**
 * The away mailbox shared by every node: private messages kept for an
 * absent member wait in Redis (one hash per holder, by record id), and every
 * node keeps a copy for its synchronous counts; whichever node the member
 * comes back to hands them over, and removes them once they were written.
 *
 * @module
 */

import type { Redis } from "ioredis";
import type { PrivateRecord } from "../../protocol/frames.ts";
import { type Mailbox, MemoryMailbox } from "../mailbox.ts";
import type { ClusterEvents } from "./cluster_events.ts";

/** The set of holders with mail waiting; each one's mail is the hash `chat:mail:<holder>` by id. */
const HOLDERS_KEY = "chat:mail:holders";

function mailKey(holder: string): string {
  return `chat:mail:${holder}`;
}

/** Removes handed-over records and, once the holder's hash is empty, the holder from the set. */
const REMOVE_SCRIPT = `
redis.call("HDEL", KEYS[1], unpack(ARGV))
if redis.call("HLEN", KEYS[1]) == 0 then redis.call("SREM", KEYS[2], KEYS[3]) end
return 1`;

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
    events.on("remove", (event) => {
      this.#copy.remove(String(event.holder), (event.ids as number[]).map(Number));
    });
  }

  /** Loads the waiting mail from Redis and follows the other nodes' changes. */
  static async open(redis: Redis, events: ClusterEvents): Promise<RedisMailbox> {
    const mailbox = new RedisMailbox(redis, events);
    for (const holder of await redis.smembers(HOLDERS_KEY)) {
      const kept = Object.values(await redis.hgetall(mailKey(holder)))
        .map((json) => JSON.parse(json) as { record: PrivateRecord; sender: string })
        .sort((a, b) => a.record.id - b.record.id);
      for (const { record, sender } of kept) mailbox.#copy.hold(holder, record, sender);
    }
    return mailbox;
  }

  hold(holder: string, record: PrivateRecord, sender: string): void {
    this.#copy.hold(holder, record, sender);
    this.#redis.multi()
      .hset(mailKey(holder), String(record.id), JSON.stringify({ record, sender }))
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

  peek(holder: string): PrivateRecord[] {
    return this.#copy.peek(holder);
  }

  remove(holder: string, ids: number[]): void {
    if (ids.length === 0) return;
    this.#copy.remove(holder, ids);
    this.#redis.eval(REMOVE_SCRIPT, 3, mailKey(holder), HOLDERS_KEY, holder, ...ids.map(String))
      .catch(() => {});
    this.#events.publish({ kind: "remove", holder, ids }).catch(() => {});
  }
}
