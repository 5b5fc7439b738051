/**
 * Addresses the operator has banned, each until a time or until the server stops.
 *
 * @module
 */

import { nameKey } from "../protocol/names.ts";

/** One ban. */
export interface Ban {
  address: string;
  /** Ms since epoch when the ban ends; `undefined` means until the server stops. */
  until?: number;
  /** The name that was banned, for the operator's list. */
  name?: string;
}

/** The operator's bans, checked when a connection arrives. */
export class BanList {
  readonly #bans = new Map<string, Ban>();

  /** Bans `address` (replacing an earlier ban of it). */
  add(ban: Ban): void {
    this.#bans.set(ban.address, ban);
  }

  /** Lifts the ban on an address, or on the address a banned name had; returns the lifted ban. */
  remove(addressOrName: string): Ban | undefined {
    const wanted = nameKey(addressOrName);
    for (const ban of this.#bans.values()) {
      const byName = ban.name !== undefined && nameKey(ban.name) === wanted;
      if (ban.address === addressOrName || byName) {
        this.#bans.delete(ban.address);
        return ban;
      }
    }
    return undefined;
  }

  /** The ban in force for `address` at `now`, if any (expired bans are dropped). */
  find(address: string, now: number): Ban | undefined {
    const ban = this.#bans.get(address);
    if (ban?.until !== undefined && ban.until <= now) {
      this.#bans.delete(address);
      return undefined;
    }
    return ban;
  }

  /** Bans in force at `now`. */
  list(now: number): Ban[] {
    return [...this.#bans.values()].filter((ban) => this.find(ban.address, now) !== undefined);
  }
}
