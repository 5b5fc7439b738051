/**
 * Turning benchmark runs into a verdict, medians and text for a person.
 *
 * @module
 */

import type { MachineDescription } from "./machine.ts";
import type { NormalReaderReport } from "./normal_reader.ts";
import type { RunReport, Scenario, ScenarioSettings } from "./scenarios.ts";
import { median } from "./summary.ts";

/** The medians of a scenario's runs (a single run's figures when it ran once). */
export interface ScenarioMedians {
  deliveriesPerSecond: number | null;
  /** Deliveries per second of server CPU time: unlike wall time, not hurt by other work on the machine. */
  deliveriesPerServerCpuSecond: number | null;
  seconds: number | null;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  latencyMaxMs: number | null;
  serverCpuSeconds: number | null;
  runPeakRssBytes: number | null;
  peakRssBytes: number | null;
  rssPerConnectionBytes: number | null;
  rssPerConnectionJustJoinedBytes: number | null;
  joinSeconds: number;
}

/** One scenario's settings, runs, medians and whether all went well. */
export interface ScenarioReport {
  scenario: Scenario["name"];
  settings: ScenarioSettings;
  runs: RunReport[];
  medians: ScenarioMedians;
  /** What went wrong in any run (empty when nothing did). */
  problems: string[];
}

/** Builds a scenario's report from its runs. */
export function reportScenario(
  scenario: Scenario,
  settings: ScenarioSettings,
  runs: RunReport[],
): ScenarioReport {
  const of = (pick: (run: RunReport) => number | null | undefined): number | null => {
    const values = runs.map(pick).filter((v): v is number => typeof v === "number");
    return values.length === 0 ? null : median(values);
  };
  return {
    scenario: scenario.name,
    settings,
    runs,
    medians: {
      deliveriesPerSecond: of((r) => r.run?.deliveriesPerSecond),
      deliveriesPerServerCpuSecond: of(perCpuSecond),
      seconds: of((r) => r.run?.seconds),
      latencyP50Ms: of((r) => r.run?.latency.p50),
      latencyP99Ms: of((r) => r.run?.latency.p99),
      latencyMaxMs: of((r) => r.run?.latency.max),
      serverCpuSeconds: of((r) => r.server.cpuSeconds),
      runPeakRssBytes: of((r) => r.server.runPeakRssBytes),
      peakRssBytes: of((r) => r.server.peakRssBytes),
      rssPerConnectionBytes: of((r) => r.server.rssPerConnectionBytes),
      rssPerConnectionJustJoinedBytes: of((r) => r.server.rssPerConnectionJustJoinedBytes),
      joinSeconds: of((r) => r.joinSeconds) ?? 0,
    },
    problems: runs.flatMap((run, i) => problemsOf(run, settings).map((p) => `run ${i + 1}: ${p}`)),
  };
}

function perCpuSecond(report: RunReport): number | null {
  const cpu = report.server.cpuSeconds;
  return report.run && cpu ? Math.round(report.run.deliveries / cpu) : null;
}

function problemsOf(report: RunReport, settings: ScenarioSettings): string[] {
  const run = report.run;
  if (!run) return [];
  const problems: string[] = [];
  if (run.timedOut) problems.push(`did not finish within ${settings.timeoutSeconds} s`);
  if (run.lost > 0) problems.push(`${run.lost} deliveries lost`);
  if (run.outOfOrder > 0) problems.push(`${run.outOfOrder} messages out of order`);
  if (run.disconnected > 0) problems.push(`${run.disconnected} reading members were disconnected`);
  if (run.slow.disconnected < run.slow.members) {
    problems.push(`${run.slow.members - run.slow.disconnected} slow members were not disconnected`);
  }
  if (run.slow.reasons.length < run.slow.members) {
    problems.push("the departure of a slow member was not announced");
  }
  const reader = report.normalReader;
  if (reader?.cutOff) problems.push(`the normal reader was cut off: ${reader.lastLine}`);
  return problems;
}

/** The whole result in words, for a terminal. */
export function formatReport(machine: MachineDescription, reports: ScenarioReport[]): string {
  const lines = [formatMachine(machine)];
  for (const report of reports) {
    lines.push("", describeSettings(report));
    report.runs.forEach((run, i) => lines.push(`  run ${i + 1}: ${describeRun(run)}`));
    if (report.runs.length > 1) lines.push(`  median: ${describeMedians(report.medians)}`);
    for (const problem of report.problems) lines.push(`  PROBLEM ${problem}`);
  }
  const problems = reports.reduce((sum, r) => sum + r.problems.length, 0);
  lines.push("", problems === 0 ? "Nothing lost." : `${problems} problems: see above.`);
  return lines.join("\n");
}

/** The machine in one line. */
export function formatMachine(machine: MachineDescription): string {
  return `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${gib(machine.memoryBytes)} GiB, ` +
    `${machine.os} ${machine.kernel}, Deno ${machine.deno}`;
}

function describeSettings({ scenario, settings: s }: ScenarioReport): string {
  if (s.senders === 0) {
    return `${scenario}: ${s.connections} members join and stay idle (memory read after ${s.settleSeconds} s)`;
  }
  const pace = s.rate > 0 ? `${s.rate} messages/s in total` : `flat out, window ${s.window}`;
  const slow = s.slowMembers > 0 ? `, ${s.slowMembers} of them stop reading` : "";
  return `${scenario}: ${s.connections} members${slow}; ${s.senders} send ${s.messages} ` +
    `messages each (${s.textChars} characters), ${pace}`;
}

function describeRun(report: RunReport): string {
  const { run, server } = report;
  const parts: string[] = [];
  if (run) {
    const lost = run.lost === 0 ? "nothing lost" : `${run.lost} LOST`;
    parts.push(
      `${thousands(run.deliveriesPerSecond)} deliveries/s (${
        thousands(run.deliveries)
      } in ${run.seconds} s, ${lost})`,
      `latency p50 ${run.latency.p50} ms, p99 ${run.latency.p99} ms, max ${run.latency.max} ms`,
    );
    if (run.byTransport) {
      for (const [kind, share] of Object.entries(run.byTransport)) {
        parts.push(
          `${kind} (${share.members}): ${thousands(share.deliveriesPerSecond)} deliveries/s, ` +
            `p99 ${share.latency.p99} ms`,
        );
      }
    }
    if (run.slow.members > 0) {
      parts.push(`slow member dropped: ${run.slow.reasons.join("; ") || "no"}`);
    }
    if (report.normalReader) parts.push(describeNormalReader(report.normalReader));
  } else {
    parts.push(`joined in ${report.joinSeconds} s`);
    if (server.rssPerConnectionBytes !== null) {
      parts.push(
        `${kib(server.rssPerConnectionBytes)} KiB RSS per connection when settled (${
          kib(server.rssPerConnectionJustJoinedBytes ?? 0)
        } KiB just after the joins)`,
      );
    }
  }
  if (server.cpuSeconds !== null) {
    parts.push(
      `server CPU ${server.cpuSeconds} s (user ${server.userSeconds}, system ${server.systemSeconds})`,
    );
  }
  const efficiency = perCpuSecond(report);
  if (efficiency !== null) parts.push(`${thousands(efficiency)} deliveries per server CPU-second`);
  if (server.runPeakRssBytes !== null) parts.push(`RSS peak ${mib(server.runPeakRssBytes)} MiB`);
  if (report.loadCpuSeconds !== null) parts.push(`load generator CPU ${report.loadCpuSeconds} s`);
  parts.push(`load average ${report.loadAverageAtStart}`);
  return parts.join("; ");
}

function describeNormalReader(r: NormalReaderReport): string {
  const fate = r.cutOff ? `CUT OFF (${r.lastLine})` : "not cut off";
  return `normal reader at ${kib(r.readBytesPerSecond)} KiB/s while ${r.pasters} members pasted ` +
    `${r.linesPerPaste}-line blocks for ${r.seconds} s (${r.pastesAccepted} pastes taken, ` +
    `${r.pastesRefused} refused): received ${thousands(r.linesPerSecond)} lines/s, ` +
    `${kib(r.bytesPerSecond)} KiB/s, ${r.keptUp ? "kept up" : "fell behind"}, ${fate}`;
}

function describeMedians(m: ScenarioMedians): string {
  const parts: string[] = [];
  if (m.deliveriesPerSecond !== null) {
    parts.push(`${thousands(m.deliveriesPerSecond)} deliveries/s`);
    if (m.deliveriesPerServerCpuSecond !== null) {
      parts.push(`${thousands(m.deliveriesPerServerCpuSecond)} per server CPU-second`);
    }
    parts.push(
      `latency p50 ${m.latencyP50Ms} ms, p99 ${m.latencyP99Ms} ms, max ${m.latencyMaxMs} ms`,
    );
  } else if (m.rssPerConnectionBytes !== null) {
    parts.push(
      `${kib(m.rssPerConnectionBytes)} KiB RSS per connection when settled (${
        kib(m.rssPerConnectionJustJoinedBytes ?? 0)
      } KiB just after the joins)`,
    );
  }
  if (m.serverCpuSeconds !== null) parts.push(`server CPU ${m.serverCpuSeconds} s`);
  if (m.runPeakRssBytes !== null) parts.push(`RSS peak ${mib(m.runPeakRssBytes)} MiB`);
  return parts.join("; ");
}

function thousands(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

function kib(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

function gib(bytes: number): string {
  return (bytes / (1024 * 1024 * 1024)).toFixed(1);
}
