/**
 * The budget of connections that have not joined yet (still choosing a
 * name, typing the password, or silent), kept apart from the members so
 * that unfinished handshakes can never crowd members out. Like OpenSSH's
 * MaxStartups, it sheds them first: when it is full, the oldest unfinished
 * handshake makes room for the new one.
 *
 * @example
 * ```ts
 * const budget = new HandshakeBudget<{ joined: boolean; closed: boolean }>();
 * const a = { joined: false, closed: false };
 * budget.add(a);
 * budget.count; // 1
 * a.joined = true;
 * budget.count; // 0: joined connections leave the budget
 * ```
 *
 * @module
 */

/** What the budget needs to know of a connection. */
export interface Handshake {
  readonly joined: boolean;
  readonly closed: boolean;
}

/** The connections still in their handshake, oldest first. */
export class HandshakeBudget<T extends Handshake> {
  // A Set iterates in insertion order, so the first entry is the oldest.
  readonly #waiting = new Set<T>();

  /** Connections still in their handshake. */
  get count(): number {
    this.#prune();
    return this.#waiting.size;
  }

  /** Counts a new connection. */
  add(connection: T): void {
    this.#waiting.add(connection);
  }

  /** Stops counting a connection (it closed). */
  delete(connection: T): void {
    this.#waiting.delete(connection);
  }

  /** Removes and returns the oldest connection still in its handshake, if any. */
  takeOldest(): T | undefined {
    this.#prune();
    const oldest = this.#waiting.values().next().value;
    if (oldest) this.#waiting.delete(oldest);
    return oldest;
  }

  /** Connections leave the budget lazily, when it is looked at, once they joined or closed. */
  #prune(): void {
    for (const connection of this.#waiting) {
      if (connection.joined || connection.closed) this.#waiting.delete(connection);
    }
  }
}
