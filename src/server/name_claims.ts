/**
 * Who held a name, so that the same person can come back to it. When someone
 * joins, the room gives them a {@linkcode NameClaim}: an internal holder id
 * and a secret token (sent once, in the welcome). Presenting the token later
 * (`resume`) proves "I am the one who was called this" — to take over a
 * connection that has not timed out yet, to see one's own private messages in
 * the history, and to receive private messages that arrived while away.
 *
 * Names are not accounts: anyone may take a free name, and gets a new claim
 * (a new holder) that sees none of the earlier holder's private messages.
 * A claim expires {@linkcode CLAIM_TTL_MS} after its holder was last in the room.
 *
 * @module
 */

import { CLAIM_TTL_MS } from "../protocol/limits.ts";
import { nameKey } from "../protocol/names.ts";
import { SkeletonIndex } from "./skeleton_index.ts";

/** One person's hold on a name. */
export interface NameClaim {
  /** Internal identity of the holder; never sent to anyone. */
  holder: string;
  /** The secret the holder presents as `resume`; absent for clients that can't (plain text). */
  token?: string;
  /** The name as shown, as the holder last had it. */
  name: string;
  /** When the holder was last in the room (ms since the epoch). */
  seenAt: number;
}

/** Where claims are kept. */
export interface ClaimStore {
  /** The claim with this token, if any (expired or not). */
  byToken(token: string): NameClaim | undefined;
  /** The claim on this name (by {@linkcode nameKey}) whose holder was seen last, if any. */
  latest(key: string): NameClaim | undefined;
  /** Inserts a claim or updates it (by holder). */
  save(claim: NameClaim): void;
  /** Keys of claimed names with this skeleton (`nameSkeleton`), from an index; some may be stale. */
  keysLike(skeleton: string): Iterable<string>;
}

/** True when the claim's holder was in the room within {@linkcode CLAIM_TTL_MS} before `now`. */
export function isClaimFresh(claim: NameClaim, now: number): boolean {
  return now - claim.seenAt <= CLAIM_TTL_MS;
}

/** A new claim on `name` for a new holder; with a token only when the client can present one. */
export function newClaim(name: string, now: number, withToken: boolean): NameClaim {
  const claim: NameClaim = { holder: crypto.randomUUID(), name, seenAt: now };
  if (withToken) claim.token = crypto.randomUUID();
  return claim;
}

/** Claims in memory (`--no-history`); expired ones are dropped as new ones come. */
export class MemoryClaims implements ClaimStore {
  readonly #byHolder = new Map<string, NameClaim>();
  readonly #holderByToken = new Map<string, string>();
  readonly #skeletons = new SkeletonIndex();
  #savesSincePrune = 0;

  byToken(token: string): NameClaim | undefined {
    const holder = this.#holderByToken.get(token);
    return holder === undefined ? undefined : this.#byHolder.get(holder);
  }

  latest(key: string): NameClaim | undefined {
    let found: NameClaim | undefined;
    for (const claim of this.#byHolder.values()) {
      if (nameKey(claim.name) === key && (!found || claim.seenAt >= found.seenAt)) found = claim;
    }
    return found;
  }

  save(claim: NameClaim): void {
    this.#byHolder.set(claim.holder, { ...claim });
    if (claim.token !== undefined) this.#holderByToken.set(claim.token, claim.holder);
    this.#skeletons.add(claim.name);
    if (++this.#savesSincePrune >= 1000) this.#prune(claim.seenAt);
  }

  keysLike(skeleton: string): Iterable<string> {
    return this.#skeletons.keys(skeleton);
  }

  #prune(now: number): void {
    this.#savesSincePrune = 0;
    for (const [holder, claim] of this.#byHolder) {
      if (isClaimFresh(claim, now)) continue;
      this.#byHolder.delete(holder);
      if (claim.token !== undefined) this.#holderByToken.delete(claim.token);
    }
    this.#skeletons.reset([...this.#byHolder.values()].map((claim) => claim.name));
  }
}
