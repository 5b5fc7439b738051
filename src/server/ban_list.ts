/**
 * Addresses the operator has banned, each until a time or until the server
 * stops. A ban covers the address's key: the IPv4 address, or the whole IPv6 /64.
 *
 * @module
 */

import { addressKey } from "./address_key.ts";
import { nameKey } from "../protocol/names.ts";

/** One ban. */
export interface Ban {
  /** What is banned: an IPv4 address or an IPv6 /64 (see {@linkcode addressKey}). */
  address: string;
  /** Ms since epoch when the ban ends; `undefined` means until the server stops. */
  until?: number;
  /** The name that was banned, for the operator's list. */
  name?: string;
}

/** The operator's bans, checked when a connection arrives. */
export class BanList {
  readonly #bans = new Map<string, Ban>();

  /** Bans `ban.address`'s key (replacing an earlier ban of it). */
  add(ban: Ban): void {
    const key = addressKey(ban.address);
    this.#bans.set(key, { ...ban, address: key });
  }

  /** Lifts the ban on an address, or on the address a banned name had; returns the lifted ban. */
  remove(addressOrName: string): Ban | undefined {
    const wanted = nameKey(addressOrName);
    const key = addressKey(addressOrName);
    for (const ban of this.#bans.values()) {
      const byName = ban.name !== undefined && nameKey(ban.name) === wanted;
      if (ban.address === key || byName) {
        this.#bans.delete(ban.address);
        return ban;
      }
    }
    return undefined;
  }

  /** The ban in force for `address` at `now`, if any (expired bans are dropped). */
  find(address: string, now: number): Ban | undefined {
    const key = addressKey(address);
    const ban = this.#bans.get(key);
    if (ban?.until !== undefined && ban.until <= now) {
      this.#bans.delete(key);
      return undefined;
    }
    return ban;
  }

  /** Bans in force at `now`. */
  list(now: number): Ban[] {
    return [...this.#bans.values()].filter((ban) => this.find(ban.address, now) !== undefined);
  }
}
