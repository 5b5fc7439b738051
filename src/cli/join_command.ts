/**
 * `chat join`: parse the flags, get a name, connect, then run the
 * full-screen chat — or the plain line-oriented client when stdin or stdout
 * is not a terminal.
 *
 * @module
 */

import { DEFAULT_JOIN_HOST, DEFAULT_PORT } from "../protocol/constants.ts";
import { checkName } from "../protocol/names.ts";
import { hostPort } from "../protocol/host_port.ts";
import {
  CannotJoinError,
  ChatConnection,
  checkReachable,
  type ConnectionEvent,
  retryNotice,
  UnreachableError,
} from "../client/connection.ts";
import { normalizeFingerprint } from "../protocol/fingerprint.ts";
import { join } from "node:path";
import { KnownHosts } from "../client/known_hosts.ts";
import { SavedSessions, type ServerSessions } from "../client/saved_sessions.ts";
import type { TlsSettings } from "../client/tls_connect.ts";
import { askName, askPassword, askYesNo } from "../client/prompts.ts";
import { runPlainChat } from "../client/plain_chat.ts";
import { Terminal } from "../client/terminal.ts";
import { TerminalChat } from "../client/terminal_chat.ts";
import { ServerPreferences } from "../client/preferences.ts";
import { createTheme } from "../client/theme.ts";
import { configDir, dataDir, downloadsDir } from "./dirs.ts";
import { parseJoinTarget } from "./addresses.ts";
import { integerOption, type OptionSpec, parseCommandLine } from "./args.ts";
import { EXIT_FAILURE, EXIT_OK, UsageError, UserError } from "./errors.ts";
import { joinHelp } from "./help.ts";
import {
  type OptionTable,
  parserOptions,
  printedHelpOrVersion,
  STANDARD_OPTIONS,
} from "./options.ts";
import { withRoomFromNetwork } from "./join_discovery.ts";

const COMMAND = "chat join";

/** Every option of `chat join`: the parser and --help are made from this table. */
const OPTIONS: OptionTable = {
  name: {
    type: "string",
    short: "n",
    value: "NAME",
    help: "the name others see you as (1-24 characters, no spaces)",
  },
  host: {
    type: "string",
    value: "HOST",
    help: "the room's computer (instead of the HOST argument)",
  },
  port: { type: "string", short: "p", value: "PORT", help: `TCP port (default ${DEFAULT_PORT})` },
  tls: { type: "boolean", help: 'connect with TLS (rooms started with "chat serve --tls")' },
  fingerprint: {
    type: "string",
    value: "SHA256:…",
    help: "the certificate fingerprint the room's banner shows\n" +
      "(implies --tls). Without it, a first visit shows the\n" +
      "fingerprint and asks before remembering it (known_hosts\n" +
      "in the config directory); a different one is refused",
  },
  ca: {
    type: "string",
    value: "FILE",
    help: "check the certificate against these authorities (PEM)\n" +
      "instead of pinning it (implies --tls)",
  },
  "trust-first": {
    type: "boolean",
    help:
      "plain mode: remember a TLS room's certificate on the\nfirst visit (a terminal asks instead)",
  },
  "take-over": {
    type: "boolean",
    help:
      "plain mode: take your name over from another window\nof yours in that room (a terminal asks instead)",
  },
  "no-color": { type: "boolean", help: "no colours (also when NO_COLOR is set)" },
  ...STANDARD_OPTIONS,
};

/** The options `chat join` accepts, as the parser takes them. */
export const JOIN_OPTIONS: OptionSpec = parserOptions(OPTIONS);

/** `chat join --help`. */
export const JOIN_HELP: string = joinHelp([{ title: "Options", options: OPTIONS }]);

/** The environment variables `chat join` reads. */
const JOIN_ENV_VARS = ["NO_COLOR", "TERM", "CHAT_PASSWORD"] as const;

/** Settings of `chat join` after parsing. */
export interface JoinSettings {
  host: string;
  port: number;
  /** The name from --name, already checked; absent when it must be asked for. */
  name?: string;
  /** The room password from CHAT_PASSWORD; asked for when the room needs one and it is absent. */
  password?: string;
  /** Present for TLS (--tls, or implied by --fingerprint or --ca). */
  tls?: { fingerprint?: string; caFile?: string };
  color: boolean;
  /**
   * Shared files' names as OSC 8 links: off where the terminal would print
   * the escape as text (the Linux console) or has no escapes (TERM=dumb).
   */
  hyperlinks: boolean;
  /** No address at all (no HOST, --host or --port): look for rooms on the local network. */
  discover?: boolean;
  /** --trust-first: in plain mode, pin a TLS room's certificate on the first visit without asking. */
  trustFirst?: boolean;
  /** --take-over: in plain mode, take the name over from another window of ours without asking. */
  takeOver?: boolean;
}

/** Parses `chat join` arguments; `null` means help or the version was printed. */
export function parseJoinArgs(
  args: string[],
  env: Partial<Record<(typeof JOIN_ENV_VARS)[number], string>> = readEnv(),
): JoinSettings | null {
  const { values, positionals } = parseCommandLine(args, JOIN_OPTIONS, COMMAND);
  if (printedHelpOrVersion(values, JOIN_HELP)) return null;
  if (positionals.length > 1) {
    throw new UsageError(`Unexpected argument "${positionals[1]}"; give one HOST[:PORT].`, COMMAND);
  }
  if (positionals.length === 1 && values.host !== undefined) {
    throw new UsageError("Give the host once: either --host HOST or a HOST argument.", COMMAND);
  }
  const target = parseJoinTarget(String(positionals[0] ?? values.host ?? DEFAULT_JOIN_HOST));
  if (target.host === "") throw new UsageError("The host can't be empty.", COMMAND);
  if (Number.isNaN(target.port)) {
    throw new UsageError(
      `The port in "${positionals[0] ?? values.host}" must be a number from 1 to 65535.`,
      COMMAND,
    );
  }
  const flagPort = integerOption(values.port, "--port", COMMAND, { min: 1, max: 65535 });
  if (flagPort !== undefined && target.port !== undefined && flagPort !== target.port) {
    throw new UsageError(
      `Two different ports: ${target.port} in the address and ${flagPort} from --port.`,
      COMMAND,
    );
  }
  let name: string | undefined;
  if (values.name !== undefined) {
    const checked = checkName(String(values.name));
    if ("code" in checked) throw new UsageError(`--name: ${checked.message}`, COMMAND);
    name = checked.name;
  }
  let tls: JoinSettings["tls"];
  if (values.ca !== undefined) {
    if (values.fingerprint !== undefined) {
      throw new UsageError("Use --ca or --fingerprint, not both.", COMMAND);
    }
    tls = { caFile: String(values.ca) };
  } else if (values.fingerprint !== undefined) {
    const fingerprint = normalizeFingerprint(String(values.fingerprint));
    if (!fingerprint) {
      throw new UsageError(
        '--fingerprint must be a SHA-256 fingerprint as "chat serve --tls" prints it (SHA256:…).',
        COMMAND,
      );
    }
    tls = { fingerprint };
  } else if (values.tls) {
    tls = {};
  }
  return {
    ...(tls ? { tls } : {}),
    host: target.host,
    port: target.port ?? flagPort ?? DEFAULT_PORT,
    name,
    ...(env.CHAT_PASSWORD ? { password: env.CHAT_PASSWORD } : {}),
    color: !values["no-color"] && !env.NO_COLOR && env.TERM !== "dumb",
    hyperlinks: env.TERM !== "dumb" && env.TERM !== "linux",
    ...(positionals.length === 0 && values.host === undefined && values.port === undefined
      ? { discover: true }
      : {}),
    ...(values["trust-first"] ? { trustFirst: true } : {}),
    ...(values["take-over"] ? { takeOver: true } : {}),
  };
}

/**
 * How to check a TLS room's certificate: against the `--ca` authorities, or
 * pinned (`--fingerprint`, else remembered in the known-hosts file, else on
 * the first visit: in a terminal after asking, as ssh does; in plain mode
 * only with --trust-first, since nobody can answer there).
 */
async function tlsSettings(
  tls: NonNullable<JoinSettings["tls"]>,
  firstVisit: { interactive: boolean; trustFirst?: boolean },
): Promise<TlsSettings> {
  if (tls.caFile !== undefined) {
    try {
      return { caCerts: [await Deno.readTextFile(tls.caFile)] };
    } catch (error) {
      throw new UserError(
        `Can't read the --ca file ${tls.caFile} (${(error as Error).message}). Give a PEM file.`,
        { cause: error },
      );
    }
  }
  const knownHosts = new KnownHosts(join(configDir(), "known_hosts"));
  return {
    fingerprint: tls.fingerprint,
    knownHosts,
    onFirstUse(target, fingerprint) {
      if (firstVisit.interactive) {
        console.log(`First visit to ${target}. Its certificate fingerprint is\n  ${fingerprint}`);
        return askYesNo('Is it the one "chat serve" printed? Trust it and remember it?');
      }
      if (!firstVisit.trustFirst) {
        throw new CannotJoinError(
          `First visit to ${target}: its certificate fingerprint is ${fingerprint}. ` +
            'Compare it with the one "chat serve" printed, then join with --fingerprint (or --trust-first).',
        );
      }
      console.error(
        `First visit to ${target}: its certificate fingerprint is ${fingerprint}.\n` +
          `Compare it with the one "chat serve" printed; it is remembered in ${knownHosts.path}.`,
      );
      return true;
    },
  };
}

/** Settings with the TLS checks resolved and the saved places found, as the connection takes them. */
type ConnectSettings = Omit<JoinSettings, "tls"> & { tls?: TlsSettings; saved?: ServerSessions };

/** The file of saved places in rooms; `undefined` when there is no data directory to put it in. */
function savedSessions(): SavedSessions | undefined {
  try {
    return new SavedSessions(join(dataDir(), "sessions.json"));
  } catch {
    // No home directory: joining works, it just can't catch up next time.
    return undefined;
  }
}

/** The full-screen client's preferences file; none without a home directory (kept in memory). */
function preferencesPath(): string | undefined {
  try {
    return join(configDir(), "preferences.json");
  } catch {
    return undefined;
  }
}

/** Runs `chat join`; returns the exit code. */
export async function runJoin(args: string[]): Promise<number> {
  const parsed = await withRoomFromNetwork(parseJoinArgs(args), Terminal.available());
  if (!parsed) return EXIT_OK;
  const sessions = savedSessions();
  const interactive = Terminal.available();
  try {
    const settings: ConnectSettings = {
      ...parsed,
      tls: parsed.tls &&
        await tlsSettings(parsed.tls, { interactive, trustFirst: parsed.trustFirst }),
      saved: sessions?.forServer(hostPort(parsed.host, parsed.port)),
    };
    // Nothing is asked (a name) before the room is known to be there (and trusted, over TLS).
    if (settings.name === undefined) await checkReachable(settings);
    if (!interactive) {
      return await runPlainChat({ ...settings, downloads: () => downloadsDir() });
    }
    return await runFullScreen(settings);
  } catch (error) {
    if (error instanceof UnreachableError) {
      throw new UserError(error.message, { cause: error.cause });
    }
    if (error instanceof CannotJoinError) {
      throw new UserError(error.message, { cause: error.cause });
    }
    throw error;
  } finally {
    // However the chat ended (quit, Ctrl-C, the server going away), the last id seen is kept.
    sessions?.flush();
  }
}

/** Gets a name, joins, then hands the terminal to the full-screen chat. */
async function runFullScreen(settings: ConnectSettings): Promise<number> {
  const name = settings.name ?? await askName();
  if (name === null) return EXIT_OK;
  let chat: TerminalChat | null = null;
  let cancelled = false;
  const backlog: ConnectionEvent[] = [];
  const connection: ChatConnection = new ChatConnection({
    host: settings.host,
    port: settings.port,
    name,
    password: settings.password,
    tls: settings.tls,
    saved: settings.saved,
    takeOver: false,
    onEvent(event) {
      if (chat) return chat.handleEvent(event);
      switch (event.type) {
        case "name_refused":
          if (event.code === "name_open") {
            // "alice is open in another window." names the holder as the room spells it.
            const question = `${event.message.replace(/\.$/, "")}; take over?`;
            return answer(
              askYesNo(question).then((yes) => yes ? "yes" : null),
              () => connection.takeOver(),
            );
          }
          // Before the chat screen exists, ask with the same prompts as at the start.
          return answer(askName(event.message), (next) => connection.chooseName(next));
        case "password_needed":
          return answer(askPassword(event.message), (next) => connection.choosePassword(next));
        case "disconnected":
          console.error(retryNotice(event));
          return;
        case "ended":
          if (event.bye) console.error(event.reason);
          return;
        case "connecting":
          return;
        default:
          backlog.push(event);
      }
    },
  });
  /** Passes a prompt's answer on; Ctrl-C at the prompt gives up joining. */
  function answer(prompt: Promise<string | null>, use: (value: string) => void): void {
    prompt.then((value) => {
      if (value !== null) return use(value);
      cancelled = true;
      connection.close();
    });
  }
  if (await connection.start() === "ended") return cancelled ? EXIT_OK : EXIT_FAILURE;
  const terminal = Terminal.open();
  chat = new TerminalChat({
    connection,
    terminal,
    theme: createTheme({ color: settings.color, decorate: true }),
    preferences: new ServerPreferences(preferencesPath(), connection.address),
    downloads: () => downloadsDir(),
    hyperlinks: settings.hyperlinks,
  });
  return await chat.run(backlog);
}

function readEnv(): Partial<Record<(typeof JOIN_ENV_VARS)[number], string>> {
  const env: Partial<Record<(typeof JOIN_ENV_VARS)[number], string>> = {};
  for (const name of JOIN_ENV_VARS) {
    try {
      const value = Deno.env.get(name);
      if (value) env[name] = value;
    } catch {
      // Not allowed to read it: behave as if it were unset.
    }
  }
  return env;
}
