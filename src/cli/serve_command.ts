/**
 * `chat serve`: parse the flags, open the room, tell the person at the
 * keyboard how friends can join, and close cleanly on Ctrl-C or SIGTERM.
 *
 * @module
 */

import { ROOM_OPTIONS, type RoomSettings, roomSettingsFrom } from "./room_flags.ts";
import { DEFAULT_LISTEN_HOST, DEFAULT_PORT } from "../protocol/constants.ts";
import type { Limits } from "../protocol/limits.ts";
import { password as passwordPrompt } from "@inquirer/prompts";
import { ChatServer } from "../server/chat_server.ts";
import type { RoomStore } from "../server/room_store.ts";
import { runOperatorConsole } from "../server/operator_console.ts";
import { describeDrops, LogWriter } from "../server/log_writer.ts";
import type { TlsIdentity } from "../server/tls_identity.ts";
import { sanitizeText } from "../text/sanitize.ts";
import { formatClock } from "../text/time.ts";
import { integerOption, noPositionals, type OptionSpec, parseCommandLine } from "./args.ts";
import { EXIT_OK, UsageError, UserError } from "./errors.ts";
import { serveHelp } from "./help.ts";
import { limitOptions, limitsFrom } from "./limit_flags.ts";
import {
  type OptionSection,
  parserOptions,
  printedHelpOrVersion,
  STANDARD_OPTIONS,
} from "./options.ts";
import { banner, joinCommandName, pageUrls } from "./serve_banner.ts";
import { serverIdentity, TLS_OPTIONS, type TlsFlags, tlsFlagsFrom } from "./tls_flags.ts";
import {
  HISTORY_OPTIONS,
  type HistorySettings,
  historySettingsFrom,
  openHistory,
  serverDataDir,
} from "./history_flags.ts";
import { FILE_OPTIONS, type FileSettings, fileSettingsFrom, openFiles } from "./file_flags.ts";
import type { FileService } from "../server/files/file_service.ts";
import {
  CLUSTER_OPTIONS,
  type ClusterEnv,
  clusterEnv,
  type ClusterSettings,
  clusterSettingsFrom,
  openCluster,
} from "./cluster_flags.ts";
import type { Cluster } from "../server/cluster/cluster.ts";
import {
  ANNOUNCE_OPTIONS,
  announceRoom,
  type AnnounceSettings,
  announceSettingsFrom,
} from "./serve_announce.ts";

const COMMAND = "chat serve";
/** How long a stopping server waits for its log to be read before exiting anyway. */
const LOG_FLUSH_MS = 2000;

/** Every option of `chat serve`, by help section: the parser and --help are made from these. */
const SECTIONS: OptionSection[] = [
  {
    title: "Options",
    options: {
      host: {
        type: "string",
        value: "ADDRESS",
        help: `address to listen on (default ${DEFAULT_LISTEN_HOST}: every IPv4\n` +
          'interface; "::" adds IPv6; 127.0.0.1 for this computer only)',
      },
      port: {
        type: "string",
        short: "p",
        value: "PORT",
        help: `TCP port (default ${DEFAULT_PORT}; 0 picks a free one)`,
      },
      password: {
        type: "string",
        value: "[TEXT]",
        help: "members must give this password; without TEXT, it is asked\n" +
          'for (CHAT_PASSWORD works too and stays out of "ps")',
      },
      motd: {
        type: "string",
        value: "TEXT",
        help: "message of the day shown to everyone who joins",
      },
      quiet: { type: "boolean", short: "q", help: "print only errors" },
      "no-qr": {
        type: "boolean",
        help:
          "no QR code of the browser address in the banner\n(it is shown only when stdout is a terminal)",
      },
      "trust-proxy": {
        type: "boolean",
        help:
          "behind a reverse proxy: take browser members' addresses\nfrom X-Forwarded-For (never on a port the internet reaches)",
      },
      ...STANDARD_OPTIONS,
    },
  },
  { title: "TLS", options: TLS_OPTIONS },
  { title: "Rooms", options: ROOM_OPTIONS },
  { title: "History", options: HISTORY_OPTIONS },
  { title: "Several nodes", options: CLUSTER_OPTIONS },
  { title: "Files", options: FILE_OPTIONS },
  { title: "Local network", options: ANNOUNCE_OPTIONS },
  { title: "Limits", options: limitOptions() },
];

/** The options `chat serve` accepts, as the parser takes them. */
export const SERVE_OPTIONS: OptionSpec = parserOptions(...SECTIONS.map((s) => s.options));

/** `chat serve --help`. */
export const SERVE_HELP: string = serveHelp(SECTIONS);

/** Settings of `chat serve` after parsing. */
export interface ServeSettings {
  host: string;
  port: number;
  motd?: string;
  /** The room password, `undefined` for an open room. */
  password?: string;
  /** `--password` was given without a value: ask for it. */
  askPassword: boolean;
  tls: TlsFlags;
  limits: Partial<Limits>;
  history: HistorySettings;
  files: FileSettings;
  rooms: RoomSettings;
  /** LAN discovery: announce the room (`--name`, `--no-announce`). */
  announce: AnnounceSettings;
  quiet: boolean;
  /** Leave the QR code of the browser address out of the banner. */
  noQr: boolean;
  /** Take browser members' addresses from X-Forwarded-For. */
  trustProxy: boolean;
  /** Show stacks with errors. */
  debug: boolean;
  /** One node of several sharing a chat over Redis (`--redis`). */
  cluster?: ClusterSettings;
}

/** Parses `chat serve` arguments; `null` means help or the version was printed. */
export function parseServeArgs(
  args: string[],
  env: { CHAT_PASSWORD?: string } & ClusterEnv = {
    CHAT_PASSWORD: Deno.env.get("CHAT_PASSWORD"),
    ...clusterEnv(),
  },
): ServeSettings | null {
  const { rest, askPassword } = extractBarePasswordFlag(args);
  const { values, positionals } = parseCommandLine(rest, SERVE_OPTIONS, COMMAND);
  if (printedHelpOrVersion(values, SERVE_HELP)) return null;
  noPositionals(positionals, COMMAND);
  const motd = values.motd === undefined ? undefined : sanitizeText(String(values.motd), {
    multiline: true,
  });
  const password = values.password === undefined ? env.CHAT_PASSWORD : String(values.password);
  if (password === "") throw new UsageError("The password can't be empty.", COMMAND);
  const host = stripBrackets(String(values.host ?? DEFAULT_LISTEN_HOST));
  return {
    host,
    port: integerOption(values.port, "--port", COMMAND, { min: 0, max: 65535 }) ?? DEFAULT_PORT,
    motd,
    password,
    askPassword: askPassword && password === undefined,
    tls: tlsFlagsFrom(values, COMMAND),
    limits: limitsFrom(values, COMMAND),
    history: historySettingsFrom(values, COMMAND),
    files: fileSettingsFrom(values, COMMAND),
    rooms: roomSettingsFrom(values, COMMAND),
    announce: announceSettingsFrom(values, host, COMMAND),
    quiet: Boolean(values.quiet),
    noQr: Boolean(values["no-qr"]),
    trustProxy: Boolean(values["trust-proxy"]),
    debug: Boolean(values.debug),
    cluster: clusterSettingsFrom(values, env, COMMAND, Boolean(values["no-history"])),
  };
}

/**
 * `--password` may come without a value (last, or followed by another
 * option), meaning "ask me". parseArgs cannot express an optional value, so
 * that form is taken out before parsing.
 */
function extractBarePasswordFlag(args: string[]): { rest: string[]; askPassword: boolean } {
  const rest: string[] = [];
  let askPassword = false;
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (args[i] === "--password" && (next === undefined || next.startsWith("-"))) {
      askPassword = true;
    } else {
      rest.push(args[i]);
    }
  }
  return { rest, askPassword };
}

/**
 * Asks for the new room password at the terminal, hidden as it is typed, and
 * a second time to confirm it: a typo nobody saw would lock everyone out.
 * When the two differ it says so and starts again. `null` when Ctrl-C gave up.
 */
async function askForPassword(): Promise<string | null> {
  if (!Deno.stdin.isTerminal()) {
    throw new UsageError(
      "--password needs a value when chat serve is not run in a terminal (or set CHAT_PASSWORD).",
      COMMAND,
    );
  }
  const ask = (message: string) =>
    passwordPrompt({
      message,
      mask: "*",
      validate: (value) => value.length > 0 || "The password can't be empty.",
    });
  try {
    for (;;) {
      const password = await ask("Room password");
      if (await ask("Same password again") === password) return password;
      console.error("The two passwords differ; type it twice again.");
    }
  } catch (error) {
    // Ctrl-C at the prompt: the operator changed their mind, which is no error.
    if (error instanceof Error && error.name === "ExitPromptError") return null;
    throw error;
  }
}

/** Runs `chat serve` until Ctrl-C or SIGTERM; returns the exit code. */
export async function runServe(args: string[]): Promise<number> {
  const settings = parseServeArgs(args);
  if (!settings) return EXIT_OK;
  if (settings.askPassword) {
    const password = await askForPassword();
    if (password === null) return EXIT_OK;
    settings.password = password;
  }
  // Never console.log while serving: a stdout nobody reads would stop the room (log_writer.ts).
  const droppedLine = (count: number) => stamp(describeDrops(count));
  const out = new LogWriter(Deno.stdout, { droppedLine });
  const errors = new LogWriter(Deno.stderr, { droppedLine });
  const log = settings.quiet ? () => {} : (line: string) => out.line(stamp(line));
  const interactive = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  keepServingOnStrayErrors(settings.debug, (line) => errors.line(stamp(line)));
  const identity = settings.tls.tls
    ? await serverIdentity(settings.tls, serverDataDir(settings.history))
    : undefined;
  if (identity?.created) log("Created a self-signed TLS certificate; it is kept for next time.");
  const { cluster, note: clusterNote } = settings.cluster
    ? await openCluster(settings.cluster, settings.history.historyLimit, log)
    : { cluster: undefined, note: undefined };
  const { store, note } = cluster ? { store: cluster.store, note: clusterNote! } : openHistory(
    settings.history,
    (message) => errors.line(stamp(message)),
    (warning) => console.error(stamp(warning)), // before the room opens: nobody to block yet
  );
  let server: ChatServer;
  let files: FileService | undefined;
  try {
    // Files live on one node's disk, which the other nodes cannot serve: off with --redis.
    files = openFiles(
      cluster ? { ...settings.files, off: true } : settings.files,
      settings.history.noHistory
        ? { temporary: true }
        : { dataDir: serverDataDir(settings.history) },
    );
    server = startServer(settings, store, log, interactive, identity, cluster, files);
  } catch (error) {
    store.close();
    await cluster?.close();
    files?.store.close();
    throw error;
  }
  if (cluster) {
    await cluster.started;
    const count = cluster.nodes().length;
    log(
      `This is node ${cluster.node}; it sees ${count} node${
        count === 1 ? "" : "s"
      } (/nodes lists them).`,
    );
  }
  if (!settings.quiet) {
    out.line(banner({
      host: settings.host,
      port: server.addr.port,
      passwordProtected: settings.password !== undefined,
      fingerprint: identity?.fingerprint,
      historyNote: note,
      joinCommand: joinCommandName(),
      qr: !settings.noQr && Deno.stdout.isTerminal(),
    }));
  }
  if (interactive) {
    // The operator's console; it ends with stdin, the room does not.
    runOperatorConsole(server, Deno.stdin.readable, (line) => out.line(line)).catch(() => {});
  }
  const announcer = announceRoom(settings.announce, {
    listenHost: settings.host,
    port: server.addr.port,
    password: settings.password !== undefined,
    fingerprint: identity?.fingerprint,
    browserUrl: pageUrls(settings.host, server.addr.port, identity !== undefined)[0],
  }, log);
  await untilStopSignal();
  await announcer?.stop(); // the goodbye first, so lists drop the room at once
  log("Shutting down: telling everyone and closing connections…");
  await server.shutdown();
  await cluster?.close();
  log("Stopped.");
  await Promise.all([out.flush(LOG_FLUSH_MS), errors.flush(LOG_FLUSH_MS)]);
  return EXIT_OK;
}

function startServer(
  settings: ServeSettings,
  store: RoomStore,
  log: (line: string) => void,
  logMessages: boolean,
  identity: TlsIdentity | undefined,
  cluster: Cluster | undefined,
  files: FileService | undefined,
): ChatServer {
  try {
    return new ChatServer({
      hostname: settings.host,
      port: settings.port,
      store,
      historyOnJoin: settings.history.historyOnJoin,
      defaultRoom: settings.rooms.defaultRoom,
      rooms: settings.rooms,
      motd: settings.motd,
      password: settings.password,
      tls: identity && { cert: identity.cert, key: identity.key },
      fingerprint: identity?.fingerprint,
      limits: settings.limits,
      trustProxy: settings.trustProxy,
      log,
      logMessages,
      cluster,
      files,
    });
  } catch (error) {
    throw listenError(error, settings);
  }
}

function listenError(error: unknown, { host, port }: ServeSettings): unknown {
  if (error instanceof Deno.errors.AddrInUse) {
    return new UserError(
      `Port ${port} is already in use (is another chat server running?). Stop it, or choose another port with --port.`,
      { cause: error },
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new UserError(
      `Not allowed to listen on port ${port}; ports below 1024 need administrator rights. Use --port ${DEFAULT_PORT}.`,
      { cause: error },
    );
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return new UserError(
      `This computer has no address ${host}. Use --host 0.0.0.0 to listen on every interface.`,
      { cause: error },
    );
  }
  return error;
}

/**
 * A server must outlive its own bugs: an error no connection caught is
 * reported (with its stack under --debug) instead of ending the room for
 * everyone.
 */
function keepServingOnStrayErrors(debug: boolean, logError: (line: string) => void): void {
  const report = (error: unknown) => {
    const detail = debug && error instanceof Error ? error.stack : String(error);
    logError(`Unexpected error, the room goes on: ${detail}`);
  };
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    report(event.reason);
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    report(event.error);
  });
}

/** Resolves on the first Ctrl-C (or SIGTERM where the platform has it). */
export function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const signals: Deno.Signal[] = Deno.build.os === "windows"
      ? ["SIGINT", "SIGBREAK"]
      : ["SIGINT", "SIGTERM"];
    const stop = () => {
      for (const signal of signals) Deno.removeSignalListener(signal, stop);
      resolve();
    };
    for (const signal of signals) Deno.addSignalListener(signal, stop);
  });
}

function stamp(line: string): string {
  return line.startsWith("[") ? line : `[${formatClock(Date.now())}] ${line}`;
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
