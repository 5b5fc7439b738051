/**
 * News between nodes over Redis pub/sub: each change a node makes to what
 * every node mirrors (claims, the mailbox, names, rooms) is written to Redis
 * and announced here, so the others update their copy. A node ignores its
 * own news. Pub/sub keeps one publisher's messages in order.
 *
 * @module
 */

import type { Redis } from "ioredis";

/** The one channel the nodes talk on. */
export const EVENTS_CHANNEL = "chat:events";

/** A piece of news: what kind, and its fields. */
export interface ClusterEvent {
  kind: string;
  [field: string]: unknown;
}

/** Sends and receives the nodes' news. */
export class ClusterEvents {
  readonly #publisher: Redis;
  readonly #node: string;
  readonly #listeners = new Map<string, Array<(event: ClusterEvent) => void>>();

  /**
   * @param publisher a connection for commands
   * @param subscriber a connection for nothing but the subscription
   * @param node this node's id
   */
  constructor(publisher: Redis, subscriber: Redis, node: string) {
    this.#publisher = publisher;
    this.#node = node;
    subscriber.on("message", (_channel: string, text: string) => this.#received(text));
  }

  /** Subscribes (again after each reconnect, which ioredis does by itself). */
  static async subscribe(subscriber: Redis): Promise<void> {
    await subscriber.subscribe(EVENTS_CHANNEL);
  }

  /** Calls `listener` with each event of `kind` from another node. */
  on(kind: string, listener: (event: ClusterEvent) => void): void {
    const list = this.#listeners.get(kind) ?? [];
    list.push(listener);
    this.#listeners.set(kind, list);
  }

  /** Tells the other nodes; a failure (Redis away) is the caller's to handle. */
  publish(event: ClusterEvent): Promise<unknown> {
    return this.#publisher.publish(EVENTS_CHANNEL, JSON.stringify({ ...event, node: this.#node }));
  }

  #received(text: string): void {
    let event: ClusterEvent & { node?: string };
    try {
      event = JSON.parse(text);
    } catch {
      return;
    }
    if (event.node === this.#node) return;
    for (const listener of this.#listeners.get(event.kind) ?? []) {
      try {
        listener(event);
      } catch {
        // One bad piece of news never stops the others.
      }
    }
  }
}
