/**
 * Runs one attack (scripts/bench/attacks.ts) in a worker thread, so that the
 * attacker's own work — thousands of connections a second — does not queue up
 * in front of the good members' reads on the benchmark's main thread and get
 * counted as the server's latency. The two threads still share the machine's
 * cores with the server, as a real attacker's traffic would.
 *
 * @module
 */

import { type AttackCounts, ATTACKS, type AttackSizes, type AttackTarget } from "./attacks.ts";

/** What the main thread asks the worker to do. */
export interface AttackOrder {
  name: string;
  /** The target without its end: `performance.now()` differs between threads. */
  target: Omit<AttackTarget, "until">;
  /** How long to attack from when the order arrives, in ms. */
  durationMs: number;
  sizes: AttackSizes;
}

/** Runs attack `order.name` in a fresh worker; resolves with what it managed. */
export function runAttackInWorker(order: AttackOrder): Promise<AttackCounts> {
  const worker = new Worker(import.meta.url, { type: "module" });
  return new Promise<AttackCounts>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<AttackCounts>) => resolve(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`the ${order.name} attack failed: ${event.message}`));
    };
    worker.postMessage(order);
  }).finally(() => worker.terminate());
}

// Inside the worker: run the order, answer with the counts.
if ("WorkerGlobalScope" in globalThis) {
  const scope = globalThis as unknown as {
    onmessage: (event: MessageEvent<AttackOrder>) => void;
    postMessage: (message: AttackCounts) => void;
  };
  scope.onmessage = async ({ data: order }) => {
    const attack = ATTACKS.find((a) => a.name === order.name);
    if (!attack) throw new Error(`no attack called ${order.name}`);
    const until = performance.now() + order.durationMs;
    scope.postMessage(await attack.run({ ...order.target, until }, order.sizes));
  };
}
