/**
 * The server's log never stops the room: a `chat serve` whose standard
 * output nobody reads keeps relaying messages, and {@linkcode LogWriter}
 * bounds what it keeps and says how much it dropped.
 */

import { LogWriter } from "../src/server/log_writer.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { chatCommand, reservePort, TEST_ENV } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";
import { tmuxAvailable, TmuxServer } from "./support/tmux.ts";
import { withTempDir } from "./support/temp_dir.ts";

/** Connects to `port`, retrying until the server listens (its banner is not read). */
async function joinWhenListening(port: number, name: string) {
  const deadline = Date.now() + 20_000;
  while (true) {
    try {
      return await LineClient.join(port, name);
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionRefused) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

Deno.test("chat serve whose stdout is never read keeps relaying while clients cause log lines", async () => {
  await withTempDir(async (dir) => {
    const port = reservePort();
    const [program, ...args] = chatCommand([
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      `${port}`,
      "--rate-limit",
      "100000",
      "--rate-burst",
      "100000",
    ]);
    const child = new Deno.Command(program, {
      args,
      env: { ...TEST_ENV, CHAT_DATA_DIR: dir },
      stdin: "null",
      stdout: "piped", // never read until the end: a full pipe, as with Ctrl-S or a stuck reader
      stderr: "null",
    }).spawn();
    const { client: alice } = await joinWhenListening(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    const names = ["a".repeat(23) + "1", "a".repeat(23) + "2"];
    const { client: renamer } = await LineClient.join(port, names[0]);
    try {
      // Each rename is a ~80-byte log line: 1,200 of them overfill a 64 KiB pipe many times.
      for (let i = 1; i <= 1200; i++) {
        await renamer.say(`/nick ${names[i % 2]}`);
        await renamer.nextFrame((f) => f.type === "nick" && f.to === names[i % 2]);
        if (i % 100 !== 0) continue;
        await alice.say(`still here ${i}`);
        const heard = await bob.nextFrame((f) => f.type === "message" && f.from === "alice");
        assertEquals(heard.text, `still here ${i}`);
      }
      // Everything kept in the buffer reaches the output once someone reads it.
      for (const client of [alice, bob, renamer]) client.close();
      child.kill("SIGTERM");
      const output = new TextDecoder().decode((await child.output()).stdout);
      const renames = output.split("\n").filter((line) => line.includes(names[1]));
      assertEquals(renames.length, 1200, "every rename line (each names the second name once)");
      assertMatch(output, /Stopped\./);
    } finally {
      for (const client of [alice, bob, renamer]) client.close();
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await child.status;
    }
  });
});

Deno.test({
  name: "chat serve in a terminal paused with Ctrl-S keeps relaying; the log shows up on Ctrl-Q",
  ignore: !tmuxAvailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const tmux = new TmuxServer();
    const dir = await Deno.makeTempDir();
    try {
      const port = reservePort();
      // In a terminal the server logs every message too (the operator's console shows the room).
      const serve = chatCommand([
        "serve",
        ...["--host", "127.0.0.1", "--port", `${port}`, "--data", dir],
        ...["--rate-limit", "100000", "--rate-burst", "100000"],
      ]);
      const pane = await tmux.open("server", serve.map(shellQuote).join(" "), {
        columns: 100,
        rows: 30,
      });
      const { client: alice } = await joinWhenListening(port, "alice");
      const { client: bob } = await LineClient.join(port, "bob");
      await pane.waitFor("bob joined");
      await pane.press("C-s"); // XOFF: the terminal stops taking output
      for (let i = 1; i <= 500; i++) {
        await alice.say(`line ${i} ${"y".repeat(60)}`);
        const heard = await bob.nextFrame((f) => f.type === "message");
        assertEquals(heard.text.split(" ")[1], `${i}`);
      }
      await pane.press("C-q"); // XON: everything kept comes out
      await pane.waitFor(/alice: line 500 y+/);
      alice.close();
      bob.close();
    } finally {
      await tmux.kill();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/** A sink that takes bytes only when the test lets it, like a pipe nobody reads. */
class StalledSink {
  written = "";
  #release: (() => void) | undefined;
  #stalled = true;

  write(bytes: Uint8Array): Promise<number> {
    if (!this.#stalled) return this.#take(bytes);
    return new Promise((resolve) => {
      this.#release = () => resolve(this.#take(bytes));
    });
  }

  /** Lets writes through from now on. */
  unblock(): void {
    this.#stalled = false;
    this.#release?.();
  }

  #take(bytes: Uint8Array): Promise<number> {
    this.written += new TextDecoder().decode(bytes);
    return Promise.resolve(bytes.length);
  }
}

Deno.test("LogWriter never blocks, keeps at most its bound, and says how many lines it dropped", async () => {
  const sink = new StalledSink();
  const log = new LogWriter(sink, { maxBufferedBytes: 100 });
  log.line("first"); // taken by the stalled write
  for (let i = 0; i < 20; i++) log.line(`line ${i + 10}`); // 8 bytes each: 12 fit in 100
  assertEquals(log.dropped, 8);
  sink.unblock();
  await log.flush(1000);
  const lines = sink.written.trimEnd().split("\n");
  assertEquals(lines[0], "first");
  assertEquals(lines.slice(1, 13), Array.from({ length: 12 }, (_, i) => `line ${i + 10}`));
  assertEquals(lines[13], "8 log lines were dropped because the output was not being read.");
  assertEquals(lines.length, 14);
  log.line("later");
  await log.flush(1000);
  assert(sink.written.endsWith("read.\nlater\n"));
});

Deno.test("LogWriter.flush gives up after its timeout when the output never moves", async () => {
  const log = new LogWriter(new StalledSink());
  log.line("nobody reads this");
  await log.flush(10); // returns; a server stopping is not held up by its log
});
