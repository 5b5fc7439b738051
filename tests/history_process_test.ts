/**
 * `chat serve` as a real process on a real data directory: a history file it
 * can't use stops it at start with exit 1 and a message naming the file and
 * the flags to get around it; and a server killed with SIGKILL mid-chat loses
 * nothing that anyone had been sent.
 */

import { join } from "node:path";
import { withTempDir } from "./support/temp_dir.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { type ChatRun, runChat, startServe } from "./support/chat_process.ts";
import { openSqliteStore } from "../src/server/sqlite_store.ts";

/** Runs `chat serve` on 127.0.0.1 with `args`, expecting it to refuse to start. */
function serveExpectingFailure(args: string[]): Promise<ChatRun> {
  return runChat(["serve", "--host", "127.0.0.1", "--port", "0", ...args]);
}

/** Asserts the start-up failure: exit 1, one clear message naming `file` and the flags. */
function assertStartupRefusal(
  result: ChatRun,
  file: string,
  reason: RegExp,
): void {
  assertEquals(result.code, 1, `exit code; output:\n${result.stdout}\n${result.stderr}`);
  assert(result.stderr.includes(file), `names ${file}: ${result.stderr}`);
  assertMatch(result.stderr, reason);
  assertMatch(result.stderr, /--data DIR/);
  assertMatch(result.stderr, /--no-history/);
  assert(!/\bat \S+:\d+:\d+/.test(result.stderr), `no stack trace: ${result.stderr}`);
  assert(!result.stdout.includes("Chat room open"), "it never opened the room");
}

Deno.test("a damaged history file stops the server at start with exit 1", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    await Deno.writeTextFile(file, "not a database at all\n".repeat(300));
    const result = await serveExpectingFailure(["--data", dir]);
    assertStartupRefusal(result, file, /is damaged\. Move it away/);
    assert(result.stderr.trim().split("\n").length <= 2, `one or two lines: ${result.stderr}`);
  });
});

Deno.test("a file whose pages are damaged is refused in two sentences; what the check found only with --debug", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    const store = openSqliteStore(file, { historyLimit: 100_000 });
    for (let id = 1; id <= 3000; id++) {
      store.history.append({ type: "message", id, ts: id, from: "a", text: "x".repeat(200) });
    }
    store.close();
    // Scribble over forty pages in the middle: SQLite's check then reports about a hundred lines.
    const handle = await Deno.open(file, { read: true, write: true });
    for (let page = 20; page < 140; page += 3) {
      await handle.seek(4096 * page + 16, Deno.SeekMode.Start);
      await handle.write(new Uint8Array(64).fill(page));
    }
    handle.close();

    const result = await serveExpectingFailure(["--data", dir]);
    assertStartupRefusal(result, file, /is damaged\. Move it away/);
    assertEquals(result.stderr.trim().split("\n").length, 1, `one line: ${result.stderr}`);
    const debug = await serveExpectingFailure(["--data", dir, "--debug"]);
    assertEquals(debug.code, 1);
    assertMatch(debug.stderr, /integrity check found:[^]*page \d+/);
  });
});

Deno.test("a history file in use by another server stops the second one with exit 1", async () => {
  await withTempDir(async (dir) => {
    const first = await startServe(["--data", dir]);
    try {
      const port = first.port;
      const result = await serveExpectingFailure(["--data", dir]);
      assertStartupRefusal(
        result,
        join(dir, "history.db"),
        /is in use by another chat server\. Stop the other server/,
      );
      // The first server is unharmed.
      const { client } = await LineClient.join(port, "alice");
      client.close();
    } finally {
      assertEquals((await first.stop()).code, 0);
    }
  });
});

Deno.test("a data directory that can't be written stops the server with exit 1", async () => {
  await withTempDir(async (dir) => {
    const notADirectory = join(dir, "a-file");
    await Deno.writeTextFile(notADirectory, "");
    const data = join(notADirectory, "chat");
    const result = await serveExpectingFailure(["--data", data]);
    assertStartupRefusal(result, join(data, "history.db"), /Can't write the history file/);

    // Permissions stop everyone but root, who is not asked to pretend otherwise.
    if (Deno.build.os !== "windows" && Deno.uid() !== 0) {
      const readOnly = join(dir, "read-only");
      await Deno.mkdir(readOnly, { mode: 0o500 });
      const denied = await serveExpectingFailure(["--data", readOnly]);
      assertStartupRefusal(denied, join(readOnly, "history.db"), /Can't write the history file/);
    }
  });
});

/** Lets the test clients send as fast as they like (the rate limit has its own tests). */
const UNLIMITED = ["--rate-limit", "1000000", "--rate-burst", "1000000"];

/** Reads records until the connection ends; returns them in arrival order. */
async function collectUntilEnd(client: LineClient, into: AnyFrame[]): Promise<void> {
  try {
    while (true) {
      into.push(await client.nextFrame((f) => typeof f.id === "number", 30_000));
    }
  } catch {
    // The server is gone.
  }
}

/** Sends `count` messages as fast as the server takes them; stops quietly when it is gone. */
async function chatter(client: LineClient, prefix: string, count: number): Promise<void> {
  try {
    for (let i = 1; i <= count; i++) {
      await client.say(`${prefix}${i}`);
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } catch {
    // Broken pipe: the server was killed.
  }
}

Deno.test({
  name: "SIGKILL mid-chat: a new server has every message anyone was sent, ids go on, no gap",
  // The killed server's sockets end abruptly; the clients' sends may fail on them.
  sanitizeResources: false,
  async fn() {
    await withTempDir(async (dir) => {
      const server = await startServe(["--data", dir, ...UNLIMITED]);
      const port = server.port;
      const { client: alice, welcome } = await LineClient.join(port, "alice");
      const { client: bob } = await LineClient.join(port, "bob");
      const aliceSaw: AnyFrame[] = [];
      const bobSaw: AnyFrame[] = [];
      const reading = Promise.all([collectUntilEnd(alice, aliceSaw), collectUntilEnd(bob, bobSaw)]);
      const talking = Promise.all([chatter(alice, "a", 400), chatter(bob, "b", 400)]);

      // Kill it while both are in full flow.
      const deadline = Date.now() + 30_000;
      while (aliceSaw.filter((f) => f.type === "message").length < 150) {
        if (Date.now() > deadline) throw new Error(`the chat did not flow:\n${server.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      server.child.kill("SIGKILL");
      const { code } = await server.status;
      assert(code !== 0, "the server was killed");
      await Promise.all([reading, talking]);
      alice.close();
      bob.close();

      const relayed = new Map<number, AnyFrame>();
      for (const frame of [...aliceSaw, ...bobSaw]) relayed.set(frame.id, frame);
      const relayedMessages = [...relayed.values()].filter((f) => f.type === "message");
      assert(relayedMessages.length >= 150);
      const lastRelayed = Math.max(...relayed.keys());

      const restarted = await startServe([
        "--data",
        dir,
        "--history-on-join",
        "1000",
        ...UNLIMITED,
      ]);
      try {
        const port2 = restarted.port;

        // Alice comes back with what she remembers: exactly what she missed.
        const lastSeen = aliceSaw[aliceSaw.length - 1].id;
        const back = await LineClient.join(port2, "alice", {
          resume: welcome.session,
          since: lastSeen,
          log: welcome.log,
        });
        assertEquals(back.welcome.log, welcome.log);
        assertEquals(back.welcome.catchUp, true);
        assertEquals(back.welcome.gap, undefined);

        // A newcomer's history holds every message anyone had been sent, unchanged.
        const { client: carol, welcome: carolWelcome } = await LineClient.join(port2, "carol");
        const history = new Map<number, AnyFrame>(
          carolWelcome.history.map((r: AnyFrame) => [r.id, r]),
        );
        for (const message of relayedMessages) {
          assertEquals(history.get(message.id), message, `message ${message.id} survived`);
        }

        await carol.say("after the crash");
        const after = await carol.nextFrame((f) => f.type === "message");
        assert(after.id > lastRelayed, `id ${after.id} continues after ${lastRelayed}`);

        const aliceAll = [...aliceSaw, ...back.welcome.history];
        while (aliceAll[aliceAll.length - 1]?.id !== after.id) {
          aliceAll.push(await back.client.nextFrame((f) => typeof f.id === "number"));
        }
        // Contiguous up to the crash; after it, ids continue past the killed server's
        // reservation (HISTORY.md), never reusing one it may have given out.
        const ids = aliceAll.map((f) => f.id);
        const beforeCrash = ids.filter((id) => id <= lastRelayed);
        for (let i = 1; i < beforeCrash.length; i++) {
          const [previous, id] = [beforeCrash[i - 1], beforeCrash[i]];
          assertEquals(id, previous + 1, `alice's records are contiguous at ${previous}`);
        }
        for (let i = 1; i < ids.length; i++) assert(ids[i] > ids[i - 1], "ids only increase");
        back.client.close();
        carol.close();
      } finally {
        await restarted.stop();
      }
    });
  },
});
