/**
 * Claims on names shared by every node: each node answers from its own copy
 * (a {@linkcode MemoryClaims}, so admission stays synchronous) and writes
 * every change to Redis and to the other nodes. A member can then resume
 * with their token on any node. Tokens are kept only as their SHA-256.
 *
 * @module
 */

import type { Redis } from "ioredis";
import {
  type ClaimStore,
  hashToken,
  isClaimFresh,
  MemoryClaims,
  type NameClaim,
} from "../name_claims.ts";
import type { ClusterEvents } from "./cluster_events.ts";

/** The Redis hash of claims: holder → claim as JSON, its token hashed. */
export const CLAIMS_KEY = "chat:claims";

/** {@linkcode ClaimStore} mirrored from Redis. */
export class RedisClaims implements ClaimStore {
  readonly #copy = new MemoryClaims();
  readonly #redis: Redis;
  readonly #events: ClusterEvents;
  /** Each holder's hashed token, so a claim saved without it keeps it in Redis too. */
  readonly #tokens = new Map<string, string>();

  private constructor(redis: Redis, events: ClusterEvents) {
    this.#redis = redis;
    this.#events = events;
    events.on("claim", (event) => this.#keep(event.claim as NameClaim));
    events.on("unclaim", (event) => this.#drop(String(event.holder)));
  }

  /** Loads every claim from Redis and follows the other nodes' changes. */
  static async open(redis: Redis, events: ClusterEvents, now: number): Promise<RedisClaims> {
    const claims = new RedisClaims(redis, events);
    const expired: string[] = [];
    for (const json of await redis.hvals(CLAIMS_KEY)) {
      const claim: NameClaim = JSON.parse(json);
      if (isClaimFresh(claim, now)) claims.#keep(claim);
      else expired.push(claim.holder);
    }
    // Claims past their lifetime go when a node starts, so the hash does not only grow.
    if (expired.length > 0) await redis.hdel(CLAIMS_KEY, ...expired);
    return claims;
  }

  byToken(token: string): NameClaim | undefined {
    const claim = this.#copy.byToken(hashToken(token));
    return claim && { ...claim, token };
  }

  latest(key: string): NameClaim | undefined {
    return this.#copy.latest(key);
  }

  save(claim: NameClaim): void {
    const token = claim.token === undefined
      ? this.#tokens.get(claim.holder)
      : hashToken(claim.token);
    const hashed = { ...claim, ...(token === undefined ? {} : { token }) };
    this.#keep(hashed);
    this.#redis.hset(CLAIMS_KEY, claim.holder, JSON.stringify(hashed)).catch(() => {});
    this.#events.publish({ kind: "claim", claim: hashed }).catch(() => {});
  }

  keysLike(skeleton: string): Iterable<string> {
    return this.#copy.keysLike(skeleton);
  }

  forget(holder: string): void {
    this.#drop(holder);
    this.#redis.hdel(CLAIMS_KEY, holder).catch(() => {});
    this.#events.publish({ kind: "unclaim", holder }).catch(() => {});
  }

  /** Copies a claim whose token (if any) is already hashed. */
  #keep(claim: NameClaim): void {
    this.#copy.save(claim);
    if (claim.token !== undefined) this.#tokens.set(claim.holder, claim.token);
  }

  #drop(holder: string): void {
    this.#copy.forget(holder);
    this.#tokens.delete(holder);
  }
}
