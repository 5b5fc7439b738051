/**
 * The history file under attack and accident, on real files: it is private
 * to its owner, keeps no usable token, does not grow with join/leave churn
 * or throwaway names, and caps waiting mail.
 */

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { PrivateRecord, RoomRecord } from "../src/protocol/frames.ts";
import { MemoryHistory, PRESENCE_LIMIT } from "../src/server/history.ts";
import { MemoryClaims } from "../src/server/name_claims.ts";
import { openSqliteStore } from "../src/server/sqlite_store.ts";
import { MAILBOX_TOTAL_BYTES, MAILBOX_TOTAL_LIMIT, mailboxRefusal } from "../src/server/mailbox.ts";
import { ChatServer } from "../src/server/chat_server.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { LineClient } from "./support/line_client.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";

const unix = Deno.build.os !== "windows";

function modeOf(path: string): number {
  return (Deno.statSync(path).mode ?? 0) & 0o777;
}

function rows(file: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare(sql).all() as Record<string, unknown>[]).map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}

Deno.test({
  name: "the data directory is created 0700, the file and its log 0600; a looser file is fixed",
  ignore: !unix,
  async fn() {
    await withTempDir((dir) => {
      const dataDir = join(dir, "data");
      const file = join(dataDir, "history.db");
      const store = openSqliteStore(file, { historyLimit: 100 });
      store.history.append({ type: "notice", id: 1, ts: 1, text: "hi" });
      store.flush();
      assertEquals(modeOf(dataDir), 0o700);
      assertEquals(modeOf(file), 0o600);
      assertEquals(modeOf(`${file}-wal`), 0o600);
      store.close();

      // A file left readable by everyone (as earlier versions made it) is tightened, and said so.
      Deno.chmodSync(file, 0o644);
      Deno.chmodSync(dataDir, 0o755);
      const warnings: string[] = [];
      openSqliteStore(file, { historyLimit: 100, onWarning: (m) => warnings.push(m) }).close();
      assertEquals(modeOf(file), 0o600);
      assertEquals(warnings.length, 2);
      assertMatch(warnings[0], /data directory .* can be opened by other accounts.*chmod 700/);
      assertMatch(warnings[1], /history\.db could be read by other accounts .* now private/);
    });
  },
});

Deno.test("tokens are stored hashed: the file does not hold them, presenting one still works", async () => {
  await withTempDir((dir) => {
    const file = join(dir, "history.db");
    const token = crypto.randomUUID();
    const store = openSqliteStore(file, { historyLimit: 100 });
    store.claims.save({ holder: "h1", token, name: "bob", seenAt: Date.now(), canResume: true });
    store.close();
    const bytes = new TextDecoder("latin1").decode(Deno.readFileSync(file));
    assert(!bytes.includes(token), "the token is not in the file");
    const reopened = openSqliteStore(file, { historyLimit: 100 });
    assertEquals(reopened.claims.byToken(token)?.holder, "h1");
    assertEquals(
      reopened.claims.byToken(token.replace(/.$/, (last) => last === "0" ? "1" : "0"))?.holder,
      undefined,
    );
    assertEquals(reopened.claims.latest("bob")?.canResume, true);
    reopened.close();
  });
});

Deno.test("a version 1 file is migrated: saved tokens keep working and are no longer in it", async () => {
  await withTempDir((dir) => {
    const file = join(dir, "history.db");
    const token = crypto.randomUUID();
    // The schema chat wrote before tokens were hashed.
    const old = new DatabaseSync(file);
    old.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE records (id INTEGER PRIMARY KEY, conversation INTEGER NOT NULL,
        private_from TEXT, private_to TEXT, record TEXT NOT NULL);
      CREATE TABLE claims (holder TEXT PRIMARY KEY, token TEXT UNIQUE, name_key TEXT NOT NULL,
        name TEXT NOT NULL, seen_at INTEGER NOT NULL);
      CREATE INDEX claims_by_name ON claims(name_key, seen_at);
      CREATE TABLE mailbox (id INTEGER PRIMARY KEY, holder TEXT NOT NULL, ts INTEGER NOT NULL,
        record TEXT NOT NULL);
      CREATE INDEX mailbox_by_holder ON mailbox(holder, id);
      PRAGMA application_id = ${0x63686174};
      PRAGMA user_version = 1;
    `);
    old.prepare("INSERT INTO meta VALUES ('room_id', 'r1'), ('created_at', 'x')").run();
    old.prepare("INSERT INTO claims VALUES ('h1', ?, 'bob', 'bob', ?)").run(token, Date.now());
    old.prepare("INSERT INTO records VALUES (7, 1, NULL, NULL, ?)").run(
      JSON.stringify({ type: "notice", id: 7, ts: 1, text: "old" }),
    );
    old.close();

    const store = openSqliteStore(file, { historyLimit: 100 });
    assertEquals(store.history.roomId(), "r1");
    assertEquals(store.history.lastId(), 7);
    assertEquals(store.claims.byToken(token)?.holder, "h1", "the saved token still works");
    store.close();
    const stored = rows(file, "SELECT token_hash FROM claims");
    assertEquals(stored.length, 1);
    assert(stored[0].token_hash !== token && !JSON.stringify(stored).includes(token));
    assertEquals(rows(file, "PRAGMA user_version")[0].user_version, 4);
  });
});

function presence(id: number): RoomRecord {
  return id % 2
    ? { type: "join", id, ts: id, name: `g${id}`, count: 2 }
    : { type: "leave", id, ts: id, name: `g${id - 1}`, count: 1 };
}

Deno.test("join/leave churn is trimmed to the newest presence records: the file stops growing", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    const store = openSqliteStore(file, { historyLimit: 10_000 });
    store.history.append({ type: "message", id: 1, ts: 1, from: "alice", text: "before" });
    const fileSizes: number[] = [];
    const walSizes: number[] = [];
    let id = 1;
    for (let round = 0; round < 4; round++) {
      // 10,000 joins and leaves (a reconnect loop), committed a pair at a time.
      for (let i = 0; i < 5000; i++) {
        store.history.append(presence(++id));
        store.history.append(presence(++id));
        store.flush();
        // Let the background retention run between commits, as it does between live messages.
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await new Promise((resolve) => setTimeout(resolve, 20)); // background retention steps
      fileSizes.push(Deno.statSync(file).size);
      walSizes.push(Deno.statSync(`${file}-wal`).size);
    }
    store.close();
    const kept = rows(file, "SELECT conversation, count(*) AS n FROM records GROUP BY 1");
    assertEquals(kept, [{ conversation: 0, n: PRESENCE_LIMIT }, { conversation: 1, n: 1 }]);
    // The file stays small however long the churn goes on, and the log, checkpointed under
    // load once past 4 MiB (looked at every 20 commits, at once past 8 MiB), stays below 10.
    assert(Math.max(...fileSizes) < 512 * 1024, `file sizes: ${fileSizes}`);
    assert(Math.max(...walSizes) < 10 * 1024 * 1024, `log sizes: ${walSizes}`);
  });
});

Deno.test("a busy room's log is checkpointed after its sync, not inside a commit, and stays bounded", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    // The clock never moves: the room is never quiet, only the log's size brings a checkpoint.
    const store = openSqliteStore(file, { historyLimit: 100_000, now: () => 0 });
    const walSize = () => Deno.statSync(`${file}-wal`).size;
    let id = 0;
    /** Commits `count` joins and leaves one at a time, without yielding: the log's size after each. */
    const commit = (count: number): number[] =>
      Array.from({ length: count }, () => {
        store.history.append(presence(++id));
        store.flush();
        return walSize();
      });
    /** Waits (yielding to the event loop) until the log has been checkpointed and emptied. */
    const emptied = async () => {
      const deadline = Date.now() + 10_000;
      while (walSize() > 0) {
        assert(Date.now() < deadline, `the log still holds ${walSize()} bytes`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    try {
      // A burst that never lets the log's sync finish (about 20 MiB): past 8 MiB the log is
      // checkpointed at once, inside the commit, so it stays bounded whatever the disk does.
      const burst = commit(1500);
      assert(burst.some((size, i) => i > 0 && size < burst[i - 1]), "checkpointed in the burst");
      assert(Math.max(...burst) < 9 * 1024 * 1024, `log sizes up to ${Math.max(...burst)}`);
      await emptied();

      // Past 4 MiB the commits go on without a checkpoint inside any of them …
      const sizes = commit(450);
      assert(sizes[sizes.length - 1] > 5 * 1024 * 1024, `log at ${sizes[sizes.length - 1]}`);
      assert(
        sizes.every((size, i) => i === 0 || size >= sizes[i - 1]),
        "no checkpoint in a commit",
      );
      // … and once the log has been synced on another thread, it is checkpointed and emptied.
      await emptied();
      assertEquals(store.history.lastId(), id);
    } finally {
      store.close();
    }
    assertEquals(rows(file, "SELECT max(id) AS id FROM records"), [{ id }]);
  });
});

Deno.test("the memory history (--no-history) trims churn by the same rule", () => {
  const history = new MemoryHistory(10_000);
  history.append({ type: "message", id: 1, ts: 1, from: "alice", text: "before" });
  for (let id = 2; id <= 40_001; id++) history.append(presence(id));
  const kept = history.since(0, undefined, 100_000).records;
  assert(kept.length <= PRESENCE_LIMIT * 1.01 + 1, `${kept.length} records kept`);
  assertEquals(kept[0].id, 1, "the message stays");
  assertEquals(kept[kept.length - 1].id, 40_001, "the newest presence records stay");
});

Deno.test("memory claims: the latest claim on a name, and a forgotten claim is gone", () => {
  const claims = new MemoryClaims();
  claims.save({ holder: "h1", token: "t1", name: "Bob", seenAt: 1, canResume: true });
  claims.save({ holder: "h2", token: "t2", name: "bob", seenAt: 2, canResume: true });
  claims.save({ holder: "h3", name: "carol", seenAt: 3, canResume: false });
  assertEquals(claims.latest("bob")?.holder, "h2");
  claims.save({ holder: "h2", name: "robert", seenAt: 4, canResume: true }); // renamed
  assertEquals(claims.latest("bob")?.holder, "h1");
  assertEquals(claims.byToken("t2")?.name, "robert", "a save without token keeps it");
  claims.forget("h1");
  assertEquals(claims.latest("bob"), undefined);
  assertEquals(claims.byToken("t1"), undefined);
});

Deno.test("throwaway names leave no claim; a name that spoke keeps its claim", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    const store = openSqliteStore(file, { historyLimit: 100 });
    const server = new ChatServer({ hostname: "127.0.0.1", port: 0, store });
    try {
      const port = server.addr.port;
      const { client: watcher } = await LineClient.join(port, "watcher");
      // 15, within any per-address join burst (a rate limit is not what this shows).
      for (let i = 0; i < 15; i++) {
        const { client } = await LineClient.join(port, `throwaway${i}`);
        await client.sendFrame({ type: "quit" });
        await client.waitForClose();
        await watcher.nextFrame((f) => f.type === "leave" && f.name === `throwaway${i}`);
      }
      const { client: real } = await LineClient.join(port, "real");
      await real.say("hello");
      await real.sendFrame({ type: "quit" });
      await real.waitForClose();
      await watcher.nextFrame((f) => f.type === "leave" && f.name === "real");
      // /msg to a throwaway name is refused: nobody really held it.
      await watcher.say("/msg throwaway3 hi");
      assertEquals((await watcher.nextFrame((f) => f.type === "error")).code, "no_such_member");
      watcher.close();
    } finally {
      await server.shutdown();
    }
    const names = rows(file, "SELECT name FROM claims ORDER BY name").map((r) => r.name);
    assertEquals(names, ["real", "watcher"]);
  });
});

Deno.test("the mailbox refuses past its total cap, whoever sends", async () => {
  await withTempDir((dir) => {
    const store = openSqliteStore(join(dir, "history.db"), { historyLimit: 100 });
    const record = (id: number): PrivateRecord => ({
      type: "private",
      id,
      ts: Date.now(),
      from: `s${id}`,
      to: `r${id}`,
      text: "x",
    });
    for (let id = 1; id <= MAILBOX_TOTAL_LIMIT; id++) {
      const recipient = { holder: `r${id % 97}`, name: `r${id % 97}` };
      if (id === MAILBOX_TOTAL_LIMIT) {
        assertEquals(mailboxRefusal(store.mailbox, recipient, `s${id}`), undefined);
      }
      store.mailbox.hold(recipient.holder, record(id), `s${id % 101}`);
    }
    const refusal = mailboxRefusal(store.mailbox, { holder: "new", name: "new" }, "fresh");
    assertEquals(refusal?.code, "mailbox_full");
    assertMatch(refusal!.message, /can't keep more messages for people who are away/);
    store.close();
  });
});

Deno.test("the mailbox refuses past its total size too, and knows its size after a restart", async () => {
  await withTempDir((dir) => {
    const file = join(dir, "history.db");
    const store = openSqliteStore(file, { historyLimit: 100 });
    const big = "€".repeat(4000); // 12 KB as UTF-8
    let id = 0;
    while (store.mailbox.total().bytes < MAILBOX_TOTAL_BYTES) {
      id++;
      const record: PrivateRecord = {
        type: "private",
        id,
        ts: Date.now(),
        from: `s${id}`,
        to: `r${id}`,
        text: big,
      };
      store.mailbox.hold(`r${id % 97}`, record, `s${id % 101}`);
    }
    assert(id < MAILBOX_TOTAL_LIMIT, `${id} messages fill the bytes first`);
    const recipient = { holder: "new", name: "new" };
    assertEquals(mailboxRefusal(store.mailbox, recipient, "fresh")?.code, "mailbox_full");
    const size = store.mailbox.total();
    store.close();
    const reopened = openSqliteStore(file, { historyLimit: 100 });
    assertEquals(reopened.mailbox.total(), size);
    reopened.mailbox.remove("r1", reopened.mailbox.peek("r1").map((record) => record.id));
    assert(reopened.mailbox.total().bytes < size.bytes, "collected mail frees its share");
    reopened.close();
  });
});

/** True when this test run may mount a tmpfs (root on Linux): a real full disk to write to. */
function canMountTmpfs(): boolean {
  if (Deno.build.os !== "linux") return false;
  const probe = Deno.makeTempDirSync({ prefix: "chat-tmpfs-probe-" });
  try {
    const mount = new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe],
    })
      .outputSync();
    if (!mount.success) return false;
    new Deno.Command("umount", { args: [probe] }).outputSync();
    return true;
  } catch {
    return false;
  } finally {
    Deno.removeSync(probe, { recursive: true });
  }
}

/** Writes into `dir` until the file system is full; returns the filler file to delete. */
function fillUp(dir: string): string {
  const filler = join(dir, "filler");
  const file = Deno.openSync(filler, { create: true, write: true });
  const chunk = new Uint8Array(4096);
  try {
    while (true) file.writeSync(chunk);
  } catch {
    // ENOSPC: full.
  } finally {
    file.close();
  }
  return filler;
}

Deno.test({
  name:
    "disk full: members are told their messages can't be kept, and after a restart no id is given again",
  ignore: !canMountTmpfs(),
  sanitizeResources: false,
  async fn() {
    await withTempDir(async (dir) => {
      const disk = join(dir, "disk");
      Deno.mkdirSync(disk);
      const mounted = new Deno.Command("mount", {
        args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", disk],
      }).outputSync();
      assert(mounted.success, "tmpfs mounted");
      try {
        const { startServe } = await import("./support/chat_process.ts");
        const data = join(disk, "data");
        const first = await startServe(["--data", data]);
        const seen: number[] = [];
        let filler: string;
        try {
          const { client: alice } = await LineClient.join(first.port, "alice");
          const { client: bob } = await LineClient.join(first.port, "bob");
          await alice.say("saved");
          seen.push((await bob.nextFrame((f) => f.type === "message")).id);
          filler = fillUp(disk);
          for (const text of ["lost 1", "lost 2", "lost 3"]) {
            await alice.say(text);
            const heard = await bob.nextFrame((f) => f.type === "message");
            assertEquals(heard.text, text, "the room goes on");
            seen.push(heard.id);
          }
          const told = bob.transcript.filter((l) => l.includes('"type":"info"'));
          assertEquals(told.length, 1, "told once, not per message");
          assertMatch(told[0], /could not save the latest messages/);
          alice.close();
          bob.close();
        } finally {
          await first.stop();
        }
        assertMatch(first.output(), /Could not save to the history file/);
        Deno.removeSync(filler!);

        const second = await startServe(["--data", data, "--history-on-join", "100"]);
        try {
          const { client: carol, welcome } = await LineClient.join(second.port, "carol");
          const kept = welcome.history.map((r: { text?: string }) => r.text);
          assert(kept.includes("saved") && !kept.includes("lost 1"), `history: ${kept}`);
          await carol.say("after the restart");
          const after = await carol.nextFrame((f) => f.type === "message");
          assert(
            after.id > Math.max(...seen),
            `id ${after.id} is new (ids given before the restart: ${seen})`,
          );
          carol.close();
        } finally {
          await second.stop();
        }
      } finally {
        new Deno.Command("umount", { args: [disk] }).outputSync();
      }
    });
  },
});

Deno.test("after a crash, ids continue past the reservation; after a clean stop, right after the last", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    const storeModule = new URL("../src/server/sqlite_store.ts", import.meta.url).href;
    // A server process that saves 25,000 records and dies without closing the store.
    const crash = `
      const { openSqliteStore } = await import(${JSON.stringify(storeModule)});
      const store = openSqliteStore(${JSON.stringify(file)}, { historyLimit: 100 });
      for (let id = 1; id <= 25000; id++) {
        store.history.append({ type: "notice", id, ts: id, text: "n" });
        if (id % 100 === 0) store.flush();
      }
      Deno.exit(0);
    `;
    const run = await new Deno.Command(Deno.execPath(), { args: ["eval", crash] }).output();
    assert(run.success, new TextDecoder().decode(run.stderr));
    const reopened = openSqliteStore(file, { historyLimit: 100 });
    const continued = reopened.history.lastId();
    // Renewed every 10,000 ids, the reservation reaches 100,000 past the last renewal.
    assert(continued >= 25_000 + 90_000 && continued <= 25_000 + 100_000, `${continued}`);
    reopened.history.append({ type: "notice", id: continued + 1, ts: 1, text: "after" });
    reopened.close();
    const again = openSqliteStore(file, { historyLimit: 100 });
    assertEquals(again.history.lastId(), continued + 1, "a clean stop gives the rest back");
    again.close();
  });
});
