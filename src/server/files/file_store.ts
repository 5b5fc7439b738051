/**
 * Where shared files live: {@linkcode FileStore} is the interface the
 * server uses, {@linkcode DiskFileStore} the embedded implementation.
 *
 * Content-addressed: each file's bytes are kept once, under their SHA-256,
 * in `<dir>/blobs/`. An upload streams into `<dir>/incoming/` while it is
 * hashed and counted, and is renamed into place only when it is complete
 * with the size announced; anything else deletes the partial file, so an
 * interrupted upload leaves nothing (and leftovers of a crash are deleted at
 * start). Each share of a file (one record in a room or a private
 * conversation) has its own unguessable token, kept in an index (SQLite in
 * the data directory, or in memory). When the files take more than the
 * quota, the oldest are deleted first; their shares then read as expired.
 *
 * @module
 */

import { createHash, randomBytes } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { fileType, SNIFF_BYTES } from "./file_kind.ts";

/** A file's bytes as stored. */
export interface StoredFile {
  /** SHA-256 of the bytes, hex. */
  hash: string;
  size: number;
  /** Detected from the bytes (file_kind.ts). */
  mime: string;
}

/** One share of a stored file: what a file record's link leads to. */
export interface FileShare extends StoredFile {
  /** The unguessable part of the link (`/f/TOKEN/NAME`). */
  token: string;
  /** The cleaned file name. */
  name: string;
  /** The key of the room the record is in, or the private log's for a private file. */
  room: string;
  /** When it was shared (ms since the epoch). */
  at: number;
}

/** Why a stream was not stored. */
export class UploadError extends Error {
  /** `too_big`: more bytes than announced; `incomplete`: fewer (the upload was cut off). */
  constructor(readonly problem: "too_big" | "incomplete", message: string) {
    super(message);
    this.name = "UploadError";
  }
}

/** What the server needs from a file store. */
export interface FileStore {
  /**
   * Streams `body` into the store; resolves once it is complete and in place,
   * rejects with {@linkcode UploadError} (leaving nothing behind) when it has
   * more or fewer than `size` bytes, or with the stream's own error.
   */
  receive(body: AsyncIterable<Uint8Array>, size: number): Promise<StoredFile>;
  /**
   * Remembers a share, and makes room by deleting the oldest files when over
   * the quota; the shares whose files were deleted for it.
   */
  addShare(share: FileShare): FileShare[];
  /** The share with this token; `expired` when its file was deleted to make room. */
  share(token: string): (FileShare & { expired: boolean }) | undefined;
  /** True when the token's file was deleted to make room (false for unknown tokens). */
  expired(token: string): boolean;
  /** Where a stored file's bytes are, to stream them out. */
  path(hash: string): string;
  /** Deletes a room's shares, and the files no other share needs (its history was deleted). */
  forgetRoom(room: string): void;
  /** Deletes a stored file no share needs (its record could not be posted). */
  discard(hash: string): void;
  /** Bytes of files stored now. */
  readonly usedBytes: number;
  close(): void;
}

/** Settings of a {@linkcode DiskFileStore}. */
export interface DiskFileStoreOptions {
  /** Directory of the files (created when missing, private to the user). */
  dir: string;
  /** Most bytes of files kept; the oldest go first. */
  quotaBytes: number;
  /**
   * Keep nothing past the server's life (with `--no-history`): the index is
   * in memory, and `dir` is deleted on close.
   */
  temporary?: boolean;
  /** Clock, replaceable in tests. */
  now?: () => number;
}

/** A new unguessable token: 128 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(16).toString("base64url");
}

/** {@linkcode FileStore} over a directory and a SQLite index. */
export class DiskFileStore implements FileStore {
  readonly #blobs: string;
  readonly #incoming: string;
  readonly #db: DatabaseSync;
  readonly #quota: number;
  readonly #now: () => number;
  readonly #dir: string | undefined;
  #used = 0;

  /** Opens (creating) the store in `options.dir`; deletes uploads a crash left unfinished. */
  constructor(options: DiskFileStoreOptions) {
    this.#blobs = join(options.dir, "blobs");
    this.#incoming = join(options.dir, "incoming");
    this.#quota = options.quotaBytes;
    this.#now = options.now ?? Date.now;
    this.#dir = options.temporary ? options.dir : undefined;
    Deno.mkdirSync(this.#blobs, { recursive: true, mode: 0o700 });
    try {
      Deno.removeSync(this.#incoming, { recursive: true });
    } catch {
      // Nothing left from an earlier run.
    }
    Deno.mkdirSync(this.#incoming, { recursive: true, mode: 0o700 });
    this.#db = new DatabaseSync(options.temporary ? ":memory:" : join(options.dir, "files.db"));
    // WAL without a sync per commit: the index is written on the event loop, and a lost
    // last entry after a power cut only makes one link answer 404.
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, size INTEGER NOT NULL,
        mime TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS shares (token TEXT PRIMARY KEY, hash TEXT NOT NULL,
        name TEXT NOT NULL, size INTEGER NOT NULL, mime TEXT NOT NULL, room TEXT NOT NULL,
        at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS shares_room ON shares (room);
      CREATE INDEX IF NOT EXISTS shares_hash ON shares (hash);
    `);
    // A blob whose file is gone (deleted by hand) is expired; so is its row. A file the index
    // does not know (its entry lost in a power cut) would never count against the quota: deleted.
    for (const { hash } of this.#db.prepare("SELECT hash FROM blobs").all()) {
      if (!exists(this.path(String(hash)))) this.#deleteBlob(String(hash));
    }
    const known = this.#db.prepare("SELECT 1 FROM blobs WHERE hash = ?");
    for (const entry of Deno.readDirSync(this.#blobs)) {
      if (!known.get(entry.name)) Deno.removeSync(join(this.#blobs, entry.name));
    }
    this.#used = Number(this.#db.prepare("SELECT COALESCE(SUM(size), 0) AS n FROM blobs").get()!.n);
  }

  get usedBytes(): number {
    return this.#used;
  }

  async receive(body: AsyncIterable<Uint8Array>, size: number): Promise<StoredFile> {
    const part = join(this.#incoming, `${newToken()}.part`);
    const file = await Deno.open(part, { createNew: true, write: true, mode: 0o600 });
    const hash = createHash("sha256");
    const head: Uint8Array[] = [];
    let count = 0;
    let closed = false;
    try {
      for await (const chunk of body) {
        count += chunk.length;
        if (count > size) {
          throw new UploadError("too_big", `The upload has more than the ${size} bytes announced.`);
        }
        if (count - chunk.length < SNIFF_BYTES) head.push(chunk.slice(0, SNIFF_BYTES));
        hash.update(chunk);
        for (let done = 0; done < chunk.length;) done += await file.write(chunk.subarray(done));
      }
      if (count !== size) {
        throw new UploadError(
          "incomplete",
          `The upload ended after ${count} of ${size} bytes; send the file again.`,
        );
      }
      await file.sync();
      file.close();
      closed = true;
      const stored = { hash: hash.digest("hex"), size, mime: fileType(Buffer.concat(head)) };
      await Deno.rename(part, this.path(stored.hash));
      this.#keepBlob(stored);
      return stored;
    } catch (error) {
      if (!closed) file.close();
      await Deno.remove(part).catch(() => {});
      throw error;
    }
  }

  addShare(share: FileShare): FileShare[] {
    this.#db.prepare(
      "INSERT INTO shares (token, hash, name, size, mime, room, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(share.token, share.hash, share.name, share.size, share.mime, share.room, share.at);
    const expired: FileShare[] = [];
    for (const hash of this.#makeRoom(share.hash)) {
      const rows = this.#db.prepare("SELECT token FROM shares WHERE hash = ?").all(hash);
      for (const { token } of rows) expired.push(this.share(String(token))!);
    }
    return expired;
  }

  share(token: string): (FileShare & { expired: boolean }) | undefined {
    const row = this.#db.prepare(
      "SELECT s.*, b.hash IS NULL AS expired FROM shares s LEFT JOIN blobs b ON b.hash = s.hash " +
        "WHERE s.token = ?",
    ).get(token);
    if (!row) return undefined;
    return {
      token: String(row.token),
      hash: String(row.hash),
      name: String(row.name),
      size: Number(row.size),
      mime: String(row.mime),
      room: String(row.room),
      at: Number(row.at),
      expired: Number(row.expired) === 1,
    };
  }

  expired(token: string): boolean {
    return this.share(token)?.expired ?? false;
  }

  path(hash: string): string {
    return join(this.#blobs, hash);
  }

  forgetRoom(room: string): void {
    const hashes = this.#db.prepare("SELECT DISTINCT hash FROM shares WHERE room = ?").all(room);
    this.#db.prepare("DELETE FROM shares WHERE room = ?").run(room);
    for (const { hash } of hashes) this.discard(String(hash));
  }

  discard(hash: string): void {
    const shared = this.#db.prepare("SELECT 1 FROM shares WHERE hash = ? LIMIT 1").get(hash);
    if (!shared) this.#deleteBlob(hash);
  }

  close(): void {
    this.#db.close();
    if (this.#dir) Deno.removeSync(this.#dir, { recursive: true });
  }

  /** Records a stored blob; a file uploaded again counts as new (it is evicted last). */
  #keepBlob(file: StoredFile): void {
    const known = this.#db.prepare("SELECT size FROM blobs WHERE hash = ?").get(file.hash);
    this.#db.prepare(
      "INSERT INTO blobs (hash, size, mime, at) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (hash) DO UPDATE SET at = excluded.at",
    ).run(file.hash, file.size, file.mime, this.#now());
    if (!known) this.#used += file.size;
  }

  /** Deletes the oldest files (never `keep`) until the files fit the quota; their hashes. */
  #makeRoom(keep: string): string[] {
    const oldest = this.#db.prepare("SELECT hash FROM blobs WHERE hash != ? ORDER BY at LIMIT 1");
    const deleted: string[] = [];
    while (this.#used > this.#quota) {
      const row = oldest.get(keep);
      if (!row) break;
      deleted.push(String(row.hash));
      this.#deleteBlob(String(row.hash));
    }
    return deleted;
  }

  #deleteBlob(hash: string): void {
    const row = this.#db.prepare("SELECT size FROM blobs WHERE hash = ?").get(hash);
    this.#db.prepare("DELETE FROM blobs WHERE hash = ?").run(hash);
    if (row) this.#used -= Number(row.size);
    try {
      Deno.removeSync(this.path(hash));
    } catch {
      // Already gone.
    }
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
