/**
 * The attack scenario: a live `chat serve` on 127.0.0.1 with a password, two
 * good members chatting at a steady pace from 127.0.0.1, and four attacks
 * (scripts/bench/attacks.ts) run one after another from other loopback
 * addresses. It reports the good members' send-to-receipt latency in the
 * quiet room and under each attack, whether a newcomer can still join
 * during each attack, and the server's memory before, during and after.
 *
 * @module
 */

import { type AttackCounts, ATTACKS, type AttackSizes } from "./attacks.ts";
import { attackSources } from "./attack_client.ts";
import { startAttackProcess } from "./attack_process.ts";
import { BenchMember } from "./member.ts";
import { readProcessStats } from "./process_stats.ts";
import { Sender } from "./sender.ts";
import { ServerProcess } from "./server_process.ts";
import { type LatencySummary, round, summarizeLatency } from "./summary.ts";

/** What the attack scenario does; each has a command-line flag. */
export interface AttackSettings extends AttackSizes {
  /** Seconds of the quiet measurement and of each attack. */
  attackSeconds: number;
  /** Seconds after each attack before the server's memory is read again. */
  settleSeconds: number;
  /** Messages per second the two good members send together. */
  rate: number;
  /** Loopback addresses the attackers come from (Linux; elsewhere all share 127.0.0.1). */
  attackAddresses: number;
}

/** The defaults of `--scenario attack`. */
export const ATTACK_DEFAULTS: AttackSettings = {
  attackSeconds: 60,
  settleSeconds: 10,
  rate: 4,
  attackAddresses: 100,
  churnLoops: 8,
  slowlorisConnections: 3000,
  guessLoops: 16,
  flooders: 8,
};

/** One phase: the quiet room, or the room under one attack. */
export interface PhaseReport {
  name: string;
  /** The good members' send-to-receipt latency during the phase. */
  latency: LatencySummary;
  /** Benchmark messages each good member received during the phase, by name. */
  received: Record<string, number>;
  /** How long a newcomer took to join in the middle of the phase; `null` if it could not. */
  newcomerJoinMs: number | null;
  /** What the attack managed (empty for the quiet room). */
  attack: AttackCounts;
  /** CPU seconds the server used during the phase (user + system), or `null` off Linux. */
  serverCpuSeconds: number | null;
  /** The machine's 1-minute load average when the phase started (other work on it). */
  loadAverage: number;
  /** Server memory at the start of the phase, its peak during it, and after the settle time. */
  rssBytes: { before: number | null; peak: number | null; after: number | null };
}

/** Everything the attack scenario measured. */
export interface AttackReport {
  scenario: "attack";
  settings: AttackSettings;
  phases: PhaseReport[];
  /**
   * The good members' latency over every quiet stretch: the quiet phase and
   * each settle time after its first {@linkcode SETTLE_GRACE_MS}. Spread over
   * the whole run, it sees the machine as the attacks did; one 20-second
   * window on a shared machine may or may not catch a stall of the scheduler.
   */
  quiet: LatencySummary;
  /** How the attacks compare with the issue's targets (p99 within 2×, memory back within 20%). */
  verdicts: string[];
  /** What went wrong with the measurement itself (a good member dropped, no samples). */
  problems: string[];
}

const PASSWORD = "bench-attack-password";
const NEWCOMER_TIMEOUT_MS = 10_000;
const RSS_SAMPLE_MS = 100;
/** Chatting before the quiet phase, not measured (at most a quarter of a phase). */
const WARM_UP_MS = 3000;
/** The start of each settle time left out of the quiet baseline (connections still closing). */
const SETTLE_GRACE_MS = 2000;

/** The `chat serve` flags of the attack scenario: a password, and every limit as users get it. */
const SERVE_FLAGS = ["--password", PASSWORD];

/** Runs the attack scenario once against a fresh server. */
export async function runAttackScenario(
  settings: AttackSettings,
  denoFlags: string[] = [],
  progress: (line: string) => void = () => {},
): Promise<AttackReport> {
  const server = await ServerProcess.start({ serveFlags: SERVE_FLAGS, denoFlags });
  const good: BenchMember[] = [];
  try {
    for (const name of ["good0", "good1"]) {
      good.push(
        await BenchMember.join({ port: server.port, name, probe: true, password: PASSWORD }),
      );
    }
    const phaseMs = settings.attackSeconds * 1000;
    // Each good member sends half the rate, paced, until stopped.
    const intervalMs = 2000 / settings.rate;
    const senders = good.map((member, index) =>
      new Sender(member, index, {
        messages: Number.MAX_SAFE_INTEGER,
        window: 1000,
        textChars: 64,
        intervalMs,
        offsetMs: index * intervalMs / 2,
      })
    );
    for (const sender of senders) sender.start();
    // The first messages pay for compiling the chat's code paths in both processes:
    // left out of every phase, so the quiet room is not measured slower than it is.
    await sleep(Math.min(WARM_UP_MS, phaseMs / 4));
    // Each good member's samples since `from` (its own count when the phase began).
    const samplesSince = (from: number[]) =>
      good.flatMap((m, i) => m.probe!.latencies.slice(from[i]));
    const phases: PhaseReport[] = [];
    /** Latency samples of every quiet stretch: the quiet phase and each settle time. */
    const quietSamples: number[] = [];
    let newcomers = 0;
    const phase = async (
      name: string,
      attack: (until: number) => Promise<AttackCounts>,
    ): Promise<void> => {
      progress(`attack: ${name}…`);
      const loadAverage = round(Deno.loadavg()[0]);
      const startStats = readProcessStats(server.pid);
      const before = startStats?.rssBytes ?? null;
      let peak = before ?? 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, readProcessStats(server.pid)?.rssBytes ?? 0);
      }, RSS_SAMPLE_MS);
      const from = good.map((m) => m.probe!.latencies.length);
      const until = performance.now() + phaseMs;
      const newcomer = sleep(phaseMs / 2).then(() => timeJoin(server.port, `new${newcomers++}`));
      const counts = await attack(until);
      // The phase lasts its full time even when the attacker gives up early (refused
      // everywhere), so every phase measures the good members over the same span.
      await sleep(until - performance.now());
      const received = good.map((m, i) => m.probe!.latencies.length - from[i]);
      const phaseSamples = samplesSince(from);
      const latency = summarizeLatency(phaseSamples);
      if (name === "quiet") quietSamples.push(...phaseSamples);
      const endStats = readProcessStats(server.pid);
      const serverCpuSeconds = startStats && endStats
        ? round(
          endStats.userSeconds + endStats.systemSeconds - startStats.userSeconds -
            startStats.systemSeconds,
        )
        : null;
      clearInterval(sampler);
      const newcomerJoinMs = await newcomer;
      // The settle time after the grace is quiet too: it joins the baseline.
      const settleMs = settings.settleSeconds * 1000;
      const graceMs = Math.min(SETTLE_GRACE_MS, settleMs);
      await sleep(graceMs);
      const quietFrom = good.map((m) => m.probe!.latencies.length);
      await sleep(settleMs - graceMs);
      quietSamples.push(...samplesSince(quietFrom));
      const after = readProcessStats(server.pid)?.rssBytes ?? null;
      phases.push({
        name,
        latency,
        received: Object.fromEntries(good.map((m, i) => [m.name, received[i]])),
        newcomerJoinMs,
        serverCpuSeconds,
        loadAverage,
        attack: counts,
        rssBytes: { before, peak: before === null ? null : peak, after },
      });
    };
    await phase("quiet", (until) => sleep(until - performance.now()).then(() => ({})));
    // Each attack comes from its own addresses, as a real attacker would move on
    // to fresh ones: what one attack used up (its join rate, its password
    // penalties) is not what the next attack is measured against.
    for (const [index, attack] of ATTACKS.entries()) {
      const sources = attackSources(settings.attackAddresses, index * settings.attackAddresses);
      const attacker = await startAttackProcess(); // loaded before the phase's clock starts
      await phase(attack.name, (until) =>
        attacker.run({
          name: attack.name,
          target: { port: server.port, password: PASSWORD, sources },
          untilEpochMs: Date.now() + (until - performance.now()),
          sizes: settings,
        }));
    }
    for (const sender of senders) sender.stop();
    const problems = good.filter((m) => m.lostConnection).map((m) =>
      `good member ${m.name} lost its connection`
    );
    for (const { name, received } of phases) {
      for (const [member, count] of Object.entries(received)) {
        if (count === 0) problems.push(`${name}: good member ${member} received nothing`);
      }
    }
    const quiet = summarizeLatency(quietSamples);
    return {
      scenario: "attack",
      settings,
      phases,
      quiet,
      verdicts: verdictsOf(phases, quiet),
      problems,
    };
  } finally {
    for (const member of good) member.close();
    await server.stop();
  }
}

/** Joins a newcomer from 127.0.0.1 and leaves again; the milliseconds it took, or `null`. */
async function timeJoin(port: number, name: string): Promise<number | null> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const join = BenchMember.join({ port, name, probe: false, password: PASSWORD });
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), NEWCOMER_TIMEOUT_MS);
  });
  try {
    const member = await Promise.race([join, late]);
    if (!member) {
      join.then((m) => m.close(), () => {});
      return null;
    }
    member.close();
    return round(performance.now() - started);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Each attack against the issue's targets: the good members' p99 within 2×
 * the quiet room's, and the server's memory, once the attack has stopped,
 * back within 20% of where it was when that attack started — and, stricter,
 * of where it was before the first attack (so growth that piles up from one
 * attack to the next shows too).
 */
function verdictsOf(phases: PhaseReport[], quietLatency: LatencySummary): string[] {
  const [quiet, ...attacks] = phases;
  const growth = (after: number | null, from: number | null) =>
    after === null || from === null ? null : after / from - 1;
  const percent = (g: number) => `${g >= 0 ? "+" : ""}${Math.round(g * 100)}%`;
  return attacks.map(({ name, latency, rssBytes, newcomerJoinMs }) => {
    const ratio = quietLatency.p99 > 0 ? latency.p99 / quietLatency.p99 : null;
    const latencyOk = ratio !== null && ratio <= 2;
    const sinceAttack = growth(rssBytes.after, rssBytes.before);
    const sinceStart = growth(rssBytes.after, quiet.rssBytes.before);
    const memory = sinceAttack === null || sinceStart === null
      ? "memory not measured"
      : `memory ${percent(sinceAttack)} since the attack began (${
        sinceAttack <= 0.2 ? "within" : "NOT within"
      } 20%), ${percent(sinceStart)} since the quiet room (${
        sinceStart <= 0.2 ? "within" : "NOT within"
      } 20%)`;
    return `${name}: p99 ${ratio === null ? "n/a" : `${round(ratio)}×`} the quiet room's ` +
      `(${latencyOk ? "within" : "NOT within"} 2×); ${memory}; a newcomer ${
        newcomerJoinMs === null ? "could NOT join" : "could join"
      }`;
  });
}

/** The attack scenario's result in words, for a terminal. */
export function formatAttackReport(report: AttackReport): string {
  const s = report.settings;
  const lines = [
    `attack: two good members send ${s.rate} messages/s together; quiet ${s.attackSeconds} s, ` +
    `then each attack for ${s.attackSeconds} s (+${s.settleSeconds} s to settle), from ` +
    `${
      Deno.build.os === "linux" ? s.attackAddresses : 1
    } loopback addresses: churn ${s.churnLoops} ` +
    `loops, slowloris ${s.slowlorisConnections} connections, guessing ${s.guessLoops} loops, ` +
    `mailbox ${s.flooders} flooders`,
  ];
  for (const phase of report.phases) {
    const { latency, rssBytes } = phase;
    const counts = Object.entries(phase.attack).map(([k, v]) => `${k} ${v}`).join(", ");
    lines.push(
      `  ${
        phase.name.padEnd(9)
      } good p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms ` +
        `(${latency.samples} samples); server CPU ${phase.serverCpuSeconds ?? "n/a"} s; ` +
        `load average ${phase.loadAverage}; newcomer ${
          phase.newcomerJoinMs === null ? "could not join" : `joined in ${phase.newcomerJoinMs} ms`
        }; RSS ${mib(rssBytes.before)} → peak ${mib(rssBytes.peak)} → after ${
          mib(rssBytes.after)
        } MiB${counts ? `; ${counts}` : ""}`,
    );
  }
  const q = report.quiet;
  lines.push(
    `  quiet room over the quiet phase and the settle times: p50 ${q.p50} ms, p99 ${q.p99} ms, ` +
      `max ${q.max} ms (${q.samples} samples)`,
  );
  for (const verdict of report.verdicts) lines.push(`  ${verdict}`);
  for (const problem of report.problems) lines.push(`  PROBLEM ${problem}`);
  return lines.join("\n");
}

function mib(bytes: number | null): string {
  return bytes === null ? "n/a" : (bytes / (1024 * 1024)).toFixed(1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
