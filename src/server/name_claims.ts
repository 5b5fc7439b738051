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

import { createHash } from "node:crypto";
import { CLAIM_TTL_MS } from "../protocol/limits.ts";
import { nameKey } from "../protocol/names.ts";
import { SkeletonIndex } from "./skeleton_index.ts";

/** One person's hold on a name. */
export interface NameClaim {
  /** Internal identity of the holder; never sent to anyone. */
  holder: string;
  /**
   * The secret the holder presents as `resume`, known only to the one who
   * just got or presented it (stores keep a hash); absent otherwise.
   */
  token?: string;
  /** The holder has a token (plain-text clients don't), so mail can be kept for them. */
  canResume: boolean;
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
  /** Inserts a claim or updates it (by holder); a claim saved without `token` keeps its token. */
  save(claim: NameClaim): void;
  /** Keys of claimed names with this skeleton (`nameSkeleton`), from an index; some may be stale. */
  keysLike(skeleton: string): Iterable<string>;
  /** Deletes the holder's claim (a throwaway name, see {@linkcode isClaimUsed}). */
  forget(holder: string): void;
}

/** A holder who stayed this long has really used the name, even without a word. */
export const CLAIM_MIN_STAY_MS = 60_000;

/**
 * True when a leaving member's claim is worth keeping: they said something
 * (in public or privately) or were sent a private message, came back with
 * their token, or stayed at least
 * {@linkcode CLAIM_MIN_STAY_MS}. Other claims (a connect–leave loop's
 * throwaway names) are forgotten on leave, so they neither pile up nor
 * collect private messages.
 */
export function isClaimUsed(
  use: { spoke: boolean; resumed: boolean; joinedAt: number },
  now: number,
): boolean {
  return use.spoke || use.resumed || now - use.joinedAt >= CLAIM_MIN_STAY_MS;
}

/** How tokens are kept at rest: SHA-256, hex. Tokens are random UUIDs, so no salt is needed. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** True when the claim's holder was in the room within {@linkcode CLAIM_TTL_MS} before `now`. */
export function isClaimFresh(claim: NameClaim, now: number): boolean {
  return now - claim.seenAt <= CLAIM_TTL_MS;
}

/** A new claim on `name` for a new holder; with a token only when the client can present one. */
export function newClaim(name: string, now: number, withToken: boolean): NameClaim {
  const claim: NameClaim = { holder: crypto.randomUUID(), name, seenAt: now, canResume: withToken };
  if (withToken) claim.token = crypto.randomUUID();
  return claim;
}

/** Claims in memory (`--no-history`); expired ones are dropped as new ones come. */
export class MemoryClaims implements ClaimStore {
  readonly #byHolder = new Map<string, NameClaim>();
  readonly #holderByToken = new Map<string, string>();
  readonly #skeletons = new SkeletonIndex();
  readonly #tokenByHolder = new Map<string, string>();
  /** Holders by name key, so `/msg` to an absent name looks at that name's claims only. */
  readonly #holdersByKey = new Map<string, Set<string>>();
  #savesSincePrune = 0;

  byToken(token: string): NameClaim | undefined {
    const holder = this.#holderByToken.get(token);
    const claim = holder === undefined ? undefined : this.#byHolder.get(holder);
    return claim && { ...claim, token };
  }

  latest(key: string): NameClaim | undefined {
    let found: NameClaim | undefined;
    for (const holder of this.#holdersByKey.get(key) ?? []) {
      const claim = this.#byHolder.get(holder)!;
      if (!found || claim.seenAt >= found.seenAt) found = claim;
    }
    return found;
  }

  save(claim: NameClaim): void {
    const { token, ...kept } = claim;
    this.#unindex(claim.holder);
    this.#byHolder.set(claim.holder, kept);
    const key = nameKey(claim.name);
    const holders = this.#holdersByKey.get(key);
    if (holders) holders.add(claim.holder);
    else this.#holdersByKey.set(key, new Set([claim.holder]));
    this.#skeletons.add(claim.name);
    if (token !== undefined) {
      this.#holderByToken.set(token, claim.holder);
      this.#tokenByHolder.set(claim.holder, token);
    }
    if (++this.#savesSincePrune >= 1000) this.#prune(claim.seenAt);
  }

  keysLike(skeleton: string): Iterable<string> {
    return this.#skeletons.keys(skeleton);
  }

  forget(holder: string): void {
    this.#unindex(holder);
    this.#byHolder.delete(holder);
    const token = this.#tokenByHolder.get(holder);
    if (token === undefined) return;
    this.#tokenByHolder.delete(holder);
    this.#holderByToken.delete(token);
  }

  /** Takes the holder's current name out of the name and skeleton indexes. */
  #unindex(holder: string): void {
    const claim = this.#byHolder.get(holder);
    if (!claim) return;
    const key = nameKey(claim.name);
    const holders = this.#holdersByKey.get(key);
    holders?.delete(holder);
    if (holders?.size === 0) {
      this.#holdersByKey.delete(key);
      this.#skeletons.remove(claim.name);
    }
  }

  #prune(now: number): void {
    this.#savesSincePrune = 0;
    for (const [holder, claim] of this.#byHolder) {
      if (!isClaimFresh(claim, now)) this.forget(holder);
    }
  }
}
