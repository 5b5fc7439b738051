/**
 * The room's member names kept in display order (case-insensitive and
 * locale-aware, as `/who` and the welcome show them), updated as members come
 * and go instead of sorted again for every newcomer: with ten thousand
 * members, sorting on each join made filling a room quadratic in time.
 *
 * @example
 * ```ts
 * const order = new NameOrder();
 * order.add("bob");
 * order.add("Alice");
 * order.names(); // ["Alice", "bob"]
 * ```
 *
 * @module
 */

import { nameKey } from "../protocol/names.ts";

const collator = new Intl.Collator();

/** Names in order of their keys; names are unique by key. */
export class NameOrder {
  readonly #keys: string[] = [];
  readonly #names: string[] = [];

  /** Adds a name (whose key is not present yet), after any that collate equal to it. */
  add(name: string): void {
    const key = nameKey(name);
    const at = this.#firstIndex((other) => collator.compare(other, key) > 0);
    this.#keys.splice(at, 0, key);
    this.#names.splice(at, 0, name);
  }

  /** Removes the name with the same key as `name`, if present. */
  remove(name: string): void {
    const key = nameKey(name);
    // Different keys may collate equal: look through the run of equals for this one.
    for (let at = this.#firstIndex((other) => collator.compare(other, key) >= 0);; at++) {
      if (at >= this.#keys.length || collator.compare(this.#keys[at], key) !== 0) return;
      if (this.#keys[at] === key) {
        this.#keys.splice(at, 1);
        this.#names.splice(at, 1);
        return;
      }
    }
  }

  /** The names, in order (a fresh array). */
  names(): string[] {
    return this.#names.slice();
  }

  /** Binary search: the first index whose key satisfies `after` (which must be monotonic). */
  #firstIndex(after: (key: string) => boolean): number {
    let low = 0;
    let high = this.#keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (after(this.#keys[middle])) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
