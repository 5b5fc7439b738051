/**
 * A private room's key: kept only as its SHA-256 digest (the history file
 * holds no keys) and compared in constant time.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash, timingSafeEqual } from "node:crypto";

/** The digest a key is kept as (hex). */
export function keyDigest(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** True when `candidate` is the key with this digest; takes the same time whatever the input. */
export function keyMatches(candidate: string, digest: string): boolean {
  return timingSafeEqual(Buffer.from(keyDigest(candidate), "hex"), Buffer.from(digest, "hex"));
}
