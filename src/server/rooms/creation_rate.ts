/**
 * How often members may create rooms: a burst, then a steady rate, per
 * member (the holder of their name) and per address (IPv4 address, IPv6
 * /64), so one member or one address creating rooms in a loop can't fill the
 * server's `--max-rooms` and lock everyone else out of creating any. The
 * operator's `/open` is not counted.
 *
 * @module
 */

import type { Refusal } from "../../protocol/errors.ts";
import { formatDuration } from "../../text/time.ts";
import { addressKey } from "../address_key.ts";
import { KeyedRate, type RateLimit } from "./keyed_rate.ts";

/** Rooms created in a burst, then so many an hour. */
export type CreationLimit = RateLimit;

/** One member: 5 rooms at once, then 10 an hour. */
export const MEMBER_CREATIONS: CreationLimit = { burst: 5, perHour: 10 };
/** One address (a class behind one router, say): 20 rooms at once, then 40 an hour. */
export const ADDRESS_CREATIONS: CreationLimit = { burst: 20, perHour: 40 };

/** Who is creating a room. */
export interface Creator {
  holder: string;
  /** The connection's address, when it has one. */
  address?: string;
}

/** Token buckets of room creations, per member and per address. */
export class CreationRate {
  readonly #members: KeyedRate;
  readonly #addresses: KeyedRate;

  constructor(perMember = MEMBER_CREATIONS, perAddress = ADDRESS_CREATIONS) {
    this.#members = new KeyedRate(perMember);
    this.#addresses = new KeyedRate(perAddress);
  }

  /**
   * Counts one room creation by `creator` at `now`, or refuses it (counting
   * nothing) when the member or its address created too many lately.
   */
  take(creator: Creator, now: number): Refusal | undefined {
    const address = creator.address === undefined ? undefined : addressKey(creator.address);
    const memberWait = this.#members.waitMs(creator.holder, now);
    if (memberWait > 0) {
      return refusal(`You created ${this.#members.limit.burst} rooms lately`, memberWait);
    }
    const addressWait = address === undefined ? 0 : this.#addresses.waitMs(address, now);
    if (addressWait > 0) {
      return refusal("Too many rooms were created from your address lately", addressWait);
    }
    this.#members.take(creator.holder, now);
    if (address !== undefined) this.#addresses.take(address, now);
    return undefined;
  }
}

function refusal(what: string, waitMs: number): Refusal {
  return {
    code: "rate_limited",
    message: `${what}; wait ${
      formatDuration(waitMs)
    } to create another, or join one that exists (/rooms lists them).`,
  };
}
