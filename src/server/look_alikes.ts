/**
 * Refusing names that look like someone else's: a name whose skeleton
 * ({@linkcode nameSkeleton}, Unicode UTS #39) equals that of a member who is
 * here, or of a name whose claim is still fresh, is refused — `aIice` next to
 * `alice`. Names are found by skeleton through the claim store's
 * `keysLike` (a `SkeletonIndex` kept beside the claims), so the check never
 * scans the claims.
 *
 * @module
 */

import type { Refusal } from "../protocol/errors.ts";
import { nameKey } from "../protocol/names.ts";
import { nameSkeleton, reservedLookAlike } from "./name_skeleton.ts";
import { type ClaimStore, isClaimFresh, type NameClaim } from "./name_claims.ts";

/** What the check needs to know about the room. */
export interface LookAlikeContext {
  /** The name of the member present under this name (case-insensitive), if any. */
  presentName(name: string): string | undefined;
  /** Where claims are kept. */
  claims: ClaimStore;
  /** The requester's own claim (a returning holder, or a member renaming), if any. */
  own?: NameClaim;
  /** Now, in ms since the epoch. */
  now: number;
}

/**
 * Refuses `name` when it looks like (same skeleton, other name) a reserved
 * word, a present member's name or a freshly claimed one. A holder taking back their own name
 * is never refused, and the requester's own name and claim never count against
 * them (a member may rename `alice` to `Alice_` or `aIice`).
 */
export function lookAlikeRefusal(name: string, context: LookAlikeContext): Refusal | undefined {
  const reserved = reservedLookAlike(name);
  if (reserved) return reserved;
  const key = nameKey(name);
  const { own, claims, now } = context;
  const ownKey = own && nameKey(own.name);
  if (ownKey === key) return undefined;
  for (const other of claims.keysLike(nameSkeleton(name))) {
    if (other === key || other === ownKey) continue;
    const present = context.presentName(other);
    if (present !== undefined) {
      return {
        code: "name_taken",
        message: `"${name}" looks too much like "${present}", who is here. Pick another name.`,
      };
    }
    const claim = claims.latest(other);
    if (claim && claim.holder !== own?.holder && isClaimFresh(claim, now)) {
      return {
        code: "name_taken",
        message:
          `"${name}" looks too much like "${claim.name}", a name used here recently. Pick another name.`,
      };
    }
  }
  return undefined;
}
