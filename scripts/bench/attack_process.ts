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
 * Run as a script, it reads one {@linkcode AttackOrder} as JSON on standard
 * input and prints what the attack managed as JSON.
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
export async function runAttackProcess(order: AttackOrder): Promise<AttackCounts> {
  const deno = [Deno.execPath(), "run", "--allow-net", "--allow-read", SCRIPT];
  const [command, ...args] = Deno.build.os === "windows" ? deno : ["nice", "-n", "19", ...deno];
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(order)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) {
    throw new Error(`the ${order.name} attack failed: ${new TextDecoder().decode(stderr).trim()}`);
  }
  return JSON.parse(new TextDecoder().decode(stdout));
}

if (import.meta.main) {
  const order: AttackOrder = JSON.parse(await new Response(Deno.stdin.readable).text());
  const attack = ATTACKS.find((a) => a.name === order.name);
  if (!attack) throw new Error(`no attack called ${order.name}`);
  const until = performance.now() + (order.untilEpochMs - Date.now());
  console.log(JSON.stringify(await attack.run({ ...order.target, until }, order.sizes)));
  Deno.exit(0);
}
