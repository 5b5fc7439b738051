/**
 * One simulated member for the load generator: a real TCP connection that
 * joins as a structured client, decodes what it receives until the room is
 * full (to count the joins announced), and then counts the lines it receives
 * by scanning for newlines — no decoding, no JSON — so that thousands of
 * members cost the load process little. A few members are probes: they decode what
 * they receive to measure latency and check that nothing arrives out of order.
 *
 * @module
 */

import { encodeFrame } from "../../src/protocol/codec.ts";
import { PROTOCOL_VERSION } from "../../src/protocol/constants.ts";
import { connect } from "node:net";
import { Buffer } from "node:buffer";
import { EventEmitter } from "node:events";
import { WebSocket } from "ws";
import { LineDecoder } from "../../src/protocol/line_decoder.ts";
import { type BenchStamp, parseBenchText } from "./bench_text.ts";

const NEWLINE = 0x0a;
const LONGEST_LINE = 1 << 26;
const LONE_PING_BYTES = 512;
const utf8 = new TextDecoder();

/** What a probe saw: latency samples, order, departures. */
export class Probe {
  /** Send-to-receipt times of every benchmark message seen, in milliseconds. */
  readonly latencies: number[] = [];
  /**
   * Departures announced to the room. A big room gathers them into `presence`
   * records, which give no reason: `reason` is then undefined.
   */
  readonly leaves: Array<{ name: string; reason?: string }> = [];
  /** Lines that announced joins or leaves (`join`, `leave`, `presence`): one each for every member. */
  announcements = 0;
  /** Messages that did not follow the previous one of the same sender. */
  outOfOrder = 0;
  /** Called for every benchmark message seen (senders use it to see their own echoes). */
  onMessage: (stamp: BenchStamp) => void = () => {};
  #nextSeq: number[] = [];

  /** Looks at one received line; `now` is when its chunk arrived. */
  line(line: string, now: number): void {
    if (isAnnouncement(line)) return this.#announcement(line);
    if (!line.startsWith('{"type":"message"')) return;
    const frame = parseFrame(line);
    const stamp = frame && parseBenchText(String(frame.text));
    if (!stamp) return;
    this.latencies.push(now - stamp.sentAt);
    if (stamp.seq !== (this.#nextSeq[stamp.sender] ?? 0)) this.outOfOrder++;
    this.#nextSeq[stamp.sender] = stamp.seq + 1;
    this.onMessage(stamp);
  }

  #announcement(line: string): void {
    this.announcements++;
    const frame = parseFrame(line);
    if (frame?.type === "leave") {
      this.leaves.push({ name: String(frame.name), reason: frame.reason });
    }
    if (frame?.type === "presence") {
      for (const name of frame.left ?? []) this.leaves.push({ name: String(name) });
    }
  }
}

/** The fields of a received frame that the bench looks at. */
interface SeenFrame {
  type: string;
  text?: string;
  name?: string;
  reason?: string;
  joined?: string[];
  left?: string[];
}

function parseFrame(line: string): SeenFrame | null {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

/** True for a line that announces joins or leaves. */
function isAnnouncement(line: string): boolean {
  return line.startsWith('{"type":"join",') || line.startsWith('{"type":"leave",') ||
    line.startsWith('{"type":"presence",');
}

/** How to connect a member. */
export interface MemberOptions {
  port: number;
  name: string;
  /** Decode every line and watch it (latency, order); otherwise only count. */
  probe: boolean;
  /** The room password, for a room that has one. */
  password?: string;
  /** Join over a WebSocket at `/ws`, as the browser page does, instead of TCP. */
  webSocket?: boolean;
}

/** The parts of a `node:net` socket a member uses; a WebSocket member has them too. */
interface MemberSocket {
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
  on(event: "error" | "close", listener: () => void): void;
  write(text: string, done: (error?: Error | null) => void): void;
  pause(): void;
  resume(): void;
  destroy(): void;
}

const NEWLINE_BYTE = Buffer.from("\n");

/**
 * A WebSocket as a {@linkcode MemberSocket}: each message (one frame) arrives
 * as a chunk ending in a newline, so counting and probing work as for TCP;
 * each line written is sent as one message.
 */
function openWebSocket(port: number): Promise<MemberSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
    origin: `http://127.0.0.1:${port}`,
    perMessageDeflate: false,
  });
  const events = new EventEmitter();
  socket.on("message", (data: Buffer) => events.emit("data", Buffer.concat([data, NEWLINE_BYTE])));
  socket.on("close", () => events.emit("close"));
  socket.on("error", () => events.emit("error"));
  const member: MemberSocket = {
    on: (event: string, listener: (...args: Uint8Array[]) => void) =>
      void events.on(event, listener),
    write(text, done) {
      for (const line of text.split("\n")) if (line !== "") socket.send(line, done);
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    destroy: () => socket.terminate(),
  };
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(member));
    socket.once("error", reject);
  });
}

/**
 * A member of the benchmark room. It uses `node:net` rather than `Deno.Conn`:
 * with a thousand connections receiving at once, Deno completes only about
 * 128 reads per turn of its event loop and in no fair order, so some members
 * would wait hundreds of milliseconds with their data already in the kernel,
 * and the benchmark would measure itself. `node:net` reads each socket as it
 * becomes readable.
 */
export class BenchMember {
  readonly name: string;
  /** True for a member that joined over a WebSocket. */
  readonly webSocket: boolean;
  /** Set for probes. */
  readonly probe: Probe | null;
  /** Lines received after the welcome. */
  received = 0;
  /**
   * Joins announced to this member from its own on (its own and every later
   * one), counted until {@linkcode countOnly}.
   */
  joinsSeen = 0;
  /** `performance.now()` when {@linkcode received} reached the target set by {@linkcode expect}. */
  reachedAt = 0;
  /** True when the connection ended without this side closing it. */
  lostConnection = false;
  /** Resolves when the connection has ended. */
  readonly ended: Promise<void>;
  readonly #socket: MemberSocket;
  #decoder: LineDecoder | null = new LineDecoder(LONGEST_LINE);
  #welcomed = false;
  /** True once this member has seen its own join announced. */
  #seenOwnJoin = false;
  readonly #welcome = Promise.withResolvers<void>();
  #target = Infinity;
  #closing = false;

  private constructor(socket: MemberSocket, options: MemberOptions) {
    this.#socket = socket;
    this.name = options.name;
    this.webSocket = options.webSocket ?? false;
    this.probe = options.probe ? new Probe() : null;
    socket.on("data", (chunk: Uint8Array) => this.#take(chunk, performance.now()));
    socket.on("error", () => {}); // "close" follows, and is what counts.
    this.#welcome.promise.catch(() => {}); // join() reports it; nothing else waits for it.
    this.ended = new Promise((resolve) => {
      socket.on("close", () => {
        this.lostConnection = !this.#closing;
        this.#welcome.reject(new Error(`${this.name}: the server closed the connection`));
        resolve();
      });
    });
  }

  /** Connects, says hello and resolves once the welcome has arrived. */
  static async join(options: MemberOptions): Promise<BenchMember> {
    const socket = options.webSocket
      ? await openWebSocket(options.port)
      : await new Promise<MemberSocket>((resolve, reject) => {
        const socket = connect({ port: options.port, host: "127.0.0.1" }, () => resolve(socket));
        socket.once("error", reject);
        socket.setNoDelay(true);
      });
    const member = new BenchMember(socket, options);
    await member.send(
      encodeFrame({
        type: "hello",
        version: PROTOCOL_VERSION,
        name: options.name,
        ...(options.password === undefined ? {} : { password: options.password }),
      }),
    );
    await member.#welcome.promise;
    return member;
  }

  /** True once {@linkcode received} has reached the target. */
  get reached(): boolean {
    return this.received >= this.#target;
  }

  /** Sets how many lines (counted from now on) make this member done. */
  expect(lines: number): void {
    this.#target = this.received + lines;
    this.reachedAt = 0;
    this.#checkTarget();
  }

  /** Raises the target by `lines` (an announcement that arrives on top of the messages). */
  expectMore(lines: number): void {
    this.#target += lines;
    if (!this.reached) this.reachedAt = 0;
  }

  /**
   * From now on only counts newlines (a probe still decodes): cheap enough for
   * thousands of members receiving at full speed, blind to what the lines say.
   */
  countOnly(): void {
    if (!this.probe) this.#decoder = null;
  }

  /** Stops reading: from now on this member behaves like a peer that hangs. */
  stopReading(): void {
    this.#socket.pause();
  }

  /** Reads again after {@linkcode stopReading}. */
  resumeReading(): void {
    this.#socket.resume();
  }

  /** Writes text; writes are sent in order. Rejects when the connection is gone. */
  send(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.write(text, (error) => error ? reject(error) : resolve());
    });
  }

  /** Closes the connection. */
  close(): void {
    this.#closing = true;
    this.#socket.destroy();
  }

  #take(chunk: Uint8Array, now: number): void {
    if (this.#decoder === null) {
      this.received += countNewlines(chunk);
      if (chunk.length <= LONE_PING_BYTES) this.#answerPings(chunk);
      this.#checkTarget();
      return;
    }
    for (const line of this.#decoder.push(chunk).lines) this.#line(line, now);
    this.#checkTarget();
  }

  /**
   * Like a real client, a member answers the server's pings (the server pings
   * members that have been silent for a while and drops those that do not
   * answer). A ping reaches a silent member on its own, so a counting member
   * only looks into small chunks; pings are not deliveries.
   */
  #answerPings(chunk: Uint8Array): void {
    const lines = utf8.decode(chunk).split("\n");
    lines.pop(); // what follows the last newline is not a whole line yet
    for (const line of lines) {
      if (isPing(line)) {
        this.received--;
        this.#pong(line);
      }
    }
  }

  #pong(pingLine: string): void {
    try {
      const { data } = JSON.parse(pingLine);
      this.send(JSON.stringify({ type: "pong", data }) + "\n").catch(() => {});
    } catch {
      // Not JSON after all: nothing to answer.
    }
  }

  #line(line: string, now: number): void {
    if (isPing(line)) return this.#pong(line);
    if (this.#welcomed) {
      this.received++;
      if (this.#decoder !== null) this.#countJoins(line);
      this.probe?.line(line, now);
      return;
    }
    if (line.startsWith('{"type":"welcome"')) {
      this.#welcomed = true;
      this.#welcome.resolve();
    } else if (line.startsWith('{"type":"error"')) {
      this.#welcome.reject(new Error(`${this.name} was refused: ${line}`));
    }
  }

  /**
   * Counts the joins a line announces from this member's own on. A `join`
   * record never comes before its own (earlier ones were sent before it was
   * in the room), but a big room's `presence` record may gather joins from
   * before it: those are not counted.
   */
  #countJoins(line: string): void {
    if (line.startsWith('{"type":"join",')) {
      this.#seenOwnJoin = true;
      this.joinsSeen++;
      return;
    }
    if (!line.startsWith('{"type":"presence",')) return;
    const joined = parseFrame(line)?.joined ?? [];
    const from = this.#seenOwnJoin ? 0 : joined.indexOf(this.name);
    if (from < 0) return;
    this.#seenOwnJoin = true;
    this.joinsSeen += joined.length - from;
  }

  #checkTarget(): void {
    if (this.reachedAt === 0 && this.received >= this.#target) this.reachedAt = performance.now();
  }
}

// Newlines are counted four bytes at a time in an aligned copy of each chunk:
// about twice as fast as Uint8Array.prototype.indexOf per line, which matters
// when the load process counts millions of lines a second.
const scratch = new Uint8Array(256 * 1024);
const scratchWords = new Int32Array(scratch.buffer);
const NEWLINES = 0x0a0a0a0a;

function isPing(line: string): boolean {
  return line.startsWith('{"type":"ping"');
}

/** Counts newline bytes in a chunk. */
export function countNewlines(chunk: Uint8Array): number {
  if (chunk.length > scratch.length) {
    return countNewlines(chunk.subarray(0, scratch.length)) +
      countNewlines(chunk.subarray(scratch.length));
  }
  scratch.set(chunk);
  const words = chunk.length >>> 2;
  let count = 0;
  for (let i = 0; i < words; i++) {
    const x = scratchWords[i] ^ NEWLINES; // a newline byte becomes a zero byte
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) {
      const at = i << 2;
      count += countNewlineBytes(at, at + 4);
    }
  }
  return count + countNewlineBytes(words << 2, chunk.length);
}

function countNewlineBytes(from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (scratch[i] === NEWLINE) count++;
  return count;
}
