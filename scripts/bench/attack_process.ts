/**
 * Runs one attack (scripts/bench/attacks.ts) in a process of its own, at the
 * lowest CPU priority (`nice -n 19`, where there is `nice`). The attack stands
 * for hostile clients elsewhere on the network, whose work costs the server's
 * machine nothing; on the benchmark's one machine the attacker's own CPU time
 * (thousands of connections a second) would otherwise compete with the server
 * and the good members for the same cores, and its event loop would delay the
 * good members' reads if it shared theirs. At the lowest priority it gets only
 * the CPU time nobody else wants, and still makes thousands of connections a
 * second (the report says how many).
 *
 * Run as a script, it says it is ready, reads one {@linkcode AttackOrder} as
 * JSON on standard input and prints what the attack managed as JSON.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { type AttackCounts, ATTACKS, type AttackSizes, type AttackTarget } from "./attacks.ts";

/** What the benchmark asks the attacking process to do. */
export interface AttackOrder {
  name: string;
  /** The target without its end (`performance.now()` differs between processes). */
  target: Omit<AttackTarget, "until">;
  /** When to stop, in ms since the epoch. */
  untilEpochMs: number;
  sizes: AttackSizes;
}

const SCRIPT = fileURLToPath(import.meta.url);

/** Runs attack `order.name` in a low-priority child process; resolves with what it managed. */
/** An attacking process that has started and loaded, waiting for its order. */
export interface AttackProcess {
  /** Gives the order and resolves with what the attack managed. */
  run(order: AttackOrder): Promise<AttackCounts>;
}

/**
 * Starts an attacking process and waits until it has loaded, so that its start
 * (slow at the lowest priority on a busy machine) is not part of the attack's
 * time.
 */
export async function startAttackProcess(): Promise<AttackProcess> {
  const deno = [Deno.execPath(), "run", "--allow-net", "--allow-read", SCRIPT];
  const [command, ...args] = Deno.build.os === "windows" ? deno : ["nice", "-n", "19", ...deno];
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const errors = new Response(child.stderr).text();
  const lines = lineReader(child.stdout);
  const first = await lines.read();
  if (first.value !== READY) {
    throw new Error(`an attack process did not start: ${(await errors).trim()}`);
  }
  return {
    async run(order) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(JSON.stringify(order)));
      await writer.close();
      const answer = await lines.read();
      const { code } = await child.status;
      if (code !== 0 || answer.done) {
        throw new Error(`the ${order.name} attack failed: ${(await errors).trim()}`);
      }
      return JSON.parse(answer.value);
    },
  };
}

/** Reads a stream of text line by line. */
function lineReader(stream: ReadableStream<Uint8Array>) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return {
    async read(): Promise<{ done: boolean; value: string }> {
      while (!buffered.includes("\n")) {
        const { done, value } = await reader.read();
        if (done) return { done: true, value: buffered };
        buffered += value;
      }
      const end = buffered.indexOf("\n");
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      return { done: false, value: line };
    },
  };
}

/** What a loaded attacking process prints before it reads its order. */
const READY = "ready";

if (import.meta.main) {
  console.log(READY);
  const order: AttackOrder = JSON.parse(await new Response(Deno.stdin.readable).text());
  const attack = ATTACKS.find((a) => a.name === order.name);
  if (!attack) throw new Error(`no attack called ${order.name}`);
  const until = performance.now() + (order.untilEpochMs - Date.now());
  console.log(JSON.stringify(await attack.run({ ...order.target, until }, order.sizes)));
  Deno.exit(0);
}
