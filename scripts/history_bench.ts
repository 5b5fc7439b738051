/**
 * What keeping history on disk costs per record, on a real database file:
 * `deno bench --allow-all scripts/history_bench.ts`.
 *
 * The server commits before the first socket write after new records, so a
 * record costs one commit when it is alone in its turn of the event loop, and
 * a share of one when several arrive together (a client's burst, a busy room).
 * docs/HISTORY.md has the numbers and what they mean next to fan-out.
 *
 * @module
 */

import { join } from "node:path";
import type { RoomRecord } from "../src/protocol/frames.ts";
import { memoryStore, type RoomStore } from "../src/server/room_store.ts";
import { openSqliteStore } from "../src/server/sqlite_store.ts";

const dir = Deno.makeTempDirSync({ prefix: "chat-bench-" });
const sqlite = openSqliteStore(join(dir, "history.db"), { historyLimit: 10_000 });
const memory = memoryStore(10_000);
/** A store with 1,000 other rooms open, as a server with many rooms has: what do they cost a commit? */
const manyRooms = openSqliteStore(join(dir, "many.db"), { historyLimit: 10_000 });
for (let i = 0; i < 1000; i++) manyRooms.roomHistory(`#idle${i}`);
const ids = new Map<RoomStore, number>();
const text = "a typical chat line, about sixty characters long, give or take";

function appendBatch(store: RoomStore, size: number): void {
  let id = ids.get(store) ?? store.history.lastId();
  for (let i = 0; i < size; i++) {
    id++;
    const record: RoomRecord = { type: "message", id, ts: Date.now(), from: "alice", text };
    store.history.append(record);
  }
  ids.set(store, id);
  store.flush();
}

for (const size of [1, 10, 100]) {
  const note = size === 1 ? "1 record per commit" : `${size} records per commit`;
  Deno.bench({
    name: `sqlite: ${note}`,
    group: `batch of ${size}`,
    fn: () => appendBatch(sqlite, size),
  });
  Deno.bench({
    name: `memory (--no-history): ${note}`,
    group: `batch of ${size}`,
    baseline: true,
    fn: () => appendBatch(memory, size),
  });
}

Deno.bench({
  name: "sqlite, 1,000 other rooms open: 1 record per commit",
  group: "batch of 1",
  fn: () => appendBatch(manyRooms, 1),
});

Deno.bench({
  name: "sqlite: catch-up page of 100 records after an id",
  group: "reads",
  fn: () => {
    sqlite.history.page({ after: sqlite.history.lastId() - 100, limit: 500 }, undefined);
  },
});

Deno.bench({
  name: "sqlite: page of 500 records before an id (scrolling back)",
  group: "reads",
  fn: () => {
    sqlite.history.page({ before: sqlite.history.lastId() - 1000, limit: 500 }, "someone");
  },
});

Deno.bench({
  name: "sqlite: last 50 messages for a newcomer",
  group: "reads",
  fn: () => {
    sqlite.history.recent(50, "someone");
  },
});

globalThis.addEventListener("unload", () => {
  sqlite.close();
  manyRooms.close();
  Deno.removeSync(dir, { recursive: true });
});
