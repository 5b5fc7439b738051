/**
 * The client's send pacer against a model of the server's rate limit, on a
 * fake clock: a burst goes out at once, the rest at the rate, in order, and
 * nothing waits while disconnected is lost.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { SendPacer } from "../src/client/send_pacer.ts";
import type { ClientFrame } from "../src/protocol/frames.ts";
import { TokenBucket } from "../src/server/token_bucket.ts";
import { encodeFrame } from "../src/protocol/codec.ts";
import { lineCost } from "../src/protocol/line_cost.ts";

/** A clock whose timers run only when the test advances it. */
class FakeClock {
  time = 0;
  #timers = new Map<number, { at: number; run: () => void }>();
  #next = 1;
  now = () => this.time;
  setTimeout = (run: () => void, ms: number) => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.time + ms, run });
    return id;
  };
  clearTimeout = (id: unknown) => void this.#timers.delete(id as number);
  /** Moves time on to `until`, running timers that fall due on the way, in order. */
  advance(until: number): void {
    while (true) {
      const due = [...this.#timers].filter(([, t]) =>
        t.at <= until
      ).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.time = due[1].at;
      due[1].run();
    }
    this.time = until;
  }
}

/**
 * A pacer whose writes go to a model of the server's rate limit, charging each
 * line as the server does (lineCost of the line without its newline, at most the burst).
 */
function pacedAgainstServer(limit: { rateBurst: number; ratePerSecond: number }) {
  const clock = new FakeClock();
  const server = new TokenBucket(limit.rateBurst, limit.ratePerSecond, 0);
  const sent: { text: string; at: number }[] = [];
  const waiting: number[] = [];
  const counts = { refused: 0 };
  const serverTakes = (frame: ClientFrame) => {
    const cost = Math.min(lineCost(JSON.stringify(frame), false), limit.rateBurst);
    if (!server.take(clock.time, cost)) counts.refused++;
  };
  const pacer: SendPacer = new SendPacer({
    clock,
    write: (frame: ClientFrame) => {
      pacer.spend(frame, encodeFrame(frame));
      serverTakes(frame);
      if (frame.type === "send") sent.push({ text: frame.text, at: clock.time });
    },
    onWaitingChange: (count) => waiting.push(count),
  });
  pacer.connected();
  const hello: ClientFrame = { type: "hello", version: 2, name: "bulkbot" };
  pacer.spend(hello, encodeFrame(hello));
  serverTakes(hello);
  pacer.setLimits(limit);
  pacer.resume();
  return { clock, pacer, sent, waiting, counts };
}

Deno.test("the pacer keeps to the server's bucket: burst, then the rate, in order, never refused", () => {
  const limit = { rateBurst: 10, ratePerSecond: 3 };
  const { clock, pacer, sent, waiting, counts } = pacedAgainstServer(limit);
  for (let i = 1; i <= 30; i++) pacer.enqueue({ type: "send", text: `line ${i}` });
  const burst = sent.length;
  assert(burst >= 5 && burst < limit.rateBurst, `a burst goes at once (${burst})`);
  assertEquals(pacer.waiting, 30 - burst);
  clock.advance(20_000);
  assertEquals(sent.map((s) => s.text), Array.from({ length: 30 }, (_, i) => `line ${i + 1}`));
  assertEquals(counts.refused, 0, "the server never refused a line");
  assertEquals(waiting.at(-1), 0);
  // The steady part goes no faster than the rate.
  const steady = sent.slice(burst);
  const seconds = (steady.at(-1)!.at - steady[0].at) / 1000;
  assert((steady.length - 1) / seconds <= limit.ratePerSecond, `${steady.length} in ${seconds}s`);
});

Deno.test("frames wait while disconnected and go out after the next join", () => {
  const clock = new FakeClock();
  const sent: string[] = [];
  const pacer: SendPacer = new SendPacer({
    clock,
    write: (frame) => {
      pacer.spend(frame, encodeFrame(frame));
      if (frame.type === "send") sent.push(frame.text);
    },
  });
  pacer.connected();
  pacer.enqueue({ type: "send", text: "typed while connecting" });
  assertEquals(sent, []);
  pacer.resume();
  assertEquals(sent, ["typed while connecting"]);
  pacer.pause();
  pacer.enqueue({ type: "send", text: "typed while away" });
  clock.advance(5000);
  assertEquals(sent, ["typed while connecting"]);
  pacer.connected();
  pacer.resume();
  assertEquals(sent, ["typed while connecting", "typed while away"]);
});

Deno.test("long and multi-line messages are paced by what the server charges for them", () => {
  const limit = { rateBurst: 10, ratePerSecond: 3 };
  const { clock, pacer, sent, counts } = pacedAgainstServer(limit);
  const texts = Array.from(
    { length: 12 },
    (_, i) => i % 2 ? `${i} `.repeat(1800) : Array.from({ length: 40 }, () => `${i}`).join("\n"),
  );
  for (const text of texts) pacer.enqueue({ type: "send", text });
  clock.advance(120_000);
  assertEquals(sent.map((s) => s.text), texts);
  assertEquals(counts.refused, 0, "a line costing more than one was never sent too early");
});
