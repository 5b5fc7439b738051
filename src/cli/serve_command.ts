/**
 * `chat serve`: parse the flags, open the room, tell the person at the
 * keyboard how friends can join, and close cleanly on Ctrl-C or SIGTERM.
 *
 * @module
 */

import { DEFAULT_LISTEN_HOST, DEFAULT_PORT } from "../protocol/constants.ts";
import { DEFAULT_LIMITS } from "../protocol/limits.ts";
import { ChatServer } from "../server/chat_server.ts";
import { sanitizeText } from "../text/sanitize.ts";
import { formatClock } from "../text/time.ts";
import { joinTarget, machineInterfaces, reachableAddresses } from "./addresses.ts";
import { integerOption, noPositionals, type OptionSpec, parseCommandLine } from "./args.ts";
import { EXIT_OK, UserError } from "./errors.ts";
import { SERVE_HELP } from "./help.ts";

const COMMAND = "chat serve";

const OPTIONS: OptionSpec = {
  host: { type: "string" },
  port: { type: "string", short: "p" },
  motd: { type: "string" },
  "max-line-bytes": { type: "string" },
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
    quiet: Boolean(values.quiet),
  };
}

/** Runs `chat serve` until Ctrl-C or SIGTERM; returns the exit code. */
export async function runServe(args: string[]): Promise<number> {
  const settings = parseServeArgs(args);
  if (!settings) return EXIT_OK;
  const log = settings.quiet ? () => {} : (line: string) => console.log(stamp(line));
  const interactive = Deno.stdout.isTerminal();
  const server = startServer(settings, log, interactive);
  if (!settings.quiet) console.log(banner(settings.host, server.addr.port));
  await untilStopSignal();
  log("Shutting down: telling everyone and closing connections…");
  await server.shutdown();
  log("Stopped.");
  return EXIT_OK;
}

function startServer(
  settings: ServeSettings,
  log: (line: string) => void,
  logMessages: boolean,
): ChatServer {
  try {
    return new ChatServer({
      hostname: settings.host,
      port: settings.port,
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
export function banner(host: string, port: number): string {
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
