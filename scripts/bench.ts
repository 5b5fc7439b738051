/**
 * `deno task bench`: the load benchmark. It starts `chat serve` as a separate
 * process, fills its room from this process, and measures how fast every
 * message reaches every member, at what latency, at what CPU and memory cost
 * to the server, and whether anything was lost. docs/PERFORMANCE.md has the
 * results and how to read them.
 *
 * @module
 */

import {
  integerOption,
  noPositionals,
  type OptionSpec,
  parseCommandLine,
} from "../src/cli/args.ts";
import { EXIT_FAILURE, EXIT_OK, reportError, UsageError } from "../src/cli/errors.ts";
import { describeMachine } from "./bench/machine.ts";
import {
  formatMachine,
  formatReport,
  reportScenario,
  type ScenarioReport,
} from "./bench/report.ts";
import {
  ATTACK_DEFAULTS,
  type AttackReport,
  type AttackSettings,
  formatAttackReport,
  runAttackScenario,
} from "./bench/attack.ts";
import { ATTACKS } from "./bench/attacks.ts";
import { CLUSTER_DEFAULTS, formatClusterReport, runClusterScenario } from "./bench/cluster.ts";
import {
  FILES_DEFAULTS,
  type FilesReport,
  type FilesSettings,
  formatFilesReport,
  runFilesScenario,
} from "./bench/files.ts";
import {
  runScenarioWithReader,
  type Scenario,
  SCENARIOS,
  type ScenarioSettings,
} from "./bench/scenarios.ts";

const COMMAND = "deno task bench";

const HELP = `Usage: deno task bench [options]

Starts "chat serve" on 127.0.0.1 as a separate process, joins members from
this process and measures deliveries per second (messages received, summed
over all members, divided by wall time), send-to-receipt latency, the
server's CPU time and memory, and whether anything was lost. Exits 1 if
anything was lost.

Scenarios (--scenario):
${SCENARIOS.map((s) => `  ${s.name.padEnd(8)} ${s.summary}`).join("\n")}
  all      each of the above with its defaults
  cluster  one chat on 1, 2 and 3 chat serve --redis nodes, members spread
           over them, same load; then latency at 100 members, 100 msgs/s
           on 1 and 2 nodes (needs redis-server; docs/SCALING.md)
  transports  fanout, fanout-ws and mixed: TCP and WebSocket side by side
  files    a 100 MB file up and down over HTTP on the chat port (curl) while
           two members talk (--rate, default 20 a second): throughput, and
           their latency with and without the transfer
  attack   two members chat in a room with a password while it is attacked,
           in turn: ${ATTACKS.map((a) => a.name).join(", ")}; their latency, a
           newcomer's join and the server's memory, quiet and under each attack

Options (defaults are the fanout scenario's):
  -c, --connections N   members that join (1000)
  -p, --senders N       members that send (10)
  -k, --messages N      messages each sender sends (300)
      --window N        messages a sender may have in flight, flat out (16)
      --text-chars N    characters of text per message (64)
      --rate N          messages per second from all senders; 0 = flat out (0)
      --slow N          members that stop reading when the run starts (0)
      --web-sockets N   members that join over a WebSocket, as the page does (0)
      --timeout S       seconds to wait for the joins and for the run (300)
      --settle S        idle: seconds the full room sits idle before its memory is read (60)
      --paste-seconds S slow: seconds two members paste big blocks within the rate
                        limit while a member reads at 32 KiB/s, on a server with
                        default limits; 0 skips it (20)
      --runs N          repeat the scenario N times and report medians (1)
      --cpu-prof DIR    write a V8 CPU profile of the server into DIR
      --server-v8-flags F
                        V8 flags for the server, for experiments (--max-semi-space-size=1)

Attack options (--scenario attack; it uses --rate, --settle and --json too):
      --attack-seconds S  seconds of the quiet room and of each attack (${ATTACK_DEFAULTS.attackSeconds})
      --churn N           reconnect loops at once (${ATTACK_DEFAULTS.churnLoops})
      --slowloris N       connections held without finishing the handshake (${ATTACK_DEFAULTS.slowlorisConnections})
      --guessers N        password-guessing loops at once (${ATTACK_DEFAULTS.guessLoops})
      --flooders N        members flooding made-up names' mailboxes (${ATTACK_DEFAULTS.flooders})
      --attack-addresses N
                        loopback addresses each attack comes from, fresh ones
                        for each, 127.0.0.2 and up (${ATTACK_DEFAULTS.attackAddresses}; Linux only,
                        elsewhere they share 127.0.0.1)
      (--rate: the good members' messages per second together, ${ATTACK_DEFAULTS.rate};
       --settle: seconds after each attack before memory is read, ${ATTACK_DEFAULTS.settleSeconds})

Output:
      --json            print the results as JSON
      --debug           show technical details of errors
  -h, --help            show this help

Examples:
  deno task bench
  deno task bench --scenario idle
  deno task bench --scenario attack
  deno task bench -c 5 -p 2 -k 10 --json`;

const OPTIONS: OptionSpec = {
  scenario: { type: "string" },
  connections: { type: "string", short: "c" },
  senders: { type: "string", short: "p" },
  messages: { type: "string", short: "k" },
  window: { type: "string" },
  "text-chars": { type: "string" },
  rate: { type: "string" },
  slow: { type: "string" },
  "web-sockets": { type: "string" },
  timeout: { type: "string" },
  settle: { type: "string" },
  "paste-seconds": { type: "string" },
  runs: { type: "string" },
  "cpu-prof": { type: "string" },
  "server-v8-flags": { type: "string" },
  "attack-seconds": { type: "string" },
  churn: { type: "string" },
  slowloris: { type: "string" },
  guessers: { type: "string" },
  flooders: { type: "string" },
  "attack-addresses": { type: "string" },
  json: { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** What the command line asked for. */
interface BenchRequest {
  scenarios: { scenario: Scenario; settings: ScenarioSettings }[];
  /** Set for `--scenario attack`, which runs on its own. */
  attack?: AttackSettings;
  /** Set for `--scenario cluster`, which runs on its own. */
  cluster?: boolean;
  /** Set for `--scenario files` (bench/files.ts), which runs on its own. */
  files?: FilesSettings;
  runs: number;
  json: boolean;
  cpuProfileDir?: string;
  serverV8Flags?: string;
}

function parseBenchArgs(args: string[]): BenchRequest | null {
  const { values, positionals } = parseCommandLine(args, OPTIONS, COMMAND);
  if (values.help) {
    console.log(HELP);
    return null;
  }
  noPositionals(positionals, COMMAND);
  const wanted = String(values.scenario ?? "fanout");
  const number = (flag: string, min: number, max: number) =>
    integerOption(values[flag], `--${flag}`, COMMAND, { min, max });
  const common = {
    runs: number("runs", 1, 100) ?? 1,
    json: Boolean(values.json),
    cpuProfileDir: values["cpu-prof"] === undefined ? undefined : String(values["cpu-prof"]),
    serverV8Flags: values["server-v8-flags"] === undefined
      ? undefined
      : String(values["server-v8-flags"]),
  };
  const attackOnly = ATTACK_FLAGS.filter((flag) => values[flag] !== undefined);
  if (wanted === "cluster") return { ...common, scenarios: [], cluster: true };
  if (wanted === "files") {
    return {
      ...common,
      scenarios: [],
      files: { ...FILES_DEFAULTS, ...dropUndefined({ rate: number("rate", 1, 200) }) },
    };
  }
  if (wanted === "attack") {
    const loadOnly = LOAD_FLAGS.filter((flag) => values[flag] !== undefined);
    if (loadOnly.length > 0) {
      throw new UsageError(`--${loadOnly[0]} is not an option of the attack scenario.`, COMMAND);
    }
    return {
      ...common,
      scenarios: [],
      attack: {
        ...ATTACK_DEFAULTS,
        ...dropUndefined({
          attackSeconds: number("attack-seconds", 1, 3600),
          settleSeconds: number("settle", 0, 3600),
          rate: number("rate", 1, 1000),
          churnLoops: number("churn", 0, 1000),
          slowlorisConnections: number("slowloris", 0, 100_000),
          guessLoops: number("guessers", 0, 1000),
          flooders: number("flooders", 0, 1000),
          attackAddresses: number("attack-addresses", 1, 60_000),
        }),
      },
    };
  }
  if (attackOnly.length > 0) {
    throw new UsageError(`--${attackOnly[0]} belongs to --scenario attack.`, COMMAND);
  }
  const chosen = wanted === "all"
    ? [...SCENARIOS]
    : wanted === "transports"
    ? SCENARIOS.filter((s) => TRANSPORT_SCENARIOS.includes(s.name))
    : SCENARIOS.filter((s) => s.name === wanted);
  if (chosen.length === 0) {
    throw new UsageError(
      `Unknown scenario "${wanted}"; choose ${
        SCENARIOS.map((s) => s.name).join(", ")
      }, all, transports or attack.`,
      COMMAND,
    );
  }
  const overrides: Partial<ScenarioSettings> = dropUndefined({
    connections: number("connections", 1, 100_000),
    senders: number("senders", 0, 100_000),
    messages: number("messages", 0, 10_000_000),
    window: number("window", 1, 1_000_000),
    textChars: number("text-chars", 1, 4000),
    rate: number("rate", 0, 10_000_000),
    slowMembers: number("slow", 0, 100_000),
    webSockets: number("web-sockets", 0, 100_000),
    timeoutSeconds: number("timeout", 1, 86_400),
    settleSeconds: number("settle", 0, 3600),
    pasteSeconds: number("paste-seconds", 0, 3600),
  });
  if ((wanted === "all" || wanted === "transports") && Object.keys(overrides).length > 0) {
    throw new UsageError(
      "--scenario all runs each scenario with its defaults; drop the other flags.",
      COMMAND,
    );
  }
  const scenarios = chosen.map((scenario) => {
    const settings = { ...scenario.defaults, ...overrides };
    // The WebSocket scenarios keep their proportion when --connections changes.
    if (overrides.webSockets === undefined && scenario.defaults.webSockets > 0) {
      const share = scenario.defaults.webSockets / scenario.defaults.connections;
      settings.webSockets = Math.round(settings.connections * share);
    }
    if (settings.senders + settings.slowMembers > settings.connections) {
      throw new UsageError("--senders plus --slow must not exceed --connections.", COMMAND);
    }
    return { scenario, settings };
  });
  return { ...common, scenarios };
}

/** `--scenario transports`: TCP and WebSocket members side by side in one run. */
const TRANSPORT_SCENARIOS: readonly string[] = ["fanout", "fanout-ws", "mixed"];

/** Flags of the attack scenario only. */
const ATTACK_FLAGS = [
  "attack-seconds",
  "churn",
  "slowloris",
  "guessers",
  "flooders",
  "attack-addresses",
];

/** Flags of the load scenarios only (the attack scenario has its own shape). */
const LOAD_FLAGS = [
  "connections",
  "senders",
  "messages",
  "window",
  "text-chars",
  "slow",
  "web-sockets",
  "timeout",
  "paste-seconds",
];

/** Runs the attack scenario `runs` times; exit 1 when the measurement itself went wrong. */
async function benchAttack(request: BenchRequest, args: string[], denoFlags: string[]) {
  const machine = describeMachine();
  const reports: AttackReport[] = [];
  for (let i = 0; i < request.runs; i++) {
    const progress = request.json ? undefined : (line: string) => console.error(line);
    reports.push(await runAttackScenario(request.attack!, denoFlags, progress));
  }
  if (request.json) {
    console.log(JSON.stringify(
      { command: [COMMAND, ...args].join(" "), machine, attack: reports },
      null,
      2,
    ));
  } else {
    console.log(formatMachine(machine));
    for (const report of reports) console.log(formatAttackReport(report));
  }
  return reports.some((r) => r.problems.length > 0) ? EXIT_FAILURE : EXIT_OK;
}

/** Runs the cluster scenario (scripts/bench/cluster.ts); exit 1 when anything was lost. */
async function benchCluster(request: BenchRequest, args: string[]) {
  const machine = describeMachine();
  const progress = request.json ? undefined : (line: string) => console.error(line);
  const report = await runClusterScenario(CLUSTER_DEFAULTS, progress);
  if (request.json) {
    console.log(
      JSON.stringify({ command: [COMMAND, ...args].join(" "), machine, cluster: report }),
    );
  } else {
    console.log(formatMachine(machine));
    console.log(formatClusterReport(report));
  }
  return report.problems.length > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** Runs the files scenario `runs` times; exit 1 when the bytes came back different. */
async function benchFiles(request: BenchRequest, args: string[], denoFlags: string[]) {
  const reports: FilesReport[] = [];
  for (let i = 0; i < request.runs; i++) {
    const progress = (line: string) => request.json || console.error(`files: ${line}`);
    reports.push(await runFilesScenario(request.files!, denoFlags, progress));
  }
  if (request.json) {
    console.log(JSON.stringify({ command: [COMMAND, ...args].join(" "), files: reports }, null, 2));
  } else {
    console.log(formatMachine(describeMachine()));
    for (const report of reports) console.log(formatFilesReport(report));
  }
  return reports.every((report) => report.intact) ? EXIT_OK : EXIT_FAILURE;
}

async function bench(args: string[]): Promise<number> {
  const request = parseBenchArgs(args);
  if (!request) return EXIT_OK;
  const machine = describeMachine();
  const denoFlags = [
    ...(request.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${request.cpuProfileDir}`] : []),
    ...(request.serverV8Flags ? [`--v8-flags=${request.serverV8Flags}`] : []),
  ];
  if (request.attack) return await benchAttack(request, args, denoFlags);
  if (request.cluster) return await benchCluster(request, args);
  if (request.files) return await benchFiles(request, args, denoFlags);
  const reports: ScenarioReport[] = [];
  for (const { scenario, settings } of request.scenarios) {
    const runs = [];
    for (let i = 0; i < request.runs; i++) {
      if (!request.json) console.error(`${scenario.name}: run ${i + 1} of ${request.runs}…`);
      runs.push(await runScenarioWithReader(scenario, settings, denoFlags));
    }
    reports.push(reportScenario(scenario, settings, runs));
  }
  if (request.json) {
    console.log(
      JSON.stringify(
        { command: [COMMAND, ...args].join(" "), machine, scenarios: reports },
        null,
        2,
      ),
    );
  } else {
    console.log(formatReport(machine, reports));
  }
  return reports.some((r) => r.problems.length > 0) ? EXIT_FAILURE : EXIT_OK;
}

function dropUndefined<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<
    T
  >;
}

if (import.meta.main) {
  try {
    Deno.exit(await bench(Deno.args));
  } catch (error) {
    Deno.exit(reportError(error, Deno.args.includes("--debug")));
  }
}
