/**
 * The benchmark's scenarios, and how one run of a scenario goes: start
 * `chat serve`, fill the room from the load generator, run, and read the
 * server's CPU time and memory along the way.
 *
 * @module
 */

import { LoadGenerator, type LoadShape, type RunResult } from "./load.ts";
import { measureNormalReader, type NormalReaderReport } from "./normal_reader.ts";
import { type ProcessStats, readProcessStats } from "./process_stats.ts";
import { ServerProcess } from "./server_process.ts";
import { round } from "./summary.ts";

/** Names of the scenarios. */
export type ScenarioName = "fanout" | "fanout-ws" | "mixed" | "light" | "idle" | "slow";

/** What a scenario does; each of these has a command-line flag. */
export interface ScenarioSettings extends LoadShape {
  /** Longest wait for the joins, and for the run, before giving up. */
  timeoutSeconds: number;
  /** For `idle`: how long the room sits idle before its memory is read again. */
  settleSeconds: number;
  /** For `slow`: seconds members paste while a normal reader reads (0: skip that part). */
  pasteSeconds: number;
}

/** A scenario: what it shows, and its defaults. */
export interface Scenario {
  name: ScenarioName;
  summary: string;
  defaults: ScenarioSettings;
}

const COMMON = {
  window: 16,
  textChars: 64,
  rate: 0,
  slowMembers: 0,
  webSockets: 0,
  timeoutSeconds: 300,
  settleSeconds: 0,
  pasteSeconds: 0,
};

/** The slow scenario's normal reader: two members paste while it reads 32 KiB a second. */
const NORMAL_READER = { pasters: 2, readBytesPerSecond: 32 * 1024 };

/** Every scenario, in the order `--scenario all` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: "fanout",
    summary: "C members, P of them send K messages each flat out; everyone receives everything",
    defaults: { ...COMMON, connections: 1000, senders: 10, messages: 300 },
  },
  {
    name: "fanout-ws",
    summary: "fanout with every member on a WebSocket, as the browser page connects",
    defaults: { ...COMMON, connections: 1000, senders: 10, messages: 300, webSockets: 1000 },
  },
  {
    name: "mixed",
    summary: "fanout in a room of half TCP, half WebSocket members; each half reported",
    defaults: { ...COMMON, connections: 1000, senders: 10, messages: 300, webSockets: 500 },
  },
  {
    name: "light",
    summary: "latency at a light load: 100 members, 100 messages per second in total",
    defaults: { ...COMMON, connections: 100, senders: 10, messages: 50, rate: 100 },
  },
  {
    name: "idle",
    summary: "C members join and stay idle; server memory per connection",
    defaults: {
      ...COMMON,
      connections: 10_000,
      senders: 0,
      messages: 0,
      timeoutSeconds: 900,
      settleSeconds: 60,
    },
  },
  {
    name: "slow",
    summary: "one member stops reading while the rest chat flat out; it is dropped, nobody\n" +
      "           else waits. Then a member reading 32 KiB/s while two paste: it stays",
    defaults: {
      ...COMMON,
      connections: 1000,
      senders: 10,
      messages: 6000,
      slowMembers: 1,
      pasteSeconds: 20,
    },
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
  /** Resident memory once the room was full and quiet (for `idle`, two seconds after the joins). */
  joinedRssBytes: number | null;
  /** For `idle`: resident memory after the room sat idle for the settle time. */
  settledRssBytes: number | null;
  /** Highest resident memory sampled during the run. */
  runPeakRssBytes: number | null;
  /** Highest resident memory of the server's whole life (VmHWM). */
  peakRssBytes: number | null;
  /** For `idle`: (settled − start) / connections, what one idle joined connection costs. */
  rssPerConnectionBytes: number | null;
  /** For `idle`: (joined − start) / connections, the same right after the joins. */
  rssPerConnectionJustJoinedBytes: number | null;
}

/** Everything measured in one run of a scenario. */
export interface RunReport {
  /** 1-minute load average of the machine when the run started (other work on it). */
  loadAverageAtStart: number;
  joinSeconds: number;
  run: RunResult | null;
  server: ServerFigures;
  /** CPU seconds this (the load) process used in the same span as the server's CPU seconds. */
  loadCpuSeconds: number | null;
  /** For `slow`: what happened to a member reading at a normal pace while others pasted. */
  normalReader?: NormalReaderReport;
}

const JUST_JOINED_MS = 2000;
const RSS_SAMPLE_MS = 50;

/**
 * The `chat serve` flags a scenario needs, and nothing else: its senders go
 * flat out (the per-connection rate limit is raised), and all its members
 * come from 127.0.0.1 (the per-address, total, unjoined connection and join
 * rate caps make room for them, plus a few for probes). History, sanitising and every other
 * limit stay as users get them.
 */
export function serveFlagsFor(settings: ScenarioSettings): string[] {
  const connections = String(settings.connections + 16);
  return [
    "--rate-limit",
    String(UNLIMITED_RATE),
    "--rate-burst",
    String(UNLIMITED_RATE),
    "--max-connections",
    connections,
    "--max-per-address",
    connections,
    "--max-unjoined",
    connections,
    "--join-burst",
    connections,
    "--connect-burst",
    connections,
  ];
}

const UNLIMITED_RATE = 1_000_000;

/** Runs one scenario once against a fresh server; `denoFlags` go to its `deno run`. */
export async function runScenario(
  scenario: Scenario,
  settings: ScenarioSettings,
  denoFlags: string[] = [],
): Promise<RunReport> {
  const loadAverageAtStart = round(Deno.loadavg()[0]);
  const server = await ServerProcess.start({ serveFlags: serveFlagsFor(settings), denoFlags });
  try {
    const start = server.stats();
    const loadStart = readProcessStats(Deno.pid);
    const { load, result: joined } = await LoadGenerator.join({
      port: server.port,
      ...settings,
      timeoutMs: settings.timeoutSeconds * 1000,
    });
    try {
      const report = { loadAverageAtStart, joinSeconds: joined.seconds };
      if (scenario.name === "idle") {
        return { ...report, ...await measureIdle(server, settings, start, loadStart) };
      }
      return { ...report, ...await measureRun(server, load, start) };
    } finally {
      await load.close();
    }
  } finally {
    await server.stop();
  }
}

/** Runs one scenario once: the run itself, then (for `slow`) the normal reader on its own server. */
export async function runScenarioWithReader(
  scenario: Scenario,
  settings: ScenarioSettings,
  denoFlags: string[] = [],
): Promise<RunReport> {
  const report = await runScenario(scenario, settings, denoFlags);
  if (scenario.name !== "slow" || settings.pasteSeconds === 0) return report;
  const normalReader = await measureNormalReader({
    seconds: settings.pasteSeconds,
    ...NORMAL_READER,
  });
  return { ...report, normalReader };
}

/** An idle room: memory right after the joins and after the settle time; CPU of the joins. */
async function measureIdle(
  server: ServerProcess,
  settings: ScenarioSettings,
  start: ProcessStats | null,
  loadStart: ProcessStats | null,
): Promise<Pick<RunReport, "run" | "server" | "loadCpuSeconds">> {
  const joinedLoad = readProcessStats(Deno.pid);
  await sleep(JUST_JOINED_MS);
  const joined = server.stats();
  await sleep(settings.settleSeconds * 1000);
  const settled = server.stats();
  const perConnection = (stats: ProcessStats | null) =>
    start && stats ? Math.round((stats.rssBytes - start.rssBytes) / settings.connections) : null;
  return {
    run: null,
    server: {
      ...cpuBetween(start, joined),
      startRssBytes: start?.rssBytes ?? null,
      joinedRssBytes: joined?.rssBytes ?? null,
      settledRssBytes: settled?.rssBytes ?? null,
      runPeakRssBytes: null,
      peakRssBytes: settled?.peakRssBytes ?? null,
      rssPerConnectionBytes: perConnection(settled),
      rssPerConnectionJustJoinedBytes: perConnection(joined),
    },
    loadCpuSeconds: cpuBetween(loadStart, joinedLoad).cpuSeconds,
  };
}

/** A run: CPU of the server and of this process during it, and the server's memory peak. */
async function measureRun(
  server: ServerProcess,
  load: LoadGenerator,
  start: ProcessStats | null,
): Promise<Pick<RunReport, "run" | "server" | "loadCpuSeconds">> {
  const before = server.stats();
  const loadBefore = readProcessStats(Deno.pid);
  let runPeak = before?.rssBytes ?? 0;
  const sampler = setInterval(() => {
    runPeak = Math.max(runPeak, readProcessStats(server.pid)?.rssBytes ?? 0);
  }, RSS_SAMPLE_MS);
  const run = await load.run();
  clearInterval(sampler);
  const after = server.stats();
  return {
    run,
    server: {
      ...cpuBetween(before, after),
      startRssBytes: start?.rssBytes ?? null,
      joinedRssBytes: before?.rssBytes ?? null,
      settledRssBytes: null,
      runPeakRssBytes: after ? Math.max(runPeak, after.rssBytes) : null,
      peakRssBytes: after?.peakRssBytes ?? null,
      rssPerConnectionBytes: null,
      rssPerConnectionJustJoinedBytes: null,
    },
    loadCpuSeconds: cpuBetween(loadBefore, readProcessStats(Deno.pid)).cpuSeconds,
  };
}

function cpuBetween(
  from: ProcessStats | null,
  to: ProcessStats | null,
): Pick<ServerFigures, "cpuSeconds" | "userSeconds" | "systemSeconds"> {
  if (!from || !to) return { cpuSeconds: null, userSeconds: null, systemSeconds: null };
  const user = to.userSeconds - from.userSeconds;
  const system = to.systemSeconds - from.systemSeconds;
  return {
    cpuSeconds: round(user + system),
    userSeconds: round(user),
    systemSeconds: round(system),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
