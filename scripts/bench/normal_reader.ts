/**
 * A normal reader's fate (issue 10): while members paste big blocks as fast as
 * the default rate limit lets them, a plain-text member reads at a person's
 * pace — promptly, but no faster than a slow link or terminal, a bounded
 * number of bytes a second. It must not be cut off as "too slow". The server
 * here has every limit at its default (unlike the load scenarios, whose
 * senders go flat out), since the rate limit is what keeps pastes bounded.
 *
 * @module
 */

import { encodeFrame } from "../../src/protocol/codec.ts";
import { DEFAULT_LIMITS } from "../../src/protocol/limits.ts";
import { lineCost } from "../../src/protocol/line_cost.ts";
import { AttackConnection } from "./attack_client.ts";
import { countNewlines } from "./member.ts";
import { ServerProcess } from "./server_process.ts";
import { connect, type Socket } from "node:net";
import { round } from "./summary.ts";

/** How the normal reader is tested. */
export interface NormalReaderPlan {
  /** Seconds the pasters paste for. */
  seconds: number;
  /** Members pasting at once. */
  pasters: number;
  /** The reader's pace, in bytes a second. */
  readBytesPerSecond: number;
}

/** What happened to the normal reader. */
export interface NormalReaderReport extends NormalReaderPlan {
  /** Lines of each paste (a line of one character each: the most lines a paste can carry). */
  linesPerPaste: number;
  /** Pastes sent. */
  pastesSent: number;
  /** Pastes the server relayed, and refused for speed (0: the pasters kept within the limit). */
  pastesAccepted: number;
  pastesRefused: number;
  /** What the reader received while the pasters pasted, and how fast. */
  bytesReceived: number;
  linesReceived: number;
  linesPerSecond: number;
  bytesPerSecond: number;
  /**
   * True when the reader received clearly less than its pace allows: it was
   * not the bottleneck, so nothing piles up for it however long the pasting
   * goes on. False means it read at its full pace and fell behind.
   */
  keptUp: boolean;
  /** True when the server closed the reader's connection. */
  cutOff: boolean;
  /** The server's last words to the reader when it was cut off. */
  lastLine: string;
}

/** Lines of each paste: one character each, the most a 4,000-character message can hold. */
const LINES_PER_PASTE = Math.floor((DEFAULT_LIMITS.maxMessageChars + 1) / 2);
const ANSWER_TIMEOUT_MS = 5000;
const ECHO_WAIT_MS = 15_000;
const POLL_MS = 20;
const REFILL_MS = 2000;
/** Below this share of its pace, a reader is not what limits what it receives. */
const KEPT_UP_SHARE = 0.9;

/** Runs the normal-reader measurement against a fresh server with default limits. */
export async function measureNormalReader(plan: NormalReaderPlan): Promise<NormalReaderReport> {
  const server = await ServerProcess.start({ serveFlags: [], denoFlags: [] });
  const pasters: AttackConnection[] = [];
  let reader: PacedReader | undefined;
  try {
    reader = await PacedReader.join(server.port, "reader", plan.readBytesPerSecond);
    for (let i = 0; i < plan.pasters; i++) {
      const paster = await AttackConnection.open(server.port, "127.0.0.1", ANSWER_TIMEOUT_MS);
      if (!paster) throw new Error("a paster could not connect");
      paster.hello(`paster${i}`);
      const answer = await paster.next((f) => f.type === "welcome", ANSWER_TIMEOUT_MS);
      if (!answer) throw new Error(`paster${i} was not welcomed`);
      pasters.push(paster);
    }
    const text = Array.from({ length: LINES_PER_PASTE }, () => "x").join("\n");
    const frame = encodeFrame({ type: "send", text });
    // A line never costs more than the burst; within the limit means at that pace, with 20% to
    // spare for pastes that reach the server late and the next one on time.
    const cost = Math.min(lineCost(frame.trimEnd(), false), DEFAULT_LIMITS.rateBurst);
    const intervalMs = (cost / DEFAULT_LIMITS.ratePerSecond) * 1200;
    // The hello took a line from the rate: let it refill before the first paste.
    await sleep(REFILL_MS);
    const before = { bytes: reader.bytes, lines: reader.lines };
    const started = performance.now();
    const until = started + plan.seconds * 1000;
    let sent = 0;
    await Promise.all(pasters.map(async (paster, index) => {
      // Each paster's pastes are due at fixed times; none is due at or after `until`.
      for (let at = started + (index * intervalMs) / pasters.length; at < until; at += intervalMs) {
        await sleep(at - performance.now());
        if (paster.closed) return;
        paster.write(frame);
        sent++;
      }
    }));
    await sleep(until - performance.now());
    // Every paste the server took comes back to each paster (the first one counts them); one
    // it refused for speed gets its sender a `rate_limited` error. Wait until each is accounted
    // for (or a while), then until the reader has every line of every paste taken.
    let accepted = 0;
    let refused = 0;
    const deadline = performance.now() + ECHO_WAIT_MS;
    while (accepted + refused < sent && performance.now() < deadline) {
      for (const [index, paster] of pasters.entries()) {
        for (const frame of paster.drain()) {
          if (index === 0 && frame.type === "message") accepted++;
          else if (frame.type === "error" && frame.code === "rate_limited") refused++;
        }
      }
      await sleep(POLL_MS);
    }
    const allLines = before.lines + accepted * LINES_PER_PASTE;
    while (reader.lines < allLines && !reader.cutOff && performance.now() < deadline) {
      await sleep(POLL_MS);
    }
    const seconds = (performance.now() - started) / 1000;
    const bytesReceived = reader.bytes - before.bytes;
    const linesReceived = reader.lines - before.lines;
    const bytesPerSecond = Math.round(bytesReceived / seconds);
    return {
      ...plan,
      seconds: round(seconds),
      linesPerPaste: LINES_PER_PASTE,
      pastesSent: sent,
      pastesAccepted: accepted,
      pastesRefused: refused,
      bytesReceived,
      linesReceived,
      linesPerSecond: Math.round(linesReceived / seconds),
      bytesPerSecond,
      keptUp: bytesPerSecond < KEPT_UP_SHARE * plan.readBytesPerSecond,
      cutOff: reader.cutOff,
      lastLine: reader.lastLine,
    };
  } finally {
    reader?.close();
    for (const paster of pasters) paster.close();
    await server.stop();
  }
}

/**
 * A plain-text member (like `nc` in a terminal) that reads at most
 * `bytesPerSecond`: it stops reading when it is ahead of that pace and goes
 * on when the pace catches up, so the server sees a reader that is prompt
 * but slow.
 */
class PacedReader {
  bytes = 0;
  lines = 0;
  cutOff = false;
  lastLine = "";
  readonly #socket: Socket;
  readonly #startedAt = performance.now();
  readonly #bytesPerMs: number;
  #closing = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  private constructor(socket: Socket, bytesPerSecond: number) {
    this.#socket = socket;
    this.#bytesPerMs = bytesPerSecond / 1000;
    socket.on("data", (chunk: Uint8Array) => this.#take(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      if (!this.#closing) this.cutOff = true;
    });
  }

  /** Connects as a plain-text client and gives its name. */
  static async join(port: number, name: string, bytesPerSecond: number): Promise<PacedReader> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1" }, () => resolve(socket));
      socket.once("error", reject);
    });
    const reader = new PacedReader(socket, bytesPerSecond);
    socket.write(`${name}\r\n`);
    return reader;
  }

  close(): void {
    this.#closing = true;
    clearTimeout(this.#timer);
    this.#socket.destroy();
  }

  #take(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.lines += countNewlines(chunk);
    const text = new TextDecoder().decode(chunk.subarray(Math.max(0, chunk.length - 300)));
    this.lastLine = text.trimEnd().split("\n").pop()!.trim();
    // Ahead of the pace: stop reading until the pace has caught up with what was read.
    const dueAt = this.#startedAt + this.bytes / this.#bytesPerMs;
    const wait = dueAt - performance.now();
    if (wait > 0) {
      this.#socket.pause();
      this.#timer = setTimeout(() => this.#socket.resume(), wait);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
