/**
 * The file where `chat join` keeps its place in each room: real files in a
 * temporary directory — saved and read back, written behind and flushed,
 * merged with another process's writes, expired, capped, and a damaged or
 * unwritable file never stops anyone from joining.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { SavedSessions } from "../src/client/saved_sessions.ts";

const SERVER = "127.0.0.1:53000";
const PLACE = { room: "room-1", session: "token-1", lastId: 42 };
const DAY_MS = 24 * 60 * 60 * 1000;

Deno.test("a saved place is read back by the next run, per server and name (any case)", async () => {
  await withTempDir((dir) => {
    const path = `${dir}/data/sessions.json`;
    const first = new SavedSessions(path);
    first.forServer(SERVER).remember("Alice", PLACE);
    assert(first.flush());

    const next = new SavedSessions(path).forServer(SERVER);
    assertEquals(next.recall("alice"), PLACE);
    assertEquals(next.recall("ALICE"), PLACE);
    assertEquals(next.recall("bob"), undefined);
    assertEquals(new SavedSessions(path).recall("127.0.0.1:53001", "alice"), undefined);
    const file = JSON.parse(Deno.readTextFileSync(path));
    assertEquals(Object.keys(file.sessions), ["127.0.0.1:53000 alice"]);
    if (Deno.build.os !== "windows") {
      assertEquals(Deno.statSync(path).mode! & 0o777, 0o600, "only its owner may read a token");
    }
  });
});

Deno.test("changes are written behind, and flush writes them at once", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/sessions.json`;
    const saved = new SavedSessions(path, { writeDelayMs: 50 });
    saved.remember(SERVER, "alice", PLACE);
    assertEquals(saved.recall(SERVER, "alice"), PLACE, "pending changes are seen at once");
    assertEquals(exists(path), false, "not written yet");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assertEquals(new SavedSessions(path).recall(SERVER, "alice"), PLACE, "written after the delay");

    const later = { ...PLACE, lastId: 43 };
    saved.remember(SERVER, "alice", later);
    saved.flush();
    assertEquals(new SavedSessions(path).recall(SERVER, "alice"), later);
    saved.forget(SERVER, "alice");
    saved.flush();
    assertEquals(new SavedSessions(path).recall(SERVER, "alice"), undefined);
  });
});

Deno.test("two processes' places are merged, not overwritten", async () => {
  await withTempDir((dir) => {
    const path = `${dir}/sessions.json`;
    const alice = new SavedSessions(path);
    const bob = new SavedSessions(path);
    alice.remember(SERVER, "alice", PLACE);
    bob.remember(SERVER, "bob", { ...PLACE, session: "token-2" });
    alice.flush();
    bob.flush();
    const read = new SavedSessions(path);
    assertEquals(read.recall(SERVER, "alice"), PLACE);
    assertEquals(read.recall(SERVER, "bob")?.session, "token-2");
  });
});

Deno.test("places older than a week are forgotten, and at most 100 are kept", async () => {
  await withTempDir((dir) => {
    const path = `${dir}/sessions.json`;
    let now = Date.UTC(2026, 0, 1);
    const saved = new SavedSessions(path, { now: () => now });
    saved.remember(SERVER, "old", PLACE);
    saved.flush();
    now += 8 * DAY_MS;
    assertEquals(saved.recall(SERVER, "old"), undefined, "too old to catch up");
    for (let i = 0; i < 120; i++) {
      now += 1000;
      saved.remember(SERVER, `name${i}`, { ...PLACE, lastId: i });
    }
    saved.flush();
    const file = JSON.parse(Deno.readTextFileSync(path));
    const names = Object.keys(file.sessions);
    assertEquals(names.length, 100);
    assert(!names.includes(`${SERVER} old`), "expired places are dropped from the file");
    assertEquals(saved.recall(SERVER, "name119")?.lastId, 119, "the newest are kept");
    assertEquals(saved.recall(SERVER, "name0"), undefined, "the oldest went");
  });
});

Deno.test("a damaged or foreign file counts as empty and is replaced on the next write", async () => {
  await withTempDir((dir) => {
    const path = `${dir}/sessions.json`;
    const good = {
      version: 1,
      sessions: { [`${SERVER} alice`]: { ...PLACE, savedAt: Date.now() } },
    };
    const damaged = [
      "",
      "{not json",
      "\u0000\u0001\u0002",
      "[]",
      "null",
      JSON.stringify({ ...good, version: 2 }),
      JSON.stringify({ version: 1, sessions: [] }),
      JSON.stringify({
        version: 1,
        sessions: { [`${SERVER} alice`]: { ...PLACE, lastId: -1, savedAt: Date.now() } },
      }),
      JSON.stringify({
        version: 1,
        sessions: { [`${SERVER} alice`]: { ...PLACE, room: 7, savedAt: Date.now() } },
      }),
      JSON.stringify({ version: 1, sessions: { [`${SERVER} alice`]: { ...PLACE } } }),
      JSON.stringify(good) + "x".repeat(300 * 1024),
    ];
    for (const text of damaged) {
      Deno.writeTextFileSync(path, text);
      const saved = new SavedSessions(path);
      assertEquals(saved.recall(SERVER, "alice"), undefined, JSON.stringify(text.slice(0, 80)));
      saved.remember(SERVER, "bob", PLACE);
      assert(saved.flush());
      assertEquals(new SavedSessions(path).recall(SERVER, "bob"), PLACE);
    }
    // One bad entry does not spoil the good ones.
    Deno.writeTextFileSync(
      path,
      JSON.stringify({
        version: 1,
        sessions: { ...good.sessions, [`${SERVER} eve`]: { lastId: "x" } },
      }),
    );
    assertEquals(new SavedSessions(path).recall(SERVER, "alice"), PLACE);
  });
});

Deno.test("a file that can't be written is given up on without an error", async () => {
  await withTempDir((dir) => {
    // The data directory is a file: nothing can be created under it.
    Deno.writeTextFileSync(`${dir}/blocked`, "");
    const saved = new SavedSessions(`${dir}/blocked/sessions.json`);
    saved.remember(SERVER, "alice", PLACE);
    assertEquals(saved.flush(), false);
    assertEquals(saved.recall(SERVER, "alice"), undefined);
    assertEquals([...Deno.readDirSync(dir)].map((entry) => entry.name), ["blocked"]);
  });
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
