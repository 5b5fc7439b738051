/**
 * The SQLite store on a real database file in a temporary directory: ids and
 * the room identity survive reopening, retention deletes the oldest records,
 * private records are only visible to their holders, claims and waiting
 * messages persist, and a second opener or a bad file is refused clearly.
 */

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { RoomRecord } from "../src/protocol/frames.ts";
import { memoryStore, type RoomStore } from "../src/server/room_store.ts";
import { HistoryFileError, openSqliteStore } from "../src/server/sqlite_store.ts";
import { CLAIM_TTL_MS } from "../src/protocol/limits.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "./support/assert.ts";

function message(id: number, text = `m${id}`): RoomRecord {
  return { type: "message", id, ts: 1_700_000_000_000 + id, from: "alice", text };
}

function open(file: string, historyLimit = 100, now?: () => number): RoomStore {
  return openSqliteStore(file, { historyLimit, now });
}

/** Resolves after pending timers (the background retention steps) have had a chance to run. */
function nextTask(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("ids, records and the room id survive closing and reopening", async () => {
  await withTempDir((dir) => {
    const file = join(dir, "nested", "history.db");
    const first = open(file);
    const roomId = first.history.roomId();
    assertEquals(first.history.lastId(), 0);
    for (let id = 1; id <= 5; id++) first.history.append(message(id));
    first.history.append({ type: "join", id: 6, ts: 1, name: "bob", count: 2 });
    first.close();

    const second = open(file);
    assertEquals(second.history.roomId(), roomId);
    assertEquals(second.history.lastId(), 6);
    assertEquals(
      second.history.recent(3).map((r) => r.id),
      [3, 4, 5],
      "joins are not 'earlier messages'",
    );
    const { records, gap } = second.history.since(2, undefined, 100);
    assertEquals(records.map((r) => r.id), [3, 4, 5, 6]);
    assertEquals(gap, false);
    assertEquals(records[0], message(3));
    second.close();
  });
});

Deno.test("a flushed record is in the file before the store is closed", async () => {
  await withTempDir((dir) => {
    const file = join(dir, "history.db");
    const store = open(file);
    store.history.append(message(1));
    store.flush();
    // A copy of the file and its write-ahead log, taken while the store is open,
    // holds the record: this is what a server killed right now leaves behind.
    Deno.copyFileSync(file, join(dir, "copy.db"));
    Deno.copyFileSync(`${file}-wal`, join(dir, "copy.db-wal"));
    const copy = new DatabaseSync(join(dir, "copy.db"));
    const row = copy.prepare("SELECT record FROM records WHERE id = 1").get() as { record: string };
    assertEquals(JSON.parse(row.record), message(1));
    copy.close();
    store.close();
  });
});

/** Messages with joins between them: every third record is a join, which retention does not count. */
function mixedRecord(id: number): RoomRecord {
  return id % 3 === 0 ? { type: "join", id, ts: id, name: `n${id}`, count: 2 } : message(id);
}

for (const kind of ["on disk", "in memory"] as const) {
  Deno.test(`retention (${kind}) keeps the newest N conversation records, the events between them, and reports the gap`, async () => {
    await withTempDir(async (dir) => {
      const store = kind === "on disk" ? open(join(dir, "history.db"), 10) : memoryStore(10);
      for (let id = 1; id <= 1200; id++) store.history.append(mixedRecord(id));
      store.flush();
      const newestMessages = Array.from({ length: 1200 }, (_, i) => i + 1)
        .filter((id) => id % 3 !== 0).slice(-10);
      const expected = Array.from(
        { length: 1201 - newestMessages[0] },
        (_, i) => newestMessages[0] + i,
      );
      for (
        let i = 0;
        i < 50 && store.history.since(0, undefined, 2000).records.length > expected.length;
        i++
      ) {
        await nextTask(5);
      }
      const all = store.history.since(0, undefined, 2000);
      assertEquals(all.records.map((r) => r.id), expected);
      assertEquals(all.gap, true, "the older records are gone");
      assertEquals(
        store.history.recent(50).map((r) => r.id),
        newestMessages,
        "joins do not take messages' places",
      );
      assertEquals(store.history.since(newestMessages[0] - 1, undefined, 100).gap, false);
      assertEquals(store.history.lastId(), 1200);
      store.close();
    });
  });
}

Deno.test("private records are visible to their two holders only", async () => {
  await withTempDir((dir) => {
    const store = open(join(dir, "history.db"));
    store.history.append(message(1));
    store.history.append(
      { type: "private", id: 2, ts: 2, from: "alice", to: "bob", text: "psst" },
      { fromHolder: "holder-alice", toHolder: "holder-bob" },
    );
    store.history.append(message(3));
    assertEquals(store.history.recent(10, "holder-bob").map((r) => r.id), [1, 2, 3]);
    assertEquals(store.history.recent(10, "holder-alice").map((r) => r.id), [1, 2, 3]);
    assertEquals(store.history.recent(10, "holder-of-a-later-bob").map((r) => r.id), [1, 3]);
    assertEquals(store.history.recent(10).map((r) => r.id), [1, 3]);
    assertEquals(store.history.since(1, "holder-bob", 10).records.map((r) => r.id), [2, 3]);
    assertEquals(store.history.since(1, undefined, 10).records.map((r) => r.id), [3]);
    store.close();
  });
});

Deno.test("claims and waiting private messages survive reopening; expired ones go", async () => {
  await withTempDir((dir) => {
    const file = join(dir, "history.db");
    let now = 1_700_000_000_000;
    const first = open(file, 100, () => now);
    first.claims.save({ holder: "h1", token: "t1", name: "Bob", seenAt: now, canResume: true });
    first.claims.save({
      holder: "h0",
      token: "t0",
      name: "bob",
      seenAt: now - 1000,
      canResume: true,
    });
    const pm = { type: "private" as const, id: 7, ts: now, from: "alice", to: "Bob", text: "hi" };
    first.mailbox.hold("h1", pm, "h2");
    first.close();

    const second = open(file, 100, () => now);
    assertEquals(second.claims.byToken("t1"), {
      holder: "h1",
      token: "t1",
      name: "Bob",
      seenAt: now,
      canResume: true,
    });
    assertEquals(second.claims.latest("bob")?.holder, "h1");
    assertEquals(second.mailbox.count("h1"), 1);
    assertEquals(second.mailbox.peek("h1"), [pm]);
    assertEquals(second.mailbox.count("h1"), 1, "peeking leaves it");
    second.mailbox.remove("h1", [pm.id]);
    assertEquals(second.mailbox.count("h1"), 0);
    second.mailbox.hold("h1", { ...pm, id: 8 }, "h2");
    second.close();

    now += CLAIM_TTL_MS + 1;
    const third = open(file, 100, () => now);
    assertEquals(third.claims.byToken("t1"), undefined, "expired claims are deleted on open");
    assertEquals(third.mailbox.count("h1"), 0, "so are the messages nobody collected");
    third.close();
  });
});

Deno.test("a second store on the same file is refused as locked", async () => {
  await withTempDir((dir) => {
    const file = join(dir, "history.db");
    const first = open(file);
    const error = assertThrowsFileError(() => open(file));
    assertEquals(error.problem, "locked");
    assert(error.message.includes(file));
    first.close();
    open(file).close();
  });
});

Deno.test("a damaged, foreign or unwritable file is refused with the reason", async () => {
  await withTempDir((dir) => {
    const garbage = join(dir, "garbage.db");
    Deno.writeTextFileSync(garbage, "this is not a database ".repeat(500));
    const damaged = assertThrowsFileError(() => open(garbage));
    assertEquals(damaged.problem, "damaged");
    assertMatch(damaged.message, /garbage\.db is damaged\.$/);
    assertMatch(String(damaged.cause), /file is not a database/, "the detail is kept for --debug");

    const foreign = join(dir, "foreign.db");
    const db = new DatabaseSync(foreign);
    db.exec("CREATE TABLE notes (text TEXT)");
    db.close();
    assertEquals(assertThrowsFileError(() => open(foreign)).problem, "foreign");

    const file = join(dir, "plain-file");
    Deno.writeTextFileSync(file, "");
    const unwritable = assertThrowsFileError(() => open(join(file, "history.db")));
    assertEquals(unwritable.problem, "unwritable");
  });
});

function assertThrowsFileError(fn: () => unknown): HistoryFileError {
  let caught: unknown;
  assertThrows(() => {
    try {
      fn();
    } catch (error) {
      caught = error;
      throw error;
    }
  });
  assert(caught instanceof HistoryFileError, `expected a HistoryFileError, got ${caught}`);
  return caught;
}

Deno.test("the write-ahead log is checkpointed once the room is quiet, not inside commits", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    const store = open(file);
    try {
      // 300 commits of several pages each (record, overflow, indexes: about 6.5 MiB, under the
      // 8 MiB a busy room's log may reach): SQLite's automatic checkpoint (every 1,000 pages)
      // would have run inside one.
      for (let id = 1; id <= 300; id++) {
        store.history.append(message(id, "x".repeat(5000)));
        store.flush();
      }
      const walSize = () => Deno.statSync(`${file}-wal`).size;
      assert(walSize() > 1000 * 4096, `the log holds every commit (${walSize()} bytes)`);
      const deadline = Date.now() + 5000;
      while (walSize() > 0) {
        assert(
          Date.now() < deadline,
          `the log still holds ${walSize()} bytes after the room went quiet`,
        );
        await nextTask(100);
      }
      assertEquals(store.history.lastId(), 300);
    } finally {
      store.close();
    }
  });
});
