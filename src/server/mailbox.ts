/**
 * Private messages for someone who is away. `/msg bob …` while bob is not in
 * the room keeps the message for the holder of bob's latest claim (see
 * name_claims.ts); it is handed over when that holder next joins presenting
 * their token. Messages nobody collected expire with the claim, after
 * {@linkcode CLAIM_TTL_MS}.
 *
 * @module
 */

import type { PrivateRecord } from "../protocol/frames.ts";
import { CLAIM_TTL_MS } from "../protocol/limits.ts";

/** Most private messages kept for one absent holder; more are refused to the sender. */
export const MAILBOX_LIMIT = 100;

/** Private messages waiting for absent holders. */
export interface Mailbox {
  /** Keeps a private record for an absent holder. */
  hold(holder: string, record: PrivateRecord): void;
  /** How many records wait for the holder. */
  count(holder: string): number;
  /** Removes and returns the records waiting for the holder, oldest first. */
  take(holder: string): PrivateRecord[];
}

/** True when a held record is too old to deliver (its recipient's claim has expired by now). */
function isExpiredMail(record: PrivateRecord, now: number): boolean {
  return now - record.ts > CLAIM_TTL_MS;
}

/** Waiting messages in memory (`--no-history`). */
export class MemoryMailbox implements Mailbox {
  readonly #held = new Map<string, PrivateRecord[]>();

  hold(holder: string, record: PrivateRecord): void {
    this.#dropExpired(record.ts);
    const list = this.#held.get(holder);
    if (list) list.push(record);
    else this.#held.set(holder, [record]);
  }

  count(holder: string): number {
    return this.#held.get(holder)?.length ?? 0;
  }

  take(holder: string): PrivateRecord[] {
    const list = this.#held.get(holder) ?? [];
    this.#held.delete(holder);
    return list;
  }

  #dropExpired(now: number): void {
    for (const [holder, list] of this.#held) {
      if (list.every((record) => isExpiredMail(record, now))) this.#held.delete(holder);
    }
  }
}
