/**
 * What a person chose in the full-screen client, per server (`host:port`):
 * `/notify`, `/bell`, `/filter joins` and `/ignore`. Kept in
 * `preferences.json` in the config directory, so they hold the next time:
 *
 * ```json
 * {"version":1,"servers":{"192.168.1.20:53000":{"notify":"mentions","bell":true,"hideJoins":false,"ignored":["spambot"]}}}
 * ```
 *
 * A change is written at once (re-reading the file first, so other servers'
 * entries written by another window survive), in one rename. A file that
 * can't be read or parsed counts as empty; one that can't be written loses
 * the change for the next run only, and `update` says so.
 *
 * @example
 * ```ts
 * const prefs = new ServerPreferences("/home/ann/.config/chat/preferences.json", "example.org:53000");
 * prefs.current.notify;            // "mentions"
 * prefs.update({ notify: "all" }); // true when saved
 * ```
 *
 * @module
 */

import { dirname } from "node:path";
import { nameKey } from "../protocol/names.ts";
import { parsePreferences, type Preferences, type PreferenceStore } from "./preference_values.ts";

const FILE_VERSION = 1;
/** Bigger than any file this module writes: something else, not to be parsed. */
const MAX_FILE_BYTES = 256 * 1024;

/** The preferences for one server, loaded from and saved to the preferences file. */
export class ServerPreferences implements PreferenceStore {
  readonly #path: string | undefined;
  readonly #server: string;
  #current: Preferences;

  /** Loads the preferences of `server`; without a `path` they live in memory only. */
  constructor(path: string | undefined, server: string) {
    this.#path = path;
    this.#server = server;
    this.#current = parsePreferences(readServers(path)[server]);
  }

  /** The preferences in force. */
  get current(): Readonly<Preferences> {
    return this.#current;
  }

  /** True when `name` is ignored (any capitalisation). */
  ignores(name: string): boolean {
    return this.#current.ignored.some((ignored) => nameKey(ignored) === nameKey(name));
  }

  /** Changes some preferences and saves them; false when they could not be saved. */
  update(change: Partial<Preferences>): boolean {
    this.#current = { ...this.#current, ...change };
    if (!this.#path) return true;
    try {
      const servers = readServers(this.#path);
      servers[this.#server] = this.#current;
      Deno.mkdirSync(dirname(this.#path), { recursive: true });
      const temporary = `${this.#path}.${Deno.pid}.tmp`;
      Deno.writeTextFileSync(temporary, JSON.stringify({ version: FILE_VERSION, servers }) + "\n");
      Deno.renameSync(temporary, this.#path);
      return true;
    } catch {
      return false;
    }
  }
}

/** Every server's entry in the file; empty when it is missing or not ours. */
function readServers(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    if (Deno.statSync(path).size > MAX_FILE_BYTES) return {};
    const file = JSON.parse(Deno.readTextFileSync(path));
    const servers = file?.version === FILE_VERSION ? file.servers : undefined;
    return typeof servers === "object" && servers !== null && !Array.isArray(servers)
      ? servers
      : {};
  } catch {
    return {};
  }
}
