/**
 * Private messages for someone who is away. `/msg bob …` while bob is not in
 * the room keeps the message for the holder of bob's latest claim (see
 * name_claims.ts); it is handed over when that holder next joins presenting
 * their token, and removed only once it was written to their connection, so
 * a connection lost before that leaves it for the next one. Messages nobody collected expire with the claim, after
 * {@linkcode CLAIM_TTL_MS}.
 *
 * Mail is only kept for names that were really used (claims of throwaway
 * names are forgotten, see `isClaimUsed`), and it is capped three ways — per
 * recipient, per sender and in total (count and bytes) — so nobody can park unbounded data on
 * the server's disk; past a cap the sender is told, and nothing is kept.
 *
 * @module
 */

import type { Refusal } from "../protocol/errors.ts";
import type { PrivateRecord } from "../protocol/frames.ts";
import { CLAIM_TTL_MS } from "../protocol/limits.ts";

/** Most private messages kept for one absent holder; more are refused to the sender. */
export const MAILBOX_LIMIT = 100;
/** Most private messages one sender (holder) may have waiting for absent members. */
export const MAILBOX_PER_SENDER_LIMIT = 50;
/** Most private messages waiting for anyone, in total. */
export const MAILBOX_TOTAL_LIMIT = 5000;
/** Most bytes of private messages waiting for anyone, in total (as stored, JSON). */
export const MAILBOX_TOTAL_BYTES = 16 * 1024 * 1024;

/** Private messages waiting for absent holders. */
export interface Mailbox {
  /** Keeps a private record from the holder `sender` for an absent holder. */
  hold(holder: string, record: PrivateRecord, sender: string): void;
  /** How many records wait for the holder. */
  count(holder: string): number;
  /** How many records from the holder `sender` wait for someone. */
  countFrom(sender: string): number;
  /** How many records wait in total, and their size in bytes as stored. */
  total(): { count: number; bytes: number };
  /**
   * The records waiting for the holder, oldest first, left in place: they are
   * removed ({@linkcode Mailbox.remove}) only once they were handed over.
   */
  peek(holder: string): PrivateRecord[];
  /** Removes the records with these ids waiting for the holder (handed over); others stay. */
  remove(holder: string, ids: number[]): void;
}

/**
 * The refusal for a message that may not be kept for `recipient` (its box,
 * the sender's share or the whole mailbox is full), or undefined when it may.
 */
export function mailboxRefusal(
  mailbox: Mailbox,
  recipient: { holder: string; name: string },
  sender: string,
): Refusal | undefined {
  const later = "Try again when they are back.";
  if (mailbox.count(recipient.holder) >= MAILBOX_LIMIT) {
    return {
      code: "mailbox_full",
      message:
        `${recipient.name} is away and already has ${MAILBOX_LIMIT} private messages waiting. ${later}`,
    };
  }
  if (mailbox.countFrom(sender) >= MAILBOX_PER_SENDER_LIMIT) {
    return {
      code: "mailbox_full",
      message:
        `You already have ${MAILBOX_PER_SENDER_LIMIT} private messages waiting for people who are away; no more can be kept. ${later}`,
    };
  }
  const total = mailbox.total();
  if (total.count >= MAILBOX_TOTAL_LIMIT || total.bytes >= MAILBOX_TOTAL_BYTES) {
    return {
      code: "mailbox_full",
      message: `The server can't keep more messages for people who are away. ${later}`,
    };
  }
  return undefined;
}

/** Size of a held record as stored (its JSON, in UTF-8 bytes). */
export function storedSize(json: string): number {
  return encoder.encode(json).byteLength;
}

const encoder = new TextEncoder();

/** True when a held record is too old to deliver (its recipient's claim has expired by now). */
function isExpiredMail(record: PrivateRecord, now: number): boolean {
  return now - record.ts > CLAIM_TTL_MS;
}

interface HeldMail {
  record: PrivateRecord;
  sender: string;
  bytes: number;
}

/** Waiting messages in memory (`--no-history`). */
export class MemoryMailbox implements Mailbox {
  readonly #held = new Map<string, HeldMail[]>();
  readonly #bySender = new Map<string, number>();
  #total = 0;
  #bytes = 0;

  hold(holder: string, record: PrivateRecord, sender: string): void {
    this.#dropExpired(record.ts);
    const mail = { record, sender, bytes: storedSize(JSON.stringify(record)) };
    const list = this.#held.get(holder);
    if (list) list.push(mail);
    else this.#held.set(holder, [mail]);
    this.#counted([mail], 1);
  }

  count(holder: string): number {
    return this.#held.get(holder)?.length ?? 0;
  }

  countFrom(sender: string): number {
    return this.#bySender.get(sender) ?? 0;
  }

  total(): { count: number; bytes: number } {
    return { count: this.#total, bytes: this.#bytes };
  }

  peek(holder: string): PrivateRecord[] {
    return (this.#held.get(holder) ?? []).map((mail) => mail.record);
  }

  remove(holder: string, ids: number[]): void {
    const list = this.#held.get(holder) ?? [];
    const gone = new Set(ids);
    const kept = list.filter((mail) => !gone.has(mail.record.id));
    this.#counted(list.filter((mail) => gone.has(mail.record.id)), -1);
    if (kept.length > 0) this.#held.set(holder, kept);
    else this.#held.delete(holder);
  }

  #counted(mails: HeldMail[], sign: 1 | -1): void {
    for (const { sender, bytes } of mails) {
      const left = (this.#bySender.get(sender) ?? 0) + sign;
      if (left > 0) this.#bySender.set(sender, left);
      else this.#bySender.delete(sender);
      this.#total += sign;
      this.#bytes += sign * bytes;
    }
  }

  #dropExpired(now: number): void {
    for (const [holder, list] of this.#held) {
      if (!list.every((mail) => isExpiredMail(mail.record, now))) continue;
      this.#held.delete(holder);
      this.#counted(list, -1);
    }
  }
}
