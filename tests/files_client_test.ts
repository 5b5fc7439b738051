/**
 * `chat join` moving files over real TCP and HTTP: `/send` in a pipe (exit
 * 0 only when the upload succeeded), `/save` never overwriting, and the
 * terminal client in tmux with its progress bar visible while a transfer is
 * held halfway by a gate on the wire.
 */

import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { chatCommand, runChat } from "./support/chat_process.ts";
import { randomBytes } from "./support/random_bytes.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { tmuxAvailable, TmuxServer } from "./support/tmux.ts";
import { DiskFileStore } from "../src/server/files/file_store.ts";
import { FileService } from "../src/server/files/file_service.ts";
import { createSelfSigned } from "../src/server/tls_identity.ts";
import { fingerprintOf } from "../src/protocol/fingerprint.ts";
import { pemDecode } from "../src/protocol/pem.ts";
import { ChatConnection, type ConnectionEvent } from "../src/client/connection.ts";
import { FileTransfers } from "../src/client/file_transfer.ts";
import type { FileRecord } from "../src/protocol/frames.ts";
import { upload } from "./support/file_upload.ts";

const HAVE_TMUX = tmuxAvailable();

/**
 * The environment of a client whose home folder is `home`: Deno keeps its
 * cache where it was (under the real home), or every start would fill a new one.
 */
function homeEnv(home: string): Record<string, string> {
  const cache = Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? home, ".cache", "deno");
  return { HOME: home, DENO_DIR: cache };
}

/** A server sharing files, a home folder for the clients, and a file to send in it. */
function withFiles(
  body: (room: { port: number; home: string }) => Promise<void>,
  maxFileBytes = 25e6,
  tls?: { cert: string; key: string },
): Promise<void> {
  return withTempDir((dir) =>
    withTempDir(async (home) => {
      const files = new FileService({
        store: new DiskFileStore({ dir, quotaBytes: 1e9 }),
        maxFileBytes,
        uploadsPerMinute: 100,
      });
      await withServer((_server, port) => body({ port, home }), { files, tls });
    })
  );
}

Deno.test("chat join gets a private file whatever its id, and the room's messages after it too", async () => {
  await withFiles(async ({ port }) => {
    const records: string[] = [];
    const bob = new ChatConnection({
      host: "127.0.0.1",
      port,
      name: "bob",
      onEvent: (event: ConnectionEvent) => {
        if (event.type === "record" && event.record.type === "file") {
          records.push(`file ${event.record.name} to ${event.record.to}`);
        }
        if (event.type === "record" && event.record.type === "message") {
          records.push(`message ${event.record.text}`);
        }
      },
    });
    // Several senders, each within the room's rate limit.
    const senders = await Promise.all(
      ["alice", "carol", "dave", "erin"].map(async (name) =>
        (await LineClient.join(port, name)).client
      ),
    );
    const [alice, carol, ...others] = senders;
    try {
      await bob.start();
      // The room's ids run ahead of the private log's: a private file's id is lower.
      for (const text of ["one", "two", "three"]) await carol.say(text);
      await waitUntil(() => records.includes("message three"), records);
      const first = await upload(alice, port, "low.png", randomBytes(10), { to: "bob" });
      assertEquals(first.status, 201);
      await waitUntil(() => records.includes("file low.png to bob"), records);
      // Then the private log's ids run ahead: the room's next messages have lower ids.
      for (const other of others) for (let i = 0; i < 3; i++) await other.say(`/msg bob p${i}`);
      const second = await upload(alice, port, "high.png", randomBytes(10), { to: "bob" });
      assertEquals(second.status, 201);
      await waitUntil(() => records.includes("file high.png to bob"), records);
      await carol.say("after");
      await waitUntil(() => records.includes("message after"), records);
    } finally {
      bob.close();
      for (const client of senders) client.close();
    }
  });
});

Deno.test("a file that expires after its line was shown: /save says it was deleted, in a sentence", async () => {
  await withTempDir(async (dir) => {
    const files = new FileService({
      store: new DiskFileStore({ dir, quotaBytes: 1500 }),
      maxFileBytes: 1000,
      uploadsPerMinute: 10,
    });
    await withServer(async (_server, port) => {
      const shown: FileRecord[] = [];
      const bob = new ChatConnection({
        host: "127.0.0.1",
        port,
        name: "bob",
        onEvent: (event: ConnectionEvent) => {
          if (event.type === "record" && event.record.type === "file") shown.push(event.record);
        },
      });
      const errors: string[] = [];
      const transfers = new FileTransfers({
        connection: bob,
        downloads: () => dir,
        view: { progress: () => {}, ended: () => {}, info: () => {}, error: (t) => errors.push(t) },
      });
      const { client: alice } = await LineClient.join(port, "alice");
      try {
        await bob.start();
        assertEquals((await upload(alice, port, "old.bin", randomBytes(1000))).status, 201);
        await waitUntil(() => shown.length === 1, shown);
        assertEquals(transfers.number(shown[0]), 1);
        // The next file needs the room: old.bin is deleted, its line on screen unchanged.
        assertEquals((await upload(alice, port, "new.bin", randomBytes(1000))).status, 201);
        await waitUntil(() => shown.length === 2, shown);
        assertEquals(shown[0].expired, undefined);
        assertEquals(await transfers.save("1"), false);
        assertMatch(errors.join("\n"), /^old\.bin was deleted to make room for newer files; ask /);
      } finally {
        bob.close();
        alice.close();
      }
    }, { files });
  });
});

/** Waits (polling, with a deadline) until `done`; a failure shows what arrived. */
async function waitUntil(done: () => boolean, seen: unknown, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out; seen: ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("plain mode: echo /send PATH | chat join uploads, and exits 0 only when the upload succeeded", async () => {
  await withFiles(async ({ port, home }) => {
    const bytes = randomBytes(200_000);
    const path = join(home, "report.pdf");
    await Deno.writeFile(path, bytes);
    const { client: bob } = await LineClient.join(port, "bob");
    const sent = await runChat(["join", "--name", "alice", `127.0.0.1:${port}`], {
      input: `/send ${path}\n`,
      env: homeEnv(home),
    });
    assertEquals(sent.code, 0, sent.stdout + sent.stderr);
    assertMatch(sent.stdout, /-- Sent report\.pdf \(200 KB\)\./);
    const record = await bob.nextFrame((f) => f.type === "file");
    const fetched = await fetch(`http://127.0.0.1:${port}${record.url}`);
    assertEquals(new Uint8Array(await fetched.arrayBuffer()), bytes);

    const missing = await runChat(["join", "--name", "carol", `127.0.0.1:${port}`], {
      input: `/send ${join(home, "nope.pdf")}\n`,
      env: homeEnv(home),
    });
    assertEquals(missing.code, 1);
    assertMatch(missing.stdout, /!! There is no file .*nope\.pdf\. Check the path/);
    bob.close();
  });
});

Deno.test("plain mode: a file over the server's limit is refused with its sentence and exit code 1", async () => {
  await withFiles(async ({ port, home }) => {
    const path = join(home, "movie.mkv");
    await Deno.writeFile(path, new Uint8Array(150_000));
    const run = await runChat(["join", "--name", "alice", `127.0.0.1:${port}`], {
      input: `/send ${path}\n`,
      env: homeEnv(home),
    });
    assertEquals(run.code, 1);
    assertMatch(run.stdout, /!! movie\.mkv is 150 KB; this server takes files up to 100 KB\./);
  }, 100_000);
});

Deno.test("plain mode: /save N downloads into Downloads, and a second save never overwrites (name (1).ext)", async () => {
  await withFiles(async ({ port, home }) => {
    const bytes = randomBytes(50_000);
    const path = join(home, "photo.jpg");
    await Deno.writeFile(path, bytes);
    const sent = await runChat(["join", "--name", "alice", `127.0.0.1:${port}`], {
      input: `/send ${path}\n`,
      env: homeEnv(home),
    });
    assertEquals(sent.code, 0, sent.stdout);
    const downloads = join(home, "Downloads");
    await Deno.mkdir(downloads);
    await Deno.writeTextFile(join(downloads, "photo.jpg"), "mine, keep me");
    const saved = await runChat(["join", "--name", "bob", `127.0.0.1:${port}`], {
      input: "/save 1\n/save 1\n",
      env: homeEnv(home),
    });
    assertEquals(saved.code, 0, saved.stdout + saved.stderr);
    assertMatch(
      saved.stdout,
      /alice shared photo\.jpg \(50 KB\): http:\/\/127\.0\.0\.1:\d+\/f\/.* \(\/save 1\)/,
    );
    assertEquals(await Deno.readTextFile(join(downloads, "photo.jpg")), "mine, keep me");
    assertEquals(await Deno.readFile(join(downloads, "photo (1).jpg")), bytes);
    assertEquals(await Deno.readFile(join(downloads, "photo (2).jpg")), bytes);
    const wrong = await runChat(["join", "--name", "carol", `127.0.0.1:${port}`], {
      input: "/save 7\n",
      env: homeEnv(home),
    });
    assertEquals(wrong.code, 1);
    assertMatch(wrong.stdout, /!! Usage: \/save N \[DIR\], N from 1 to 1/);
  });
});

Deno.test("plain mode: /save N ~/photos saves into the home's folder (as the README shows); a folder that can't be made is named", async () => {
  await withFiles(async ({ port, home }) => {
    const bytes = randomBytes(1000);
    const { client: alice } = await LineClient.join(port, "alice");
    assertEquals((await upload(alice, port, "cat.png", bytes)).status, 201);
    const cwd = await Deno.makeTempDir();
    try {
      const saved = await runChat(["join", "--name", "bob", `127.0.0.1:${port}`], {
        input: "/save 1 ~/photos\n",
        env: homeEnv(home),
        cwd,
      });
      assertEquals(saved.code, 0, saved.stdout + saved.stderr);
      assertEquals(await Deno.readFile(join(home, "photos", "cat.png")), bytes);
      assertEquals([...Deno.readDirSync(cwd)], [], "no folder named ~ where chat join runs");
      await Deno.writeTextFile(join(home, "plain-file"), "");
      const refused = await runChat(["join", "--name", "carol", `127.0.0.1:${port}`], {
        input: `/save 1 ${join(home, "plain-file", "sub")}\n`,
        env: homeEnv(home),
      });
      assertEquals(refused.code, 1);
      assertMatch(
        refused.stdout,
        new RegExp(`!! Can't use the folder ${join(home, "plain-file", "sub")}: `),
      );
    } finally {
      alice.close();
      await Deno.remove(cwd, { recursive: true });
    }
  });
});

Deno.test("plain mode over TLS: /send and /save trust what the chat connection trusts (the pinned certificate)", async () => {
  const identity = await createSelfSigned(["127.0.0.1"]);
  const fingerprint = await fingerprintOf(pemDecode(identity.cert));
  await withFiles(
    async ({ port, home }) => {
      const bytes = randomBytes(100_000);
      await Deno.writeFile(join(home, "secret.bin"), bytes);
      const args = ["join", "--tls", "--fingerprint", fingerprint, "--name"];
      const sent = await runChat([...args, "alice", `127.0.0.1:${port}`], {
        input: `/send ${join(home, "secret.bin")}\n`,
        env: homeEnv(home),
      });
      assertEquals(sent.code, 0, sent.stdout + sent.stderr);
      assertMatch(sent.stdout, /alice shared secret\.bin \(100 KB\): https:\/\/127\.0\.0\.1:/);
      const saved = await runChat([...args, "bob", `127.0.0.1:${port}`], {
        input: `/save 1 ${join(home, "got")}\n`,
        env: homeEnv(home),
      });
      assertEquals(saved.code, 0, saved.stdout + saved.stderr);
      assertEquals(await Deno.readFile(join(home, "got", "secret.bin")), bytes);
    },
    25e6,
    identity,
  );
});

/**
 * A proxy that holds an HTTP transfer halfway: an upload's request body, or
 * a download's response, stops after `holdAfter` bytes until `release()`.
 * Chat connections pass freely.
 */
class TransferGate {
  readonly #listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  readonly #released = Promise.withResolvers<void>();
  readonly #conns = new Set<Deno.Conn>();

  constructor(readonly target: number, readonly holdAfter: number) {
    void this.#accept();
  }

  get port(): number {
    return this.#listener.addr.port;
  }

  release(): void {
    this.#released.resolve();
  }

  close(): void {
    this.release();
    for (const conn of [this.#listener, ...this.#conns]) {
      try {
        conn.close();
      } catch {
        // closed
      }
    }
  }

  async #accept(): Promise<void> {
    for (;;) {
      let client: Deno.Conn;
      let server: Deno.Conn;
      try {
        client = await this.#listener.accept();
        server = await Deno.connect({ hostname: "127.0.0.1", port: this.target });
      } catch {
        return; // closed
      }
      this.#conns.add(client).add(server);
      let kind: "upload" | "download" | "chat" | undefined;
      const learn = (first: Uint8Array) => {
        const head = new TextDecoder().decode(first.subarray(0, 8));
        kind ??= head.startsWith("PUT ")
          ? "upload"
          : head.startsWith("GET /f/")
          ? "download"
          : "chat";
      };
      void this.#copy(client, server, (chunk) => learn(chunk), () => kind === "upload");
      void this.#copy(server, client, () => {}, () => kind === "download");
    }
  }

  async #copy(
    from: Deno.Conn,
    to: Deno.Conn,
    first: (chunk: Uint8Array) => void,
    held: () => boolean,
  ): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    let total = 0;
    try {
      for (;;) {
        const count = await from.read(buffer);
        if (count === null) break;
        if (total === 0) first(buffer.subarray(0, count));
        total += count;
        if (held() && total > this.holdAfter) await this.#released.promise;
        for (let done = 0; done < count;) done += await to.write(buffer.subarray(done, count));
      }
    } catch {
      // one side closed
    }
    try {
      to.close();
    } catch {
      // closed
    }
  }
}

Deno.test({
  name: `terminal client: /send and /save show a progress bar in tmux while the bytes move${
    HAVE_TMUX ? "" : " (ignored: tmux is not installed)"
  }`,
  ignore: !HAVE_TMUX,
  fn: async () => {
    await withFiles(async ({ port, home }) => {
      // Big enough that the bytes the sockets' buffers take in while the gate holds
      // (some megabytes each on loopback) leave the bar short of full.
      const bytes = randomBytes(24_000_000);
      await Deno.writeFile(join(home, "big.bin"), bytes);
      const gate = new TransferGate(port, 2_000_000);
      const tmux = new TmuxServer();
      try {
        const command = chatCommand(["join", "--name", "alice", `127.0.0.1:${gate.port}`])
          .map((arg) => `'${arg}'`).join(" ");
        const pane = await tmux.open("alice", `cd '${home}' && ${command}`, {
          columns: 100,
          rows: 16,
        }, homeEnv(home));
        await pane.waitFor("Welcome, alice!");
        // Tab completes the path after /send.
        await pane.type("/send bi");
        await pane.press("Tab");
        await pane.waitFor("/send big.bin");
        await pane.press("Enter");
        const during = await pane.waitFor(/↑ big\.bin ▕█+░*▏ [1-9]\d% [\d.]+ MB\/24 MB/);
        assert(!during.join("\n").includes("Sent big.bin"), during.join("\n"));
        gate.release();
        const after = await pane.waitFor("Sent big.bin (24 MB).", 20_000);
        assertMatch(after.join("\n"), /alice shared big\.bin \(24 MB\) · \/save 1/);
        assert(!after.join("\n").includes("↑ big.bin"), after.join("\n"));
        await Deno.remove(join(home, "big.bin"));
        // The download, held halfway too, into ~/Downloads.
        const downloadGate = new TransferGate(port, 8_000_000);
        gate.close();
        const bob = await tmux.open(
          "bob",
          chatCommand(["join", "--name", "bob", `127.0.0.1:${downloadGate.port}`])
            .map((arg) => `'${arg}'`).join(" "),
          { columns: 100, rows: 16 },
          homeEnv(home),
        );
        try {
          await bob.waitFor("/save 1");
          await bob.type("/save 1");
          await bob.press("Enter");
          await bob.waitFor(/↓ big\.bin ▕█+░*▏ [1-9]\d% [\d.]+ MB\/24 MB/);
          downloadGate.release();
          await bob.waitFor(`Saved big.bin as ${join(home, "Downloads", "big.bin")}`, 20_000);
          assertEquals(await Deno.readFile(join(home, "Downloads", "big.bin")), bytes);
        } finally {
          downloadGate.close();
        }
      } finally {
        gate.close();
        await tmux.kill();
      }
    });
  },
});

Deno.test({
  name:
    `terminal client: a private file opens the conversation's window, and /send there (Tab completing a path with a space) goes to that person${
      HAVE_TMUX ? "" : " (ignored: tmux is not installed)"
    }`,
  ignore: !HAVE_TMUX,
  fn: async () => {
    await withFiles(async ({ port, home }) => {
      await Deno.mkdir(join(home, "My Pictures"));
      await Deno.writeFile(join(home, "My Pictures", "reply.png"), randomBytes(3000));
      const tmux = new TmuxServer();
      const { client: bob } = await LineClient.join(port, "bob");
      try {
        const command = chatCommand(["join", "--name", "alice", `127.0.0.1:${port}`])
          .map((arg) => `'${arg}'`).join(" ");
        const pane = await tmux.open("alice", `cd '${home}' && ${command}`, {
          columns: 100,
          rows: 16,
        }, homeEnv(home));
        await pane.waitFor("Welcome, alice!");
        await bob.say("hello room"); // the room's ids run ahead of the private log's
        await pane.waitFor("hello room");
        const sent = await upload(bob, port, "secret.png", randomBytes(2000), { to: "alice" });
        assertEquals(sent.status, 201);
        // Not in the room's window: bob's window opens, marked in the activity list.
        const room = await pane.waitFor(/\bbob\b.*\|/);
        assert(!room.join("\n").includes("secret.png"), room.join("\n"));
        await pane.type("/switch bob");
        await pane.press("Enter");
        await pane.waitFor(/bob -> alice shared secret\.png \(2\.0 KB\) · \/save 1/);
        // /send in bob's window shares with bob alone; Tab completes a path with a space in it.
        await pane.type("/send My Pictures/re");
        await pane.press("Tab");
        await pane.waitFor("› /send My Pictures/reply.png");
        await pane.press("Enter");
        await pane.waitFor("Sent reply.png (3.0 KB) to bob.");
        const record = await bob.nextFrame((f) => f.type === "file" && f.name === "reply.png");
        assertEquals([record.from, record.to, record.room], ["alice", "bob", undefined]);
        await pane.waitFor(/alice -> bob shared reply\.png \(3\.0 KB\) · \/save 2/);
      } finally {
        bob.close();
        await tmux.kill();
      }
    });
  },
});
