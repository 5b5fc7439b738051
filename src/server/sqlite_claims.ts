/**
 * Name claims (session tokens) in SQLite, so `resume` keeps working after a
 * server restart. See name_claims.ts for what a claim is. Tokens are stored
 * only as their SHA-256 (see {@linkcode hashToken}): someone who reads the
 * file cannot present them.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { nameKey } from "../protocol/names.ts";
import { type ClaimStore, hashToken, type NameClaim } from "./name_claims.ts";
import { SkeletonIndex } from "./skeleton_index.ts";

/** The claims table (part of the store's schema). */
export const CLAIMS_SCHEMA = `
  CREATE TABLE claims (
    holder TEXT PRIMARY KEY,
    token_hash TEXT UNIQUE,
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    seen_at INTEGER NOT NULL
  );
  CREATE INDEX claims_by_name ON claims(name_key, seen_at);
  CREATE INDEX claims_by_seen ON claims(seen_at);
`;

/**
 * Schema version 1 kept tokens as they are: hash them in place (a saved
 * token keeps working, since lookups hash what is presented) and index
 * what expiry looks up.
 */
export function migrateClaimsFromVersion1(db: DatabaseSync): void {
  db.exec("ALTER TABLE claims RENAME COLUMN token TO token_hash");
  const rows = db.prepare("SELECT holder, token_hash FROM claims WHERE token_hash IS NOT NULL")
    .all() as { holder: string; token_hash: string }[];
  const update = db.prepare("UPDATE claims SET token_hash = ? WHERE holder = ?");
  for (const row of rows) update.run(hashToken(row.token_hash), row.holder);
  db.exec("CREATE INDEX claims_by_seen ON claims(seen_at)");
}

interface ClaimRow {
  holder: string;
  resumable: number;
  name: string;
  seen_at: number;
}

/** {@linkcode ClaimStore} on a SQLite connection whose writes the store batches. */
export class SqliteClaims implements ClaimStore {
  readonly #write: (op: () => void) => void;
  readonly #byToken: StatementSync;
  readonly #latest: StatementSync;
  readonly #save: StatementSync;
  readonly #forget: StatementSync;
  readonly #nameOf: StatementSync;
  readonly #expire: StatementSync;
  readonly #rows: StatementSync;
  readonly #expiring: StatementSync;
  readonly #rekey: StatementSync;
  /** Built from the table when opened, so look-alikes are found without a scan. */
  readonly #skeletons = new SkeletonIndex();

  /**
   * @param db an open connection with {@linkcode CLAIMS_SCHEMA} in place
   * @param write runs a write inside the store's current transaction
   */
  constructor(db: DatabaseSync, write: (op: () => void) => void) {
    this.#write = write;
    const columns = "holder, token_hash IS NOT NULL AS resumable, name, seen_at";
    this.#byToken = db.prepare(`SELECT ${columns} FROM claims WHERE token_hash = ?`);
    this.#latest = db.prepare(
      `SELECT ${columns} FROM claims WHERE name_key = ? ORDER BY seen_at DESC LIMIT 1`,
    );
    this.#save = db.prepare(
      `INSERT INTO claims (holder, token_hash, name_key, name, seen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (holder) DO UPDATE SET
         name_key = excluded.name_key, name = excluded.name, seen_at = excluded.seen_at`,
    );
    this.#forget = db.prepare("DELETE FROM claims WHERE holder = ?");
    this.#nameOf = db.prepare("SELECT name FROM claims WHERE holder = ?");
    this.#expire = db.prepare("DELETE FROM claims WHERE seen_at < ?");
    this.#rows = db.prepare("SELECT holder, name, name_key FROM claims");
    this.#expiring = db.prepare("SELECT DISTINCT name FROM claims WHERE seen_at < ?");
    this.#rekey = db.prepare("UPDATE claims SET name_key = ? WHERE holder = ?");
    this.#indexClaims();
  }

  byToken(token: string): NameClaim | undefined {
    const claim = toClaim(this.#byToken.get(hashToken(token)) as ClaimRow | undefined);
    // The file has only the hash; the one presenting it has the token itself.
    if (claim) claim.token = token;
    return claim;
  }

  latest(key: string): NameClaim | undefined {
    return toClaim(this.#latest.get(key) as ClaimRow | undefined);
  }

  save(claim: NameClaim): void {
    const { holder, token, name, seenAt } = claim;
    const tokenHash = token === undefined ? null : hashToken(token);
    this.#write(() => this.#save.run(holder, tokenHash, nameKey(name), name, seenAt));
    this.#skeletons.add(name);
  }

  keysLike(skeleton: string): Iterable<string> {
    return this.#skeletons.keys(skeleton);
  }

  forget(holder: string): void {
    const row = this.#nameOf.get(holder) as { name: string } | undefined;
    this.#write(() => this.#forget.run(holder));
    if (row && this.latest(nameKey(row.name)) === undefined) this.#skeletons.remove(row.name);
  }

  /** Deletes claims whose holder was last seen before `before`. Run inside a transaction. */
  expire(before: number): void {
    const expiring = this.#expiring.all(before) as { name: string }[];
    this.#expire.run(before);
    for (const { name } of expiring) {
      if (this.latest(nameKey(name)) === undefined) this.#skeletons.remove(name);
    }
  }

  /**
   * Builds the skeleton index from the table, and re-keys names saved under an
   * older {@linkcode nameKey} (NFC and lower case, before NFKC and case
   * folding), so `latest` finds them.
   */
  #indexClaims(): void {
    const rows = this.#rows.all() as { holder: string; name: string; name_key: string }[];
    this.#skeletons.reset(rows.map((row) => row.name));
    for (const row of rows) {
      const key = nameKey(row.name);
      if (key !== row.name_key) this.#write(() => this.#rekey.run(key, row.holder));
    }
  }
}

function toClaim(row: ClaimRow | undefined): NameClaim | undefined {
  if (row === undefined) return undefined;
  return {
    holder: row.holder,
    name: row.name,
    seenAt: row.seen_at,
    canResume: row.resumable === 1,
  };
}
