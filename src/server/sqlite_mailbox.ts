/**
 * Private messages waiting for absent members, in SQLite, so they survive a
 * restart. See mailbox.ts.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { PrivateRecord } from "../protocol/frames.ts";
import { type Mailbox, storedSize } from "./mailbox.ts";

/** The mailbox table (part of the store's schema). */
export const MAILBOX_SCHEMA = `
  CREATE TABLE mailbox (
    id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,
    sender TEXT,
    ts INTEGER NOT NULL,
    record TEXT NOT NULL
  );
  CREATE INDEX mailbox_by_holder ON mailbox(holder, id);
  CREATE INDEX mailbox_by_sender ON mailbox(sender);
  CREATE INDEX mailbox_by_ts ON mailbox(ts);
`;

/** Schema version 1 did not know senders (so their old mail counts for nobody) nor index time. */
export function migrateMailboxFromVersion1(db: DatabaseSync): void {
  db.exec(`
    ALTER TABLE mailbox ADD COLUMN sender TEXT;
    CREATE INDEX mailbox_by_sender ON mailbox(sender);
    CREATE INDEX mailbox_by_ts ON mailbox(ts);
  `);
}

/** {@linkcode Mailbox} on a SQLite connection whose writes the store batches. */
export class SqliteMailbox implements Mailbox {
  readonly #write: (op: () => void) => void;
  readonly #hold: StatementSync;
  readonly #count: StatementSync;
  readonly #countFrom: StatementSync;
  readonly #total: StatementSync;
  readonly #list: StatementSync;
  readonly #remove: StatementSync;
  readonly #expire: StatementSync;
  /** Records waiting and their bytes, kept here so checking the caps reads nothing. */
  #waiting = 0;
  #bytes = 0;

  /**
   * @param db an open connection with {@linkcode MAILBOX_SCHEMA} in place
   * @param write runs a write inside the store's current transaction
   */
  constructor(db: DatabaseSync, write: (op: () => void) => void) {
    this.#write = write;
    this.#hold = db.prepare(
      "INSERT INTO mailbox (id, holder, sender, ts, record) VALUES (?, ?, ?, ?, ?)",
    );
    this.#count = db.prepare("SELECT count(*) AS n FROM mailbox WHERE holder = ?");
    this.#countFrom = db.prepare("SELECT count(*) AS n FROM mailbox WHERE sender = ?");
    this.#total = db.prepare(
      "SELECT count(*) AS n, total(length(CAST(record AS BLOB))) AS bytes FROM mailbox",
    );
    this.#list = db.prepare("SELECT record FROM mailbox WHERE holder = ? ORDER BY id");
    this.#remove = db.prepare(
      "DELETE FROM mailbox WHERE holder = ? AND id = ? RETURNING length(CAST(record AS BLOB)) AS bytes",
    );
    this.#expire = db.prepare("DELETE FROM mailbox WHERE ts < ?");
    this.#recount();
  }

  hold(holder: string, record: PrivateRecord, sender: string): void {
    const json = JSON.stringify(record);
    this.#waiting++;
    this.#bytes += storedSize(json);
    this.#write(() => this.#hold.run(record.id, holder, sender, record.ts, json));
  }

  count(holder: string): number {
    return Number((this.#count.get(holder) as { n: number }).n);
  }

  countFrom(sender: string): number {
    return Number((this.#countFrom.get(sender) as { n: number }).n);
  }

  total(): { count: number; bytes: number } {
    return { count: this.#waiting, bytes: this.#bytes };
  }

  peek(holder: string): PrivateRecord[] {
    const rows = this.#list.all(holder) as { record: string }[];
    return rows.map((row) => JSON.parse(row.record));
  }

  remove(holder: string, ids: number[]): void {
    this.#write(() => {
      for (const id of ids) {
        const row = this.#remove.get(holder, id) as { bytes: number } | undefined;
        if (row === undefined) continue; // already removed (or expired)
        this.#waiting--;
        this.#bytes -= Number(row.bytes);
      }
    });
  }

  /** Deletes messages sent before `before` (their recipient's claim has expired). */
  expire(before: number): void {
    this.#expire.run(before);
    this.#recount();
  }

  #recount(): void {
    const row = this.#total.get() as { n: number; bytes: number };
    this.#waiting = Number(row.n);
    this.#bytes = Number(row.bytes);
  }
}
