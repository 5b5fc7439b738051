/**
 * Per-address state that must stay bounded whatever an attacker does: an
 * entry left alone for a while is forgotten, and when the table is full the
 * least recently touched entry goes first.
 *
 * @example
 * ```ts
 * const table = new RecentTable<number>(2, 60_000);
 * table.set("a", 1, 0);
 * table.get("a", 30_000);  // 1
 * table.get("a", 100_000); // undefined: left alone for over a minute
 * ```
 *
 * @module
 */

/** A map from key to value, bounded in size and in how long an untouched entry lives. */
export class RecentTable<V> {
  readonly #maxEntries: number;
  readonly #forgetAfterMs: number;
  readonly #entries = new Map<string, { value: V; touchedAt: number }>();

  /**
   * @param maxEntries most entries kept; the least recently touched goes first
   * @param forgetAfterMs an entry not touched for longer than this is forgotten
   */
  constructor(maxEntries: number, forgetAfterMs: number) {
    this.#maxEntries = maxEntries;
    this.#forgetAfterMs = forgetAfterMs;
  }

  /** The value for `key`, unless there is none or it was not touched for too long. */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry && now - entry.touchedAt > this.#forgetAfterMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry?.value;
  }

  /** Stores `value` for `key`, touched at `now`. */
  set(key: string, value: V, now: number): void {
    // Maps iterate in insertion order: re-inserting keeps the first key the least recently touched.
    this.#entries.delete(key);
    this.#entries.set(key, { value, touchedAt: now });
    if (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  /** Forgets `key`. */
  delete(key: string): void {
    this.#entries.delete(key);
  }
}
