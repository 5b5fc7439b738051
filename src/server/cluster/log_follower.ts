/**
 * Reads the logs (Redis Streams) of every room a node has open, once per
 * node, on a connection of its own that blocks in `XREAD`: each entry goes
 * to the room's listener, which hands it to the node's own members. Adding
 * nodes adds readers, not work for the others.
 *
 * @module
 */

import type { Redis } from "ioredis";

/** One stream entry: its id (`<n>-0`) and its fields, flat (`[name, value, …]`). */
export type StreamEntry = [id: string, fields: string[]];

/** Entries read at once from one stream. */
const BATCH = 500;
/** Longest block; a stream added meanwhile waits at most this long (it also unblocks the read). */
const BLOCK_MS = 1000;
/** Pause after a failed read (Redis away), before trying again. */
const RETRY_MS = 250;

interface Followed {
  /** Id of the last entry handed on. */
  after: string;
  listener: (entry: StreamEntry) => void;
}

/** The node's one reader of room logs. */
export class LogFollower {
  readonly #reader: Redis;
  readonly #control: Redis;
  readonly #streams = new Map<string, Followed>();
  #readerId: number | undefined;
  #stopped = false;
  readonly #loop: Promise<void>;

  /**
   * @param reader a connection used for nothing else (it blocks)
   * @param control another connection, to wake the reader when a stream is added
   */
  constructor(reader: Redis, control: Redis) {
    this.#reader = reader;
    this.#control = control;
    reader.on("ready", () => {
      this.#readerId = undefined;
    });
    this.#loop = this.#run();
  }

  /** Hands every entry of `stream` after the id `after` to `listener`, in order. */
  follow(stream: string, after: string, listener: (entry: StreamEntry) => void): void {
    this.#streams.set(stream, { after, listener });
    this.#wake();
  }

  /** Stops handing on `stream`'s entries. */
  unfollow(stream: string): void {
    this.#streams.delete(stream);
  }

  /** Stops reading. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake();
    this.#reader.disconnect();
    await this.#loop;
  }

  #wake(): void {
    const id = this.#readerId;
    if (id !== undefined) this.#control.client("UNBLOCK", id).catch(() => {});
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const keys = [...this.#streams.keys()];
      try {
        this.#readerId ??= Number(await this.#reader.client("ID"));
        if (keys.length === 0) {
          await this.#reader.xread("BLOCK", BLOCK_MS, "STREAMS", "chat:idle", "$");
          continue;
        }
        const ids = keys.map((key) => this.#streams.get(key)!.after);
        const found = await this.#reader.xread(
          "COUNT",
          BATCH,
          "BLOCK",
          BLOCK_MS,
          "STREAMS",
          ...keys,
          ...ids,
        ) as Array<[string, StreamEntry[]]> | null;
        for (const [key, entries] of found ?? []) this.#handOn(key, entries);
      } catch {
        if (this.#stopped) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  #handOn(key: string, entries: StreamEntry[]): void {
    const followed = this.#streams.get(key);
    if (!followed) return;
    for (const entry of entries) {
      if (sequence(entry[0]) <= sequence(followed.after)) continue; // read before a re-follow
      followed.after = entry[0];
      try {
        followed.listener(entry);
      } catch {
        // One room's trouble never stops the others' delivery.
      }
    }
  }
}

/** The number before the dash of a stream id written by the append script (`<n>-0`). */
export function sequence(streamId: string): number {
  return Number(streamId.slice(0, streamId.indexOf("-")));
}
