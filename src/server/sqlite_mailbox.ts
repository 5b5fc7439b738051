/**
 * Private messages waiting for absent members, in SQLite, so they survive a
 * restart. See mailbox.ts.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { PrivateRecord } from "../protocol/frames.ts";
import type { Mailbox } from "./mailbox.ts";

/** The mailbox table (part of the store's schema). */
export const MAILBOX_SCHEMA = `
  CREATE TABLE mailbox (
    id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,
    ts INTEGER NOT NULL,
    record TEXT NOT NULL
  );
  CREATE INDEX mailbox_by_holder ON mailbox(holder, id);
`;

/** {@linkcode Mailbox} on a SQLite connection whose writes the store batches. */
export class SqliteMailbox implements Mailbox {
  readonly #write: (op: () => void) => void;
  readonly #hold: StatementSync;
  readonly #count: StatementSync;
  readonly #list: StatementSync;
  readonly #remove: StatementSync;
  readonly #expire: StatementSync;

  /**
   * @param db an open connection with {@linkcode MAILBOX_SCHEMA} in place
   * @param write runs a write inside the store's current transaction
   */
  constructor(db: DatabaseSync, write: (op: () => void) => void) {
    this.#write = write;
    this.#hold = db.prepare("INSERT INTO mailbox (id, holder, ts, record) VALUES (?, ?, ?, ?)");
    this.#count = db.prepare("SELECT count(*) AS n FROM mailbox WHERE holder = ?");
    this.#list = db.prepare("SELECT record FROM mailbox WHERE holder = ? ORDER BY id");
    this.#remove = db.prepare("DELETE FROM mailbox WHERE holder = ?");
    this.#expire = db.prepare("DELETE FROM mailbox WHERE ts < ?");
  }

  hold(holder: string, record: PrivateRecord): void {
    const json = JSON.stringify(record);
    this.#write(() => this.#hold.run(record.id, holder, record.ts, json));
  }

  count(holder: string): number {
    return Number((this.#count.get(holder) as { n: number }).n);
  }

  take(holder: string): PrivateRecord[] {
    const rows = this.#list.all(holder) as { record: string }[];
    if (rows.length > 0) this.#write(() => this.#remove.run(holder));
    return rows.map((row) => JSON.parse(row.record));
  }

  /** Deletes messages sent before `before` (their recipient's claim has expired). */
  expire(before: number): void {
    this.#expire.run(before);
  }
}
