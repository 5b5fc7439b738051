/**
 * `chat serve`'s history flags (`--data`, `--no-history`, `--history-limit`,
 * `--history-on-join`) and opening the store they choose, with the start-up
 * errors a person can act on: every one names the file and the flags.
 *
 * @module
 */

import { join } from "node:path";
import {
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_HISTORY_ON_JOIN,
  memoryStore,
  type RoomStore,
} from "../server/room_store.ts";
import { HISTORY_FILE_NAME, HistoryFileError, openSqliteStore } from "../server/sqlite_store.ts";
import { integerOption, type ParsedArgs } from "./args.ts";
import { dataDir } from "./dirs.ts";
import { UsageError, UserError } from "./errors.ts";
import type { OptionTable } from "./options.ts";

/** The history options of `chat serve`. */
export const HISTORY_OPTIONS: OptionTable = {
  data: {
    type: "string",
    value: "DIR",
    help: "directory of the history file and the TLS certificate (default:\n" +
      "chat's data directory, e.g. ~/.local/share/chat; CHAT_DATA_DIR too)",
  },
  "no-history": {
    type: "boolean",
    help: "keep nothing on disk: history lasts until the server stops",
  },
  "history-limit": {
    type: "string",
    value: "N",
    help: `messages kept (default ${DEFAULT_HISTORY_LIMIT}); older ones are deleted`,
  },
  "history-on-join": {
    type: "string",
    value: "N",
    help: `earlier messages shown on join (default ${DEFAULT_HISTORY_ON_JOIN})`,
  },
};

/** What the history flags asked for. */
export interface HistorySettings {
  /** Directory of the history file; undefined means the platform's data directory. */
  dataDir?: string;
  /** Keep nothing on disk. */
  noHistory: boolean;
  /** Conversation records kept. */
  historyLimit: number;
  /** Earlier messages shown on join. */
  historyOnJoin: number;
}

/** Reads the history flags from parsed arguments; mistakes are usage errors for `command`. */
export function historySettingsFrom(
  values: ParsedArgs["values"],
  command: string,
): HistorySettings {
  if (values.data !== undefined && values["no-history"]) {
    throw new UsageError("Use either --data or --no-history, not both.", command);
  }
  return {
    dataDir: values.data === undefined ? undefined : String(values.data),
    noHistory: Boolean(values["no-history"]),
    historyLimit: integerOption(values["history-limit"], "--history-limit", command, {
      min: 1,
      max: 100_000_000,
    }) ?? DEFAULT_HISTORY_LIMIT,
    historyOnJoin: integerOption(values["history-on-join"], "--history-on-join", command, {
      min: 0,
      max: 1000,
    }) ?? DEFAULT_HISTORY_ON_JOIN,
  };
}

/**
 * Opens the store the settings ask for and says in one line where history
 * goes. A file that can't be used becomes a {@linkcode UserError} naming it.
 * `onError` hears of write failures while serving; `onWarning` of problems
 * found while opening (loose permissions), before the room opens.
 */
export function openHistory(
  settings: HistorySettings,
  onError: (message: string) => void,
  onWarning: (message: string) => void = onError,
): { store: RoomStore; note: string } {
  if (settings.noHistory) {
    return {
      store: memoryStore(settings.historyLimit),
      note: "History is kept in memory only (--no-history): a restart forgets it.",
    };
  }
  const file = join(serverDataDir(settings), HISTORY_FILE_NAME);
  try {
    const store = openSqliteStore(file, {
      historyLimit: settings.historyLimit,
      onError,
      onWarning,
    });
    return { store, note: `History is kept in ${file} (last ${settings.historyLimit} messages).` };
  } catch (error) {
    if (error instanceof HistoryFileError) throw historyFileUserError(error);
    throw error;
  }
}

/** The server's data directory (history, TLS certificate): `--data`, else the platform's. */
export function serverDataDir(settings: HistorySettings): string {
  if (settings.dataDir !== undefined) return settings.dataDir;
  try {
    return dataDir();
  } catch (error) {
    throw new UserError(
      `${(error as Error).message} Or choose where chat serve keeps its files with --data DIR.`,
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
