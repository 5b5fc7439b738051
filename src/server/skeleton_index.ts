/**
 * Claimed names by what they look like, so that look-alikes are found without
 * scanning the claims. Each claim store keeps one beside its claims, built
 * when the store opens and updated on every save.
 *
 * @module
 */

import { nameKey } from "../protocol/names.ts";
import { nameSkeleton } from "./name_skeleton.ts";

/** The name keys ({@linkcode nameKey}) that have been claimed, by skeleton. */
export class SkeletonIndex {
  readonly #keysBySkeleton = new Map<string, Set<string>>();

  /** Notes that `name` has a claim. */
  add(name: string): void {
    const skeleton = nameSkeleton(name);
    const keys = this.#keysBySkeleton.get(skeleton);
    if (keys) keys.add(nameKey(name));
    else this.#keysBySkeleton.set(skeleton, new Set([nameKey(name)]));
  }

  /** Notes that `name` has no claim any more. */
  remove(name: string): void {
    const skeleton = nameSkeleton(name);
    const keys = this.#keysBySkeleton.get(skeleton);
    keys?.delete(nameKey(name));
    if (keys?.size === 0) this.#keysBySkeleton.delete(skeleton);
  }

  /** Starts over with exactly these claimed names (after expired claims were deleted). */
  reset(names: Iterable<string>): void {
    this.#keysBySkeleton.clear();
    for (const name of names) this.add(name);
  }

  /** Keys of claimed names with this skeleton; some may no longer be claimed. */
  keys(skeleton: string): Iterable<string> {
    return this.#keysBySkeleton.get(skeleton) ?? [];
  }
}
