/**
 * The room's memory in one SQLite file (`node:sqlite`): history, name claims
 * and waiting private messages, so a restart loses nothing that was said.
 *
 * - Durability: records go into an open transaction, which is committed
 *   before the next socket write ({@linkcode RoomStore.flush}, called by the
 *   server) and at the latest at the end of the current event-loop task.
 *   Nothing reaches any client before it is committed, and everything
 *   appended between two writes shares one commit. WAL with
 *   `synchronous=NORMAL`: a commit survives the process being killed; a
 *   power cut may lose the last moments (but never corrupts the file).
 * - One server per file: the connection uses exclusive locking mode and
 *   takes the write lock at start, so a second server on the same file fails
 *   at once (the operating system drops the lock when a process dies).
 * - Checkpoints (copying the write-ahead log into the database, with an
 *   fsync) run when the room has been quiet for a moment, not inside a
 *   commit: SQLite's automatic checkpoint would stall live messages for
 *   10–40 ms every thousand pages. A room that never goes quiet still gets
 *   one as soon as the log passes {@linkcode CHECKPOINT_WAL_BYTES} (looked at
 *   every {@linkcode WAL_CHECK_EVERY} commits), so the log stays bounded
 *   under any load, a connect–leave loop included. Most of a checkpoint's
 *   time is the fsync of the log (commits don't sync it), so the log is
 *   synced first on a thread of its own while the room goes on; the
 *   checkpoint that follows on the event loop has little left to wait for.
 *   Should that sync be slow while commits pour in, the log is checkpointed
 *   at once when it reaches twice the size, as the hard bound.
 * - Retention: records beyond the newest `historyLimit` conversation records
 *   (and joins and leaves beyond the newest few) are deleted in small steps
 *   on timers, off the path of live messages.
 * - Privacy: the file holds private messages and (hashed) resume tokens, so
 *   its directory is created 0700 and the file 0600; looser permissions found
 *   at start are tightened on the files and reported for the directory.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";
import { CLAIMS_SCHEMA, migrateClaimsFromVersion1, SqliteClaims } from "./sqlite_claims.ts";
import {
  HISTORY_MIGRATION_FROM_1,
  HISTORY_SCHEMA,
  migrateHistoryFromVersion2,
  ROOMS_MIGRATION_FROM_3,
  SqliteHistory,
} from "./sqlite_history.ts";
import { SqliteRoomTable } from "./rooms/sqlite_room_table.ts";
import { DEFAULT_ROOM } from "./rooms/room_name.ts";
import { MAILBOX_SCHEMA, migrateMailboxFromVersion1, SqliteMailbox } from "./sqlite_mailbox.ts";
import { CLAIM_TTL_MS } from "../protocol/limits.ts";
import type { RoomStore } from "./room_store.ts";
import { roomKey } from "./rooms/room_name.ts";

/** File name of the history database inside the data directory. */
export const HISTORY_FILE_NAME = "history.db";

/** Marks the file as ours (`PRAGMA application_id`): the bytes of "chat". */
const APPLICATION_ID = 0x63686174;
/**
 * Version of the schema below (`PRAGMA user_version`). 2 was the last with
 * one room; 3 keeps every room's log and the rooms themselves; 4 their invites.
 */
const SCHEMA_VERSION = 4;

const SCHEMA = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  ${HISTORY_SCHEMA}
  ${CLAIMS_SCHEMA}
  ${MAILBOX_SCHEMA}
  PRAGMA application_id = ${APPLICATION_ID};
  PRAGMA user_version = ${SCHEMA_VERSION};
`;

const EXPIRY_INTERVAL_MS = 60 * 60 * 1000;
/** How long the room must be quiet before the log is checkpointed. */
const CHECKPOINT_QUIET_MS = 1000;
/**
 * Size of the log past which it is checkpointed even if the room is never
 * quiet (at twice this size without waiting for the log's sync). Smaller
 * logs make shorter checkpoints: 4 MiB is about 110 churn joins or leaves.
 */
const CHECKPOINT_WAL_BYTES = 4 * 1024 * 1024;
/** Commits between looks at the log's size (a stat call of a few microseconds). */
const WAL_CHECK_EVERY = 20;
const ERROR_REPORT_INTERVAL_MS = 60 * 1000;

/** Why the history file can't be used. */
export type HistoryFileProblem = "locked" | "damaged" | "foreign" | "newer" | "unwritable";

/** The history file can't be opened; `message` says what happened and names the file. */
export class HistoryFileError extends Error {
  /**
   * @param problem what kind of trouble, for choosing what to suggest
   * @param path the database file
   */
  constructor(
    readonly problem: HistoryFileProblem,
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "HistoryFileError";
  }
}

/** Settings of {@linkcode openSqliteStore}. */
export interface SqliteStoreOptions {
  /** How many conversation records to keep; older ones are deleted in the background. */
  historyLimit: number;
  /** Told about write failures while running (disk full, I/O errors), at most once a minute. */
  onError?: (message: string) => void;
  /** Told about problems found at start that were fixed or need the operator (permissions). */
  onWarning?: (message: string) => void;
  /** Clock, replaceable in tests. */
  now?: () => number;
  /**
   * Key of the room whose history {@linkcode RoomStore.history} is, and which
   * the records of a one-room file (schema 2 and older) are migrated to.
   */
  defaultRoom?: string;
}

/**
 * Opens (creating it and its directory if needed) the database at `path`.
 * Throws {@linkcode HistoryFileError} when the file is locked by another
 * server, damaged, not ours, from a newer version, or can't be written.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions): RoomStore {
  try {
    makePrivate(path, options.onWarning ?? (() => {}));
  } catch (error) {
    throw fileError("unwritable", path, error);
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: 0 });
  } catch (error) {
    throw fileError(classify(error), path, error);
  }
  try {
    // Exclusive locking before WAL: no shared-memory index, and the lock is kept until close.
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA wal_autocheckpoint = 0");
    checkIntegrity(db, path);
    // Rooms are stored by key (lower case); the default room is no exception.
    const roomId = prepareSchema(db, path, roomKey(options.defaultRoom ?? DEFAULT_ROOM));
    return new SqliteStore(db, path, roomId, options);
  } catch (error) {
    try {
      db.close();
    } catch {
      // Closing a half-open connection may fail too; the first error is the one to report.
    }
    throw error instanceof HistoryFileError ? error : fileError(classify(error), path, error);
  }
}

/** Permission bits that let other accounts in. */
const GROUP_OR_OTHER = 0o077;

/**
 * Creates the directory (0700) and the file (0600) if missing, and tightens
 * an existing file and its WAL/SHM companions, like ssh does with its keys.
 * SQLite creates the WAL with the database file's mode. A directory chat did
 * not create is only reported: it may be shared on purpose (`--data .`).
 */
function makePrivate(path: string, warn: (message: string) => void): void {
  if (Deno.build.os === "windows") {
    Deno.mkdirSync(dirname(path), { recursive: true });
    return;
  }
  const dir = dirname(path);
  let existed = true;
  try {
    Deno.statSync(dir);
  } catch {
    existed = false;
  }
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dirMode = Deno.statSync(dir).mode ?? 0;
  if (!existed && (dirMode & GROUP_OR_OTHER) !== 0) Deno.chmodSync(dir, 0o700);
  if (existed && (dirMode & GROUP_OR_OTHER) !== 0) {
    warn(
      `The data directory ${dir} can be opened by other accounts on this computer; ` +
        `the history in it is private to you, but run "chmod 700 ${dir}" to hide it entirely.`,
    );
  }
  Deno.openSync(path, { create: true, write: true, mode: 0o600 }).close();
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    let mode: number;
    try {
      mode = Deno.statSync(file).mode ?? 0;
    } catch {
      continue;
    }
    if ((mode & GROUP_OR_OTHER) === 0) continue;
    Deno.chmodSync(file, mode & 0o700);
    warn(`${file} could be read by other accounts on this computer; it is now private to you.`);
  }
}

class SqliteStore implements RoomStore {
  readonly history: SqliteHistory;
  readonly rooms: SqliteRoomTable;
  /** Each room's history opened so far, by room key. */
  readonly #histories = new Map<string, SqliteHistory>();
  /** Histories appended to in the open transaction: a commit or rollback concerns them only. */
  readonly #inTransactionRooms = new Set<SqliteHistory>();
  /** Histories appended to (or opened) since retention last looked at them. */
  readonly #toTrim = new Set<SqliteHistory>();
  readonly #roomId: string;
  readonly #writer: (op: () => void) => void;
  readonly claims: SqliteClaims;
  readonly mailbox: SqliteMailbox;
  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #options: SqliteStoreOptions;
  readonly #now: () => number;
  readonly #trimEvery: number;
  readonly #expiryTimer: ReturnType<typeof setInterval>;
  readonly #checkpointTimer: ReturnType<typeof setInterval>;
  #commitsSinceCheckpoint = 0;
  #lastCommitAt = 0;
  #inTransaction = false;
  /** A checkpoint is waiting for the log's fsync. */
  #syncingLog = false;
  #closed = false;
  #trimTimer: ReturnType<typeof setTimeout> | undefined;
  #trimmedAt: number;
  #lastErrorAt = -Infinity;
  #membersToldAt = -Infinity;
  #failureListeners: Array<() => void> = [];

  constructor(db: DatabaseSync, path: string, roomId: string, options: SqliteStoreOptions) {
    this.#db = db;
    this.#path = path;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const write = (op: () => void) => this.#write(op);
    this.#roomId = roomId;
    // Records count towards the next retention step; the step's own deletes do not.
    this.#writer = (op) => {
      this.#writes++;
      this.#write(op);
    };
    this.history = this.roomHistory(roomKey(options.defaultRoom ?? DEFAULT_ROOM));
    this.rooms = new SqliteRoomTable(db, write);
    this.claims = new SqliteClaims(db, write);
    this.mailbox = new SqliteMailbox(db, write);
    // Trim after about 1% of the limit has been added: small steps, rarely.
    this.#trimEvery = Math.max(1, Math.floor(options.historyLimit / 100));
    this.#trimmedAt = this.#appended();
    this.#expiryTimer = setInterval(() => this.#expire(), EXPIRY_INTERVAL_MS);
    Deno.unrefTimer(this.#expiryTimer);
    this.#checkpointTimer = setInterval(() => this.#checkpointIfQuiet(), CHECKPOINT_QUIET_MS);
    Deno.unrefTimer(this.#checkpointTimer);
    this.#expire();
    this.#scheduleTrim();
  }

  roomHistory(key: string): SqliteHistory {
    let history = this.#histories.get(key);
    if (history === undefined) {
      history = new SqliteHistory(this.#db, this.#roomId, key, this.#writer, (changed) => {
        this.#inTransactionRooms.add(changed);
        this.#toTrim.add(changed);
      });
      this.#histories.set(key, history);
      this.#toTrim.add(history); // once at least: a lower --history-limit applies to old rooms too
    }
    return history;
  }

  forgetRoom(key: string): void {
    const history = this.#histories.get(key);
    this.#histories.delete(key);
    if (history) this.#toTrim.delete(history);
    this.#write(() => {
      this.#db.prepare("DELETE FROM records WHERE room = ?").run(key);
      // The id reservation stays (at the last id given, when known): a room created again
      // under this name continues after it, so no id of the name is ever given twice.
      history?.releaseReservation();
    });
  }

  /** Records appended so far, to any room: tells when to trim, at no cost per room. */
  #writes = 0;

  #appended(): number {
    return this.#writes;
  }

  flush(): void {
    if (!this.#inTransaction) return;
    this.#inTransaction = false;
    try {
      this.#db.exec("COMMIT");
      for (const history of this.#inTransactionRooms) history.committed();
      this.#inTransactionRooms.clear();
      this.#lastCommitAt = this.#now();
      if (++this.#commitsSinceCheckpoint % WAL_CHECK_EVERY === 0) {
        const walBytes = this.#walBytes();
        if (walBytes > 2 * CHECKPOINT_WAL_BYTES) this.#checkpoint();
        else if (walBytes > CHECKPOINT_WAL_BYTES) this.#checkpointAfterSync();
      }
    } catch (error) {
      this.#failed(error);
    }
    if (this.#appended() - this.#trimmedAt >= this.#trimEvery) this.#scheduleTrim();
  }

  onWriteFailure(listener: () => void): void {
    this.#failureListeners.push(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#write(() => {
      for (const history of this.#histories.values()) history.releaseReservation();
    });
    this.flush();
    this.#checkpoint();
    this.#closed = true;
    clearInterval(this.#expiryTimer);
    clearInterval(this.#checkpointTimer);
    clearTimeout(this.#trimTimer);
    try {
      this.#db.close();
    } catch (error) {
      this.#failed(error, false);
    }
  }

  /** Runs a write in the open transaction, starting one (committed by the end of this task). */
  #write(op: () => void): void {
    if (this.#closed) return;
    try {
      if (!this.#inTransaction) {
        this.#db.exec("BEGIN");
        this.#inTransaction = true;
        // Backstop for changes no socket write follows (the last member left, …).
        queueMicrotask(() => this.flush());
      }
      op();
    } catch (error) {
      this.#failed(error);
    }
  }

  #walBytes(): number {
    try {
      return Deno.statSync(`${this.#path}-wal`).size;
    } catch {
      return 0;
    }
  }

  #checkpointIfQuiet(): void {
    const quiet = this.#now() - this.#lastCommitAt >= CHECKPOINT_QUIET_MS;
    if (quiet && this.#commitsSinceCheckpoint > 0 && !this.#inTransaction) {
      this.#checkpointAfterSync();
    }
  }

  /**
   * Syncs the log to disk off the event loop (an fsync on the thread pool,
   * through a descriptor of our own: SQLite holds no lock on the log file in
   * exclusive mode, so closing it releases none), then checkpoints, which
   * now finds the log already on disk. Commits made meanwhile are in the log
   * too and are checkpointed with it. One at a time.
   */
  async #checkpointAfterSync(): Promise<void> {
    if (this.#syncingLog) return;
    this.#syncingLog = true;
    try {
      using log = await Deno.open(`${this.#path}-wal`, { read: true });
      await log.syncData();
    } catch {
      // The checkpoint syncs the log itself and reports what fails.
    } finally {
      this.#syncingLog = false;
    }
    this.#checkpoint();
  }

  /** Copies the write-ahead log into the database file and empties the log. */
  #checkpoint(): void {
    if (this.#closed || this.#inTransaction) return;
    this.#commitsSinceCheckpoint = 0;
    try {
      this.#db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (error) {
      this.#failed(error, false); // the log still holds everything: nothing is lost
    }
  }

  #scheduleTrim(): void {
    if (this.#trimTimer !== undefined || this.#closed) return;
    this.#trimmedAt = this.#appended();
    const timer = setTimeout(() => {
      this.#trimTimer = undefined;
      let more = false;
      this.#write(() => {
        // Retention is per room: each keeps its own newest `historyLimit`. Only rooms that grew
        // since the last step can have too many; one with more to delete stays for the next.
        for (const history of [...this.#toTrim]) {
          if (history.trimStep(this.#options.historyLimit)) more = true;
          else this.#toTrim.delete(history);
        }
      });
      this.flush();
      if (more) this.#scheduleTrim();
    }, 0);
    Deno.unrefTimer(timer);
    this.#trimTimer = timer;
  }

  #expire(): void {
    const before = this.#now() - CLAIM_TTL_MS;
    this.#write(() => {
      this.claims.expire(before);
      this.mailbox.expire(before);
    });
    this.flush();
  }

  /**
   * A write failed: undo the open transaction and tell the operator, and,
   * when changes were `lost`, the members (each at most once a minute).
   */
  #failed(error: unknown, lost = true): void {
    if (this.#db.isTransaction) {
      try {
        this.#db.exec("ROLLBACK");
      } catch {
        // Nothing more to undo.
      }
    }
    this.#inTransaction = false;
    for (const history of this.#inTransactionRooms) history.rolledBack();
    this.#inTransactionRooms.clear();
    const now = Date.now();
    if (lost && now - this.#membersToldAt >= ERROR_REPORT_INTERVAL_MS) {
      this.#membersToldAt = now;
      for (const listener of this.#failureListeners) listener();
    }
    if (now - this.#lastErrorAt < ERROR_REPORT_INTERVAL_MS) return;
    this.#lastErrorAt = now;
    this.#options.onError?.(
      `Could not save to the history file ${this.#path} (${detailOf(error)}). ` +
        "The room goes on, but what is said now may be missing after a restart.",
    );
  }
}

/** Runs SQLite's quick integrity check; a damaged file is refused rather than half-read. */
function checkIntegrity(db: DatabaseSync, path: string): void {
  const rows = db.prepare("PRAGMA quick_check").all() as { quick_check: string }[];
  const verdict = rows.map((row) => row.quick_check);
  if (verdict.length !== 1 || verdict[0] !== "ok") {
    // The check's own report can be a hundred lines: it is for --debug, not the sentence.
    const report = verdict.length > 0 ? verdict.join("\n") : "no answer from the check";
    throw new HistoryFileError(
      "damaged",
      path,
      `The history file ${path} is damaged.`,
      { cause: new Error(`SQLite's integrity check found:\n${report}`) },
    );
  }
}

/**
 * Creates the schema in a new file, checks an existing one is ours, migrates
 * an older one (its one room's records become `defaultRoom`'s), and returns
 * the history's id.
 */
function prepareSchema(db: DatabaseSync, path: string, defaultRoom: string): string {
  // Taking the write lock here also makes a second server on this file fail right away.
  db.exec("BEGIN IMMEDIATE");
  try {
    const applicationId = pragmaNumber(db, "application_id");
    const version = pragmaNumber(db, "user_version");
    if (applicationId === 0 && version === 0) {
      const { n } = db.prepare("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number };
      if (n > 0) throw notOurs(path);
      db.exec(SCHEMA);
      db.prepare("INSERT INTO meta (key, value) VALUES ('room_id', ?), ('created_at', ?)")
        .run(crypto.randomUUID(), new Date().toISOString());
    } else if (applicationId !== APPLICATION_ID) {
      throw notOurs(path);
    } else if (version > SCHEMA_VERSION) {
      throw new HistoryFileError(
        "newer",
        path,
        `The history file ${path} was written by a newer version of chat.`,
      );
    } else {
      if (version === 1) migrateFromVersion1(db);
      if (version <= 2) migrateHistoryFromVersion2(db, defaultRoom, Date.now());
      else if (version === 3) db.exec(ROOMS_MIGRATION_FROM_3);
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    }
    const row = db.prepare("SELECT value FROM meta WHERE key = 'room_id'").get() as
      | { value: string }
      | undefined;
    if (row === undefined) throw notOurs(path);
    db.exec("COMMIT");
    return row.value;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** Hashes saved tokens, records mail senders, adds the indexes version 2 looks things up by. */
function migrateFromVersion1(db: DatabaseSync): void {
  db.exec(HISTORY_MIGRATION_FROM_1);
  migrateClaimsFromVersion1(db);
  migrateMailboxFromVersion1(db);
}

function pragmaNumber(db: DatabaseSync, name: string): number {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, number>;
  return Number(row[name]);
}

function notOurs(path: string): HistoryFileError {
  return new HistoryFileError("foreign", path, `The file ${path} is not a chat history file.`);
}

function classify(error: unknown): HistoryFileProblem {
  const text = detailOf(error).toLowerCase();
  if (/locked|busy/.test(text)) return "locked";
  if (/not a database|malformed|corrupt/.test(text)) return "damaged";
  return "unwritable";
}

function fileError(problem: HistoryFileProblem, path: string, cause: unknown): HistoryFileError {
  const detail = detailOf(cause);
  const message = problem === "locked"
    ? `The history file ${path} is in use by another chat server.`
    : problem === "damaged"
    ? `The history file ${path} is damaged.`
    : `Can't write the history file ${path} (${detail}).`;
  return new HistoryFileError(problem, path, message, { cause });
}

function detailOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
