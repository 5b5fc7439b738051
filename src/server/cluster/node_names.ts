/**
 * Names held across nodes: which node's client holds each name, in one
 * Redis hash (name key → holder and node) copied on every node, so a name is
 * unique across all of them. A member who presents their token on another
 * node takes the name over there; the node that had them is told and lets
 * its connection go.
 *
 * @module
 */

import type { Redis } from "ioredis";
import { nameKey } from "../../protocol/names.ts";
import type { Client, OtherNodes } from "../rooms/clients.ts";
import type { ClusterEvents } from "./cluster_events.ts";

/** The Redis hash of held names: name key → {@linkcode HeldName} as JSON. */
export const NAMES_KEY = "chat:names";

/** Who holds a name, on which node. */
export interface HeldName {
  name: string;
  holder: string;
  node: string;
}

/** Deletes a name's entry only while it is still the one given (not taken over since). */
const RELEASE_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`;

/** Every node's names, and this node's part in them. */
export class NodeNames implements OtherNodes {
  readonly #held = new Map<string, HeldName>();
  readonly #redis: Redis;
  readonly #events: ClusterEvents;
  readonly #node: string;
  #onTakenOver: (key: string, byAnother: boolean) => void = () => {};

  private constructor(redis: Redis, events: ClusterEvents, node: string) {
    this.#redis = redis;
    this.#events = events;
    this.#node = node;
    events.on("name", (event) => {
      const key = String(event.key);
      const held = event.held as HeldName;
      const mine = this.#held.get(key);
      if (mine?.node !== this.#node) return void this.#held.set(key, held);
      if (mine.holder === held.holder) {
        this.#held.set(key, held);
        return this.#onTakenOver(key, false); // the same person, now on another node
      }
      // Two nodes gave the name to two people at the same moment: Redis kept one.
      void this.#redis.hget(NAMES_KEY, key).then((kept) => {
        if (kept === null || (JSON.parse(kept) as HeldName).node === this.#node) return;
        this.#held.set(key, JSON.parse(kept));
        this.#onTakenOver(key, true);
      }).catch(() => {});
    });
    events.on("unname", (event) => this.#forget(String(event.key), event.held as HeldName));
  }

  /** Loads the names held now and follows the other nodes' changes. */
  static async open(redis: Redis, events: ClusterEvents, node: string): Promise<NodeNames> {
    const names = new NodeNames(redis, events, node);
    await names.reload();
    return names;
  }

  /** Reads the names again (news may have been missed while the subscription was down). */
  async reload(): Promise<void> {
    const stored = await this.#redis.hgetall(NAMES_KEY);
    this.#held.clear();
    for (const [key, json] of Object.entries(stored)) this.#held.set(key, JSON.parse(json));
  }

  /**
   * Calls `listener` with the key of a name this node's client held and
   * another node took: by its holder's token (`byAnother` false), or given to
   * someone else at the same moment (true; Redis kept the other).
   */
  onTakenOver(listener: (key: string, byAnother: boolean) => void): void {
    this.#onTakenOver = listener;
  }

  holderOf(key: string): HeldName | undefined {
    const held = this.#held.get(key);
    return held && held.node !== this.#node ? held : undefined;
  }

  hold(client: Client): void {
    const key = nameKey(client.name);
    const held = { name: client.name, holder: client.holder, node: this.#node };
    this.#held.set(key, held);
    this.#redis.hset(NAMES_KEY, key, JSON.stringify(held)).catch(() => {});
    this.#events.publish({ kind: "name", key, held }).catch(() => {});
  }

  release(client: Client, name: string): void {
    const key = nameKey(name);
    const held = this.#held.get(key);
    if (held?.node !== this.#node || held.holder !== client.holder) return; // taken over elsewhere
    this.#held.delete(key);
    this.#unhold(key, held);
  }

  /** The names a node's clients hold. */
  heldBy(node: string): Array<[key: string, held: HeldName]> {
    return [...this.#held].filter(([, held]) => held.node === node);
  }

  /** Frees a name another node held (that node is gone). */
  free(key: string, held: HeldName): Promise<unknown> {
    this.#forget(key, held);
    return this.#unhold(key, held);
  }

  #unhold(key: string, held: HeldName): Promise<unknown> {
    return Promise.all([
      this.#redis.eval(RELEASE_SCRIPT, 1, NAMES_KEY, key, JSON.stringify(held)),
      this.#events.publish({ kind: "unname", key, held }),
    ]).catch(() => {});
  }

  #forget(key: string, held: HeldName): void {
    const known = this.#held.get(key);
    if (known?.node === held.node && known.holder === held.holder) this.#held.delete(key);
  }
}
