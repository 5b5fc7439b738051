/**
 * The text of a benchmark message. It carries who sent it, its number and
 * when it was sent, so a receiver can measure latency and notice a missing or
 * reordered message without any other bookkeeping:
 * `SENDER:SEQ:SENT_AT xxxx…`, padded with `x` to a fixed length.
 *
 * @module
 */

/** What a receiver reads back out of a benchmark message. */
export interface BenchStamp {
  sender: number;
  seq: number;
  /** `performance.now()` of the load process when the message was written. */
  sentAt: number;
}

/** Builds the text of message `seq` of `sender`, `chars` characters long (longer if it must). */
export function benchText(stamp: BenchStamp, chars: number): string {
  const head = `${stamp.sender}:${stamp.seq}:${stamp.sentAt.toFixed(3)} `;
  return head.length >= chars ? head : head + "x".repeat(chars - head.length);
}

/** Reads the stamp back; `null` for text that is not a benchmark message. */
export function parseBenchText(text: string): BenchStamp | null {
  const match = /^(\d+):(\d+):(\d+(?:\.\d+)?) /.exec(text);
  if (!match) return null;
  return { sender: Number(match[1]), seq: Number(match[2]), sentAt: Number(match[3]) };
}
