/**
 * A member that talks. Flat out, it keeps up to `window` of its messages in
 * flight — sent, but not yet relayed back to itself — and sends the next one
 * as soon as the server relays an earlier one: it goes exactly as fast as the
 * server accepts its messages, without piling them up in socket buffers
 * (which would measure buffer size, not the server). Paced, it sends at a
 * fixed rate instead.
 *
 * @module
 */

import { encodeFrame } from "../../src/protocol/codec.ts";
import { benchText } from "./bench_text.ts";
import type { BenchMember } from "./member.ts";

/** How a sender sends. */
export interface SenderPlan {
  /** Messages to send. */
  messages: number;
  /** Most messages in flight at once. */
  window: number;
  /** Length of each message's text, in characters. */
  textChars: number;
  /** Time between two messages in milliseconds; 0 sends flat out. */
  intervalMs: number;
  /** Delay before the first paced message, to spread senders over the interval. */
  offsetMs: number;
}

/** Sends a member's share of the benchmark messages. */
export class Sender {
  readonly #member: BenchMember;
  readonly #index: number;
  readonly #plan: SenderPlan;
  #sent = 0;
  #echoed = 0;
  #startedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #finished = Promise.withResolvers<void>();

  /** @param member a probe member (it must see its own messages come back) */
  constructor(member: BenchMember, index: number, plan: SenderPlan) {
    if (!member.probe) throw new Error("a sender must be a probe");
    this.#member = member;
    this.#index = index;
    this.#plan = plan;
    member.probe.onMessage = (stamp) => {
      if (stamp.sender !== this.#index) return;
      this.#echoed++;
      if (this.#echoed >= this.#plan.messages) this.#finished.resolve();
      else if (this.#plan.intervalMs === 0) this.#sendWhatTheWindowAllows();
    };
  }

  /** Resolves when every message this sender sent has come back to it. */
  get finished(): Promise<void> {
    return this.#finished.promise;
  }

  /** Starts sending. */
  start(): void {
    if (this.#plan.messages === 0) return this.#finished.resolve();
    this.#startedAt = performance.now();
    if (this.#plan.intervalMs === 0) this.#sendWhatTheWindowAllows();
    else this.#timer = setTimeout(() => this.#sendPaced(), this.#plan.offsetMs);
  }

  /** Stops sending (on timeout). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#sent = this.#plan.messages;
  }

  #sendWhatTheWindowAllows(): void {
    const { messages, window } = this.#plan;
    let batch = "";
    while (this.#sent < messages && this.#sent - this.#echoed < window) batch += this.#frame();
    if (batch) this.#member.send(batch).catch(() => {});
  }

  #sendPaced(): void {
    const { messages, window, intervalMs, offsetMs } = this.#plan;
    if (this.#sent >= messages) return;
    const windowFull = this.#sent - this.#echoed >= window;
    if (!windowFull) this.#member.send(this.#frame()).catch(() => {});
    const due = this.#startedAt + offsetMs + this.#sent * intervalMs;
    const wait = windowFull ? 1 : Math.max(0, due - performance.now());
    this.#timer = setTimeout(() => this.#sendPaced(), wait);
  }

  #frame(): string {
    const text = benchText(
      { sender: this.#index, seq: this.#sent++, sentAt: performance.now() },
      this.#plan.textChars,
    );
    return encodeFrame({ type: "send", text });
  }
}
