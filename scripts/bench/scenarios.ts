/**
 * The benchmark's scenarios, and how one run of a scenario goes: start
 * `chat serve`, fill the room from the load generator, run, and read the
 * server's CPU time and memory along the way.
 *
 * @module
 */

import { LoadGenerator, type RunResult } from "./load.ts";
import { type ProcessStats, readProcessStats } from "./process_stats.ts";
import { ServerProcess, type ServerSpec } from "./server_process.ts";
import { round } from "./summary.ts";

/** Names of the scenarios. */
export type ScenarioName = "fanout" | "light" | "idle" | "slow";

/** What a scenario does; each of these has a command-line flag. */
export interface ScenarioSettings {
  connections: number;
  senders: number;
  messages: number;
  window: number;
  textChars: number;
  /** Messages per second from all senders together; 0 sends flat out. */
  rate: number;
  /** Members that stop reading when the run starts. */
  slowMembers: number;
  timeoutSeconds: number;
}

/** A scenario: what it shows, and its defaults. */
export interface Scenario {
  name: ScenarioName;
  summary: string;
  defaults: ScenarioSettings;
}

const COMMON = { window: 16, textChars: 64, rate: 0, slowMembers: 0, timeoutSeconds: 300 };

/** Every scenario, in the order `--scenario all` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: "fanout",
    summary: "C members, P of them send K messages each flat out; everyone receives everything",
    defaults: { ...COMMON, connections: 1000, senders: 10, messages: 300 },
  },
  {
    name: "light",
    summary: "latency at a light load: 100 members, 100 messages per second in total",
    defaults: { ...COMMON, connections: 100, senders: 10, messages: 50, rate: 100 },
  },
  {
    name: "idle",
    summary: "C members join and stay idle; server memory per connection",
    defaults: { ...COMMON, connections: 10_000, senders: 0, messages: 0, timeoutSeconds: 900 },
  },
  {
    name: "slow",
    summary:
      "one member stops reading while the rest chat flat out; it is dropped, nobody else waits",
    defaults: { ...COMMON, connections: 1000, senders: 10, messages: 3000, slowMembers: 1 },
  },
];

/** Server figures of one run. */
export interface ServerFigures {
  /** CPU seconds the server used during the run (user + system), or during the joins for `idle`. */
  cpuSeconds: number | null;
  userSeconds: number | null;
  systemSeconds: number | null;
  /** Resident memory before anyone connected. */
  startRssBytes: number | null;
  /** Resident memory once the room was full and quiet. */
  joinedRssBytes: number | null;
  /** Highest resident memory sampled during the run. */
  runPeakRssBytes: number | null;
  /** Highest resident memory of the server's whole life (VmHWM). */
  peakRssBytes: number | null;
  /** (joined − start) / connections: what one idle joined connection costs. */
  rssPerConnectionBytes: number | null;
}

/** Everything measured in one run of a scenario. */
export interface RunReport {
  /** 1-minute load average of the machine when the run started (other work on it). */
  loadAverageAtStart: number;
  joinSeconds: number;
  run: RunResult | null;
  server: ServerFigures;
  /** CPU seconds this (the load) process used during the run; near the wall time means it was the bottleneck. */
  loadCpuSeconds: number | null;
}

const SETTLE_MS = 2000;
const RSS_SAMPLE_MS = 50;

/** Runs one scenario once against a fresh server. */
export async function runScenario(
  scenario: Scenario,
  settings: ScenarioSettings,
  spec: ServerSpec,
): Promise<RunReport> {
  const loadAverageAtStart = Deno.loadavg()[0];
  const server = await ServerProcess.start(spec);
  try {
    const start = server.stats();
    const { load, result: joined } = await LoadGenerator.join({
      port: server.port,
      ...settings,
      timeoutMs: settings.timeoutSeconds * 1000,
    });
    try {
      // Let the server finish what the joins left (garbage, timers) before measuring.
      if (scenario.name === "idle") await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const before = server.stats();
      const loadBefore = readProcessStats(Deno.pid);
      let runPeak = before?.rssBytes ?? 0;
      const sampler = setInterval(() => {
        runPeak = Math.max(runPeak, readProcessStats(server.pid)?.rssBytes ?? 0);
      }, RSS_SAMPLE_MS);
      const run = settings.senders > 0 ? await load.run() : null;
      clearInterval(sampler);
      const after = server.stats();
      const loadAfter = readProcessStats(Deno.pid);
      return {
        loadAverageAtStart: round(loadAverageAtStart),
        joinSeconds: joined.seconds,
        run,
        server: serverFigures(start, before, after, runPeak, settings.connections, run === null),
        loadCpuSeconds: loadBefore && loadAfter
          ? round(cpuSeconds(loadAfter) - cpuSeconds(loadBefore))
          : null,
      };
    } finally {
      await load.close();
    }
  } finally {
    await server.stop();
  }
}

function cpuSeconds(stats: ProcessStats): number {
  return stats.userSeconds + stats.systemSeconds;
}

function serverFigures(
  start: ProcessStats | null,
  before: ProcessStats | null,
  after: ProcessStats | null,
  runPeak: number,
  connections: number,
  idle: boolean,
): ServerFigures {
  // For an idle room the interesting CPU is the joins'; otherwise the run's.
  const from = idle ? start : before;
  const user = from && after ? round(after.userSeconds - from.userSeconds) : null;
  const system = from && after ? round(after.systemSeconds - from.systemSeconds) : null;
  return {
    cpuSeconds: user !== null && system !== null ? round(user + system) : null,
    userSeconds: user,
    systemSeconds: system,
    startRssBytes: start?.rssBytes ?? null,
    joinedRssBytes: before?.rssBytes ?? null,
    runPeakRssBytes: after ? Math.max(runPeak, after.rssBytes) : null,
    peakRssBytes: after?.peakRssBytes ?? null,
    rssPerConnectionBytes: idle && start && before
      ? Math.round((before.rssBytes - start.rssBytes) / connections)
      : null,
  };
}
