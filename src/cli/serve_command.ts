/**
 * `chat serve`: parse the flags, open the room, tell the person at the
 * keyboard how friends can join, and close cleanly on Ctrl-C or SIGTERM.
 *
 * @module
 */

import { DEFAULT_LISTEN_HOST, DEFAULT_PORT } from "../protocol/constants.ts";
import { DEFAULT_LIMITS } from "../protocol/limits.ts";
import { ChatServer } from "../server/chat_server.ts";
import {
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_HISTORY_ON_JOIN,
  memoryStore,
  type RoomStore,
} from "../server/room_store.ts";
import { HISTORY_FILE_NAME, HistoryFileError, openSqliteStore } from "../server/sqlite_store.ts";
import { sanitizeText } from "../text/sanitize.ts";
import { formatClock } from "../text/time.ts";
import { joinTarget, machineInterfaces, reachableAddresses } from "./addresses.ts";
import { integerOption, noPositionals, type OptionSpec, parseCommandLine } from "./args.ts";
import { dataDir } from "./dirs.ts";
import { EXIT_OK, UsageError, UserError } from "./errors.ts";
import { SERVE_HELP } from "./help.ts";
import { join } from "node:path";

const COMMAND = "chat serve";

const OPTIONS: OptionSpec = {
  host: { type: "string" },
  port: { type: "string", short: "p" },
  motd: { type: "string" },
  "max-line-bytes": { type: "string" },
  data: { type: "string" },
  "no-history": { type: "boolean" },
  "history-limit": { type: "string" },
  "history-on-join": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** Settings of `chat serve` after parsing. */
export interface ServeSettings {
  host: string;
  port: number;
  motd?: string;
  maxLineBytes: number;
  /** Directory of the history file; undefined means the platform's data directory. */
  dataDir?: string;
  /** Keep nothing on disk. */
  noHistory: boolean;
  historyLimit: number;
  historyOnJoin: number;
  quiet: boolean;
}

/** Parses `chat serve` arguments; `null` means help was printed. */
export function parseServeArgs(args: string[]): ServeSettings | null {
  const { values, positionals } = parseCommandLine(args, OPTIONS, COMMAND);
  if (values.help) {
    console.log(SERVE_HELP);
    return null;
  }
  noPositionals(positionals, COMMAND);
  if (values.data !== undefined && values["no-history"]) {
    throw new UsageError("Use either --data or --no-history, not both.", COMMAND);
  }
  const motd = values.motd === undefined ? undefined : sanitizeText(String(values.motd), {
    multiline: true,
  });
  return {
    host: stripBrackets(String(values.host ?? DEFAULT_LISTEN_HOST)),
    port: integerOption(values.port, "--port", COMMAND, { min: 0, max: 65535 }) ?? DEFAULT_PORT,
    motd,
    maxLineBytes: integerOption(values["max-line-bytes"], "--max-line-bytes", COMMAND, {
      min: 256,
      max: 16 * 1024 * 1024,
    }) ?? DEFAULT_LIMITS.maxLineBytes,
    dataDir: values.data === undefined ? undefined : String(values.data),
    noHistory: Boolean(values["no-history"]),
    historyLimit: integerOption(values["history-limit"], "--history-limit", COMMAND, {
      min: 1,
      max: 100_000_000,
    }) ?? DEFAULT_HISTORY_LIMIT,
    historyOnJoin: integerOption(values["history-on-join"], "--history-on-join", COMMAND, {
      min: 0,
      max: 1000,
    }) ?? DEFAULT_HISTORY_ON_JOIN,
    quiet: Boolean(values.quiet),
  };
}

/** Runs `chat serve` until Ctrl-C or SIGTERM; returns the exit code. */
export async function runServe(args: string[]): Promise<number> {
  const settings = parseServeArgs(args);
  if (!settings) return EXIT_OK;
  const log = settings.quiet ? () => {} : (line: string) => console.log(stamp(line));
  const interactive = Deno.stdout.isTerminal();
  const { store, note } = openStore(settings);
  let server: ChatServer;
  try {
    server = startServer(settings, store, log, interactive);
  } catch (error) {
    store.close();
    throw error;
  }
  if (!settings.quiet) console.log(banner(settings.host, server.addr.port, note));
  await untilStopSignal();
  log("Shutting down: telling everyone and closing connections…");
  await server.shutdown();
  log("Stopped.");
  return EXIT_OK;
}

/** Opens the history the settings ask for; a file that can't be used is a clear error. */
function openStore(settings: ServeSettings): { store: RoomStore; note: string } {
  if (settings.noHistory) {
    return {
      store: memoryStore(settings.historyLimit),
      note: "History is kept in memory only (--no-history): a restart forgets it.",
    };
  }
  const file = join(settings.dataDir ?? defaultDataDir(), HISTORY_FILE_NAME);
  try {
    const store = openSqliteStore(file, {
      historyLimit: settings.historyLimit,
      onError: (message) => console.error(stamp(message)),
    });
    return { store, note: `History is kept in ${file} (last ${settings.historyLimit} messages).` };
  } catch (error) {
    if (error instanceof HistoryFileError) throw historyFileUserError(error);
    throw error;
  }
}

function defaultDataDir(): string {
  try {
    return dataDir();
  } catch (error) {
    throw new UserError(
      `${(error as Error).message} Or choose where to keep the history with --data DIR.`,
      { cause: error },
    );
  }
}

/** The file's problem plus what to do about it, naming the flags that help. */
function historyFileUserError(error: HistoryFileError): UserError {
  const elsewhere = "choose another directory with --data DIR, or keep no history on disk " +
    "with --no-history.";
  const advice = {
    locked: `Stop the other server, or ${elsewhere}`,
    damaged: `Move it away to start a new history, or ${elsewhere}`,
    foreign: `Move it away, or ${elsewhere}`,
    newer: `Use the newer chat, or ${elsewhere}`,
    unwritable: `Fix its permissions, or ${elsewhere}`,
  }[error.problem];
  return new UserError(`${error.message} ${advice}`, { cause: error });
}

function startServer(
  settings: ServeSettings,
  store: RoomStore,
  log: (line: string) => void,
  logMessages: boolean,
): ChatServer {
  try {
    return new ChatServer({
      hostname: settings.host,
      port: settings.port,
      store,
      historyOnJoin: settings.historyOnJoin,
      motd: settings.motd,
      limits: { maxLineBytes: settings.maxLineBytes },
      log,
      logMessages,
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

/** What the operator sees on start: where the room is and the exact join commands. */
export function banner(host: string, port: number, historyNote?: string): string {
  const addresses = reachableAddresses(host, machineInterfaces());
  const lines = [`Chat room open on port ${port}.`];
  if (addresses.length > 0) {
    lines.push("Friends on your network join with:");
    for (const address of addresses) {
      lines.push(`  chat join --name YOURNAME ${joinTarget(address, port)}`);
    }
  } else {
    lines.push("No network address found; only this computer can join.");
  }
  const local = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  lines.push(`On this computer: chat join --name YOURNAME ${joinTarget(local, port)}`);
  lines.push(`Plain text works too: nc ${addresses[0] ?? local} ${port}`);
  if (historyNote) lines.push(historyNote);
  lines.push("Press Ctrl-C to close the room.");
  return lines.join("\n");
}

/** Resolves on the first Ctrl-C (or SIGTERM where the platform has it). */
function untilStopSignal(): Promise<void> {
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
