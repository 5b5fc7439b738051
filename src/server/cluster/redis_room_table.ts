/**
 * The rooms every node knows (names, topics, keys, operators), kept in one
 * Redis hash and copied on each node.
 *
 * @module
 */

import type { Redis } from "ioredis";
import { MemoryRoomTable, type RoomTable, type StoredRoom } from "../rooms/room_table.ts";
import type { ClusterEvents } from "./cluster_events.ts";

/** The Redis hash of rooms: key → room as JSON. */
export const ROOMS_KEY = "chat:rooms";

/** {@linkcode RoomTable} mirrored from Redis. */
export class RedisRoomTable implements RoomTable {
  readonly #copy = new MemoryRoomTable();
  readonly #redis: Redis;
  readonly #events: ClusterEvents;
  #watcher: (key: string, room: StoredRoom | undefined) => void = () => {};

  private constructor(redis: Redis, events: ClusterEvents) {
    this.#redis = redis;
    this.#events = events;
    events.on("room", (event) => {
      const room = event.room as StoredRoom;
      this.#copy.save(room);
      this.#watcher(room.key, room);
    });
    events.on("unroom", (event) => {
      this.#copy.remove(String(event.key));
      this.#watcher(String(event.key), undefined);
    });
  }

  /** Loads the rooms from Redis and follows the other nodes' changes. */
  static async open(redis: Redis, events: ClusterEvents): Promise<RedisRoomTable> {
    const table = new RedisRoomTable(redis, events);
    for (const json of await redis.hvals(ROOMS_KEY)) table.#copy.save(JSON.parse(json));
    return table;
  }

  list(): StoredRoom[] {
    return this.#copy.list();
  }

  save(room: StoredRoom): void {
    this.#copy.save(room);
    this.#redis.hset(ROOMS_KEY, room.key, JSON.stringify(room)).catch(() => {});
    this.#events.publish({ kind: "room", room }).catch(() => {});
  }

  watch(changed: (key: string, room: StoredRoom | undefined) => void): void {
    this.#watcher = changed;
  }

  remove(key: string): void {
    this.#copy.remove(key);
    this.#redis.hdel(ROOMS_KEY, key).catch(() => {});
    this.#events.publish({ kind: "unroom", key }).catch(() => {});
  }
}
