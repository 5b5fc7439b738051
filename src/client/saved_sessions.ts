/**
 * Where `chat join` keeps its place in each room between runs, so that
 * joining again (or reconnecting after the server restarted) shows exactly
 * what was missed: per server (`host:port`) and name, the room's identity,
 * the session token and the id of the last record shown. They go in one small
 * JSON file, `sessions.json` in the data directory:
 *
 * ```json
 * {"version":1,"sessions":{"192.168.1.20:53000 alice":{"room":"9b1e… #general","session":"5f0c…","lastId":1042,"rooms":[{"room":"#homework","lastId":17}],"savedAt":1763942400000}}}
 * ```
 *
 * Changes are written behind, at most once per `writeDelayMs`, and
 * {@linkcode SavedSessions.flush} writes what is pending at once (on exit).
 * A write replaces the file in one rename and merges with what other `chat
 * join` processes wrote meanwhile. A file that can't be read or parsed counts
 * as empty, and a file that can't be written is given up on: losing the
 * place means the next join shows the recent messages instead of a catch-up,
 * never a crash. Places older than the server's token lifetime (7 days) are
 * forgotten, and at most 100 are kept.
 *
 * @example
 * ```ts
 * const saved = new SavedSessions("/home/ann/.local/share/chat/sessions.json");
 * const room = saved.forServer("192.168.1.20:53000");
 * room.remember("alice", { room: "9b1e…", session: "5f0c…", lastId: 1042 });
 * room.recall("alice"); // { room: "9b1e…", session: "5f0c…", lastId: 1042 }
 * saved.flush();
 * ```
 *
 * @module
 */

import { CLAIM_TTL_MS } from "../protocol/limits.ts";
import { dirname } from "node:path";
import { nameKey } from "../protocol/names.ts";

/** A client's place in one room: what its next `hello` presents as `room`, `resume` and `since`. */
export interface SavedSession {
  /** The `room` of the welcome. */
  room: string;
  /** The `session` token of the welcome. */
  session: string;
  /** The highest record id shown. */
  lastId: number;
  /** The other rooms the client was in, each with the highest id shown there. */
  rooms?: Array<{ room: string; lastId: number }>;
}

/** The saved places on one server, by name. */
export interface ServerSessions {
  /** The place saved for `name`, if there is one and it is recent enough. */
  recall(name: string): SavedSession | undefined;
  /** Saves (or replaces) the place of `name`. */
  remember(name: string, session: SavedSession): void;
  /** Forgets the place of `name` (after a rename: the token belongs to the new name). */
  forget(name: string): void;
}

/** Settings of {@linkcode SavedSessions}. */
export interface SavedSessionsOptions {
  /** Longest wait before a change is written (default 1 s). */
  writeDelayMs?: number;
  /** The clock (for tests). */
  now?: () => number;
}

/** A saved place as stored, with when it was saved. */
interface StoredSession extends SavedSession {
  savedAt: number;
}

const FILE_VERSION = 1;
/** A place is forgotten when the server would have forgotten its token. */
const MAX_AGE_MS = CLAIM_TTL_MS;
const MAX_SESSIONS = 100;
/** More rooms than a server lets one member be in: not ours. */
const MAX_ROOMS = 100;
/** Bigger than any file this module writes: something else, not to be parsed. */
const MAX_FILE_BYTES = 256 * 1024;
/** Tokens and room ids are UUIDs; anything much longer is not ours. */
const MAX_FIELD_CHARS = 200;

/** The sessions file of `chat join`. */
export class SavedSessions {
  /** The file. */
  readonly path: string;
  readonly #writeDelayMs: number;
  readonly #now: () => number;
  /** Changes not written yet: a session to save, or `null` to forget. */
  readonly #pending = new Map<string, StoredSession | null>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param path the file; it and its directory are created on the first write */
  constructor(path: string, options: SavedSessionsOptions = {}) {
    this.path = path;
    this.#writeDelayMs = options.writeDelayMs ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  /** The places saved for the server at `address` (`host:port`). */
  forServer(address: string): ServerSessions {
    return {
      recall: (name) => this.recall(address, name),
      remember: (name, session) => this.remember(address, name, session),
      forget: (name) => this.forget(address, name),
    };
  }

  /** The place saved for `name` on `server`, if any and not too old. */
  recall(server: string, name: string): SavedSession | undefined {
    const key = sessionKey(server, name);
    const found = this.#pending.has(key) ? this.#pending.get(key) : this.#read().get(key);
    if (!found || this.#now() - found.savedAt > MAX_AGE_MS) return undefined;
    const { room, session, lastId, rooms } = found;
    return { room, session, lastId, ...(rooms ? { rooms } : {}) };
  }

  /** Saves the place of `name` on `server` (written behind). */
  remember(server: string, name: string, session: SavedSession): void {
    const { room, session: token, lastId, rooms } = session;
    this.#change(sessionKey(server, name), {
      room,
      session: token,
      lastId,
      ...(rooms ? { rooms } : {}),
      savedAt: this.#now(),
    });
  }

  /** Forgets the place of `name` on `server` (written behind). */
  forget(server: string, name: string): void {
    this.#change(sessionKey(server, name), null);
  }

  /**
   * Writes pending changes now. Returns false when the file could not be
   * written (the changes are dropped: they are not worth an error).
   */
  flush(): boolean {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return true;
    const sessions = this.#read();
    for (const [key, change] of this.#pending) {
      if (change) sessions.set(key, change);
      else sessions.delete(key);
    }
    this.#pending.clear();
    const kept = [...sessions]
      .filter(([, session]) => this.#now() - session.savedAt <= MAX_AGE_MS)
      .sort(([, a], [, b]) => b.savedAt - a.savedAt)
      .slice(0, MAX_SESSIONS);
    const text = JSON.stringify({ version: FILE_VERSION, sessions: Object.fromEntries(kept) });
    // A whole new file renamed over the old one: a reader never sees half of it.
    const temporary = `${this.path}.${Deno.pid}.tmp`;
    try {
      Deno.mkdirSync(dirname(this.path), { recursive: true });
      // Only you may read it: a token lets its bearer take your name.
      Deno.writeTextFileSync(temporary, text + "\n", { mode: 0o600 });
      Deno.renameSync(temporary, this.path);
      return true;
    } catch {
      try {
        Deno.removeSync(temporary);
      } catch {
        // It was never written.
      }
      return false;
    }
  }

  #change(key: string, change: StoredSession | null): void {
    this.#pending.set(key, change);
    if (this.#timer !== undefined) return;
    const timer = setTimeout(() => this.flush(), this.#writeDelayMs);
    // A pending write never keeps the program running; exit paths flush.
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** The file's sessions; empty when it is missing, unreadable or not ours. */
  #read(): Map<string, StoredSession> {
    try {
      if (Deno.statSync(this.path).size > MAX_FILE_BYTES) return new Map();
      return parseSessions(Deno.readTextFileSync(this.path));
    } catch {
      return new Map();
    }
  }
}

/** `host:port name`, the name compared as the server compares names (names have no spaces). */
function sessionKey(server: string, name: string): string {
  return `${server.toLowerCase()} ${nameKey(name)}`;
}

/** The valid sessions in a file's text; anything malformed is left out. Throws on bad JSON. */
function parseSessions(text: string): Map<string, StoredSession> {
  const sessions = new Map<string, StoredSession>();
  const file: unknown = JSON.parse(text);
  if (!isObject(file) || file.version !== FILE_VERSION || !isObject(file.sessions)) {
    return sessions;
  }
  for (const [key, value] of Object.entries(file.sessions)) {
    if (isStoredSession(value)) {
      const { room, session, lastId, rooms, savedAt } = value;
      sessions.set(key, { room, session, lastId, ...(rooms ? { rooms } : {}), savedAt });
    }
  }
  return sessions;
}

function isStoredSession(value: unknown): value is StoredSession {
  return isObject(value) && isShortString(value.room) && value.room !== "" &&
    isShortString(value.session) &&
    Number.isSafeInteger(value.lastId) && (value.lastId as number) >= 0 &&
    Number.isFinite(value.savedAt) && (value.rooms === undefined || areRoomPlaces(value.rooms));
}

/** The other rooms of a saved place: a short list of room names with the last id seen. */
function areRoomPlaces(value: unknown): value is SavedSession["rooms"] {
  return Array.isArray(value) && value.length <= MAX_ROOMS &&
    value.every((place) =>
      isObject(place) && isShortString(place.room) && place.room !== "" &&
      Number.isSafeInteger(place.lastId) && (place.lastId as number) >= 0
    );
}

function isShortString(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_FIELD_CHARS;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
