/**
 * The load generator: joins many members to a running server, lets some of
 * them send as fast as the server relays (or at a set rate), and waits until
 * every member has received every message. It runs in its own process, apart
 * from the server, and reports deliveries, latency and anything lost.
 *
 * @module
 */

import { BenchMember } from "./member.ts";
import { Sender } from "./sender.ts";
import { type LatencySummary, round, summarizeLatency } from "./summary.ts";

/** The shape of a load: who joins, who sends, how much and how fast. */
export interface LoadShape {
  /** Members that join, slow ones included. */
  connections: number;
  /** Members that send. */
  senders: number;
  /** Messages each sender sends. */
  messages: number;
  /** Messages a sender may have in flight (sent, not yet relayed back to it). */
  window: number;
  /** Length of each message's text, in characters. */
  textChars: number;
  /** Messages per second from all senders together; 0 sends flat out. */
  rate: number;
  /** Members that stop reading when the run starts (the last ones to join). */
  slowMembers: number;
  /** Members that join over a WebSocket, as the browser page does (spread among the others). */
  webSockets: number;
}

/** What to do to which server. */
export interface LoadPlan extends LoadShape {
  port: number;
  /** Several nodes of one chat (`--scenario cluster`): member i joins `ports[i % length]`. */
  ports?: number[];
  /** Longest wait for the joins, and for the run, before giving up. */
  timeoutMs: number;
}

/** How the joins went. */
export interface JoinResult {
  members: number;
  seconds: number;
}

/** How a run went. */
export interface RunResult {
  seconds: number;
  /** Messages received, summed over all members that kept reading. */
  deliveries: number;
  expectedDeliveries: number;
  /** Deliveries that never arrived (0 when all is well). */
  lost: number;
  deliveriesPerSecond: number;
  /** Send-to-receipt latency, sampled at the probes. */
  latency: LatencySummary;
  /** Messages a probe received out of order (0 when all is well). */
  outOfOrder: number;
  /** Members that kept reading yet lost their connection (0 when all is well). */
  disconnected: number;
  /** What happened to the members that stopped reading. */
  slow: { members: number; disconnected: number; reasons: string[] };
  /** True when the run did not finish within the timeout. */
  timedOut: boolean;
  /** In a room with both kinds of members: each kind's share, side by side. */
  byTransport?: { tcp: TransportShare; webSocket: TransportShare };
}

/** One kind of member's part of a run. */
export interface TransportShare {
  members: number;
  deliveriesPerSecond: number;
  latency: LatencySummary;
}

const JOIN_CONCURRENCY = 64;
const EXTRA_PROBES = 10;
const POLL_MS = 5;
const SLOW_CLOSE_WAIT_MS = 5000;

/** A room full of benchmark members. */
export class LoadGenerator {
  readonly #plan: LoadPlan;
  readonly #members: BenchMember[];
  readonly #senders: number[];

  private constructor(plan: LoadPlan, members: BenchMember[], senders: number[]) {
    this.#plan = plan;
    this.#members = members;
    this.#senders = senders;
  }

  /**
   * Joins `plan.connections` members and waits until each has received the
   * announcement of every join after its own, so the room is quiet when the
   * run starts.
   */
  static async join(plan: LoadPlan): Promise<{ load: LoadGenerator; result: JoinResult }> {
    const started = performance.now();
    const fast = plan.connections - plan.slowMembers;
    if (plan.senders > fast) throw new Error("there are more senders than reading members");
    const senders = spread(plan.senders, fast);
    const probes = new Set([...senders, ...spread(EXTRA_PROBES, fast), fast - 1]);
    const members: BenchMember[] = new Array(plan.connections);
    const webSockets = new Set(spread(plan.webSockets, plan.connections));
    let next = 0;
    const joinSome = async () => {
      while (next < plan.connections) {
        const index = next++;
        members[index] = await BenchMember.join({
          port: plan.ports?.[index % plan.ports.length] ?? plan.port,
          name: `m${index}`,
          probe: probes.has(index),
          webSocket: webSockets.has(index),
        });
      }
    };
    const load = new LoadGenerator(plan, members, senders);
    try {
      await withTimeout(
        Promise.all(Array.from({ length: Math.min(JOIN_CONCURRENCY, plan.connections) }, joinSome)),
        plan.timeoutMs,
        "joining",
      );
      // Member k (in join order) sees its own join and every later one, one
      // by one or, in a big room, gathered into presence records.
      const announcements = (plan.connections * (plan.connections + 1)) / 2;
      await load.#until(
        () => load.#sum((m) => m.joinsSeen) >= announcements,
        "the join announcements",
        () => members.find((m) => m.lostConnection)?.name,
      );
      for (const member of members) member.countOnly();
    } catch (error) {
      await load.close();
      throw error;
    }
    const seconds = round((performance.now() - started) / 1000);
    return { load, result: { members: plan.connections, seconds } };
  }

  /** Sends the messages and waits until every reading member has them all. */
  async run(): Promise<RunResult> {
    const { senders: senderCount, messages, rate, slowMembers } = this.#plan;
    const fast = this.#members.slice(0, this.#members.length - slowMembers);
    const slow = this.#members.slice(fast.length);
    const slowNames = new Set(slow.map((m) => m.name));
    const watcher = fast[fast.length - 1].probe!;
    for (const member of slow) member.stopReading();
    const baseline = fast.map((m) => m.received);
    for (const member of fast) member.expect(senderCount * messages);

    const intervalMs = rate > 0 ? (senderCount * 1000) / rate : 0;
    const senders = this.#senders.map((index, order) =>
      new Sender(this.#members[index], order, {
        messages,
        window: this.#plan.window,
        textChars: this.#plan.textChars,
        intervalMs,
        offsetMs: (order * intervalMs) / senderCount,
      })
    );
    let allSent = false;
    Promise.all(senders.map((s) => s.finished)).then(() => allSent = true);
    const started = performance.now();
    for (const sender of senders) sender.start();

    // A departure of a slow member is one more line for everyone still reading
    // (a `leave`, or in a big room a `presence` record that may gather several).
    const announcedBefore = watcher.announcements;
    let announced = 0;
    const countAnnouncements = () => {
      for (; announced < watcher.announcements - announcedBefore; announced++) {
        for (const m of fast) m.expectMore(1);
      }
    };
    let timedOut = false;
    try {
      await this.#until(() => {
        countAnnouncements();
        return allSent && fast.every((m) => m.reached || m.lostConnection);
      }, "the deliveries");
    } catch {
      timedOut = true;
      for (const sender of senders) sender.stop();
    }
    const finished = timedOut ? performance.now() : Math.max(...fast.map((m) => m.reachedAt));
    const seconds = (finished - started) / 1000;

    const expected = fast.length * senderCount * messages;
    let deliveries = 0;
    fast.forEach((m, i) => deliveries += Math.max(0, m.received - baseline[i] - announced));
    deliveries = Math.min(deliveries, expected);
    const probes = fast.flatMap((m) => m.probe ? [m.probe] : []);

    for (const member of slow) member.resumeReading();
    await Promise.race([
      Promise.all(slow.map((m) => m.ended)),
      new Promise((resolve) => setTimeout(resolve, SLOW_CLOSE_WAIT_MS)),
    ]);
    return {
      seconds: round(seconds),
      deliveries,
      expectedDeliveries: expected,
      lost: expected - deliveries,
      deliveriesPerSecond: Math.round(deliveries / seconds),
      latency: summarizeLatency(probes.flatMap((p) => p.latencies)),
      outOfOrder: probes.reduce((sum, p) => sum + p.outOfOrder, 0),
      disconnected: fast.filter((m) => m.lostConnection).length,
      slow: {
        members: slow.length,
        disconnected: slow.filter((m) => m.lostConnection).length,
        reasons: watcher.leaves.filter((l) => slowNames.has(l.name)).map((l) =>
          l.reason ?? "left (a big room gives no reasons)"
        ),
      },
      timedOut,
      byTransport: this.#byTransport(fast, baseline, seconds),
    };
  }

  /** Each kind of member's deliveries and latency, when the room has both kinds. */
  #byTransport(
    fast: BenchMember[],
    baseline: number[],
    seconds: number,
  ): RunResult["byTransport"] {
    if (this.#plan.webSockets === 0 || this.#plan.webSockets >= this.#plan.connections) return;
    const share = (webSocket: boolean): TransportShare => {
      const members = fast.filter((m) => m.webSocket === webSocket);
      let deliveries = 0;
      fast.forEach((m, i) => {
        if (m.webSocket === webSocket) deliveries += Math.max(0, m.received - baseline[i]);
      });
      return {
        members: members.length,
        deliveriesPerSecond: Math.round(deliveries / seconds),
        latency: summarizeLatency(members.flatMap((m) => m.probe?.latencies ?? [])),
      };
    };
    return { tcp: share(false), webSocket: share(true) };
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    const open = this.#members.filter((m) => m !== undefined);
    for (const member of open) member.close();
    await Promise.all(open.map((m) => m.ended));
  }

  #sum(value: (member: BenchMember) => number): number {
    let total = 0;
    for (const member of this.#members) total += value(member);
    return total;
  }

  /** Polls until `condition` holds; throws on timeout or when `lost` names a dropped member. */
  async #until(
    condition: () => boolean,
    what: string,
    lost: () => string | undefined = () => undefined,
  ): Promise<void> {
    const deadline = performance.now() + this.#plan.timeoutMs;
    while (!condition()) {
      const name = lost();
      if (name !== undefined) throw new Error(`${name} lost its connection waiting for ${what}`);
      if (performance.now() > deadline) {
        throw new Error(`gave up waiting for ${what} after ${this.#plan.timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/** `count` indices spread evenly over `0 … length-1`. */
function spread(count: number, length: number): number[] {
  return Array.from(
    { length: Math.min(count, length) },
    (_, i) => Math.floor((i * length) / count),
  );
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up ${what} after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
