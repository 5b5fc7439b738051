/**
 * The full-screen chat driven key by key on a scripted terminal (its output
 * kept as text), with a real connection to a real in-process server over
 * 127.0.0.1 — for what depends on timing the tmux tests cannot control: the
 * reconnect countdown and a second Ctrl-C within a second (an injected clock).
 */

import { assert, assertEquals } from "./support/assert.ts";
import { withServer } from "./support/test_server.ts";
import { TcpProxy } from "./support/tcp_proxy.ts";
import { LineClient } from "./support/line_client.ts";
import { ChatConnection, type ConnectionEvent } from "../src/client/connection.ts";
import type { Key } from "../src/client/key_decoder.ts";
import type { ChatTerminal, TerminalSize } from "../src/client/terminal.ts";
import { TerminalChat, type TerminalChatOptions } from "../src/client/terminal_chat.ts";
import { DiskFileStore } from "../src/server/files/file_store.ts";
import { FileService } from "../src/server/files/file_service.ts";
import { upload } from "./support/file_upload.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { createTheme } from "../src/client/theme.ts";

/** A terminal whose output is collected and whose keys are pressed by the test. */
class ScriptedTerminal implements ChatTerminal {
  size: TerminalSize = { columns: 70, rows: 14 };
  output = "";
  title = "";
  notifications: string[] = [];
  restored = false;
  #onKeys: ((keys: Key[]) => void) | null = null;
  #closed = Promise.withResolvers<void>();
  #wrote = Promise.withResolvers<void>();

  write(text: string): void {
    this.output += text;
    this.#wrote.resolve();
    this.#wrote = Promise.withResolvers<void>();
  }
  onResize(): void {}
  suspend(): void {}
  setTitle(title: string): void {
    this.title = title;
  }
  notify(title: string, body: string): void {
    this.notifications.push(`${title}: ${body}`);
  }
  readKeys(onKeys: (keys: Key[]) => void): Promise<void> {
    this.#onKeys = onKeys;
    return this.#closed.promise;
  }
  restore(): void {
    this.restored = true;
    this.#closed.resolve();
  }

  /** Presses keys (text as typed text). */
  press(...keys: (Key | string)[]): void {
    this.#onKeys!(keys.map((key) => typeof key === "string" ? { name: "text", text: key } : key));
  }

  /** Resolves once `text` has been written `times` times in all; throws after `timeoutMs`. */
  async waitFor(text: string, times = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.output.split(text).length - 1 < times) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`"${text}" was not written ${times}×:\n${this.output}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#wrote.promise,
        new Promise((resolve) => timer = setTimeout(resolve, left)),
      ]);
      clearTimeout(timer);
    }
  }
}

/**
 * Joins `port` as alice on a scripted terminal and runs the chat; the
 * connection waits a minute before reconnecting by itself.
 */
async function startChat(
  port: number,
  now?: () => number,
  extra: Partial<TerminalChatOptions> = {},
) {
  const terminal = new ScriptedTerminal();
  const backlog: ConnectionEvent[] = [];
  let chat: TerminalChat | null = null;
  const connection = new ChatConnection({
    host: "127.0.0.1",
    port,
    name: "alice",
    backoff: { firstMs: 60_000, maxMs: 60_000 },
    onEvent: (event) => chat ? chat.handleEvent(event) : backlog.push(event),
  });
  assertEquals(await connection.start(), "joined");
  chat = new TerminalChat({
    connection,
    terminal,
    theme: createTheme({ color: false, decorate: false }),
    ...(now ? { now } : {}),
    ...extra,
  });
  const exit = chat.run(backlog);
  await terminal.waitFor("Welcome, alice!");
  return { terminal, exit, connection };
}

Deno.test("during the reconnect countdown, Enter or Ctrl-R tries again at once; typed text stays", async () => {
  await withServer(async (_server, port) => {
    const network = new TcpProxy(port);
    try {
      const { terminal, exit } = await startChat(network.port);
      network.cut();
      await terminal.waitFor("next try in");
      terminal.press("draft", { name: "enter" });
      // The next try on its own is a minute away; Enter made it now.
      await terminal.waitFor("Reconnected as alice.");

      network.cut();
      await terminal.waitFor("next try in", 2);
      terminal.press({ name: "retry" });
      await terminal.waitFor("Reconnected as alice.", 2);

      // The draft was never sent: Enter now sends it.
      terminal.press({ name: "enter" });
      await terminal.waitFor("alice: draft");
      terminal.press({ name: "kill-line-start" }, "/quit", { name: "enter" });
      assertEquals(await exit, 0);
    } finally {
      await network.close();
    }
  });
});

Deno.test("Ctrl-C clears typed text; on an empty line, or again within a second, it leaves", async () => {
  await withServer(async (_server, port) => {
    let now = 1_000_000;
    const { terminal, exit } = await startChat(port, () => now);
    terminal.press("some text", { name: "interrupt" });
    now += 5000;
    terminal.press("more text", { name: "interrupt" }); // a second apart: clears again
    terminal.press("/help", { name: "enter" });
    await terminal.waitFor("A line starting with // sends a literal /.");
    assert(!terminal.restored);
    // Text typed, then Ctrl-C twice within a second: the second leaves.
    now += 5000;
    terminal.press("typed", { name: "interrupt" });
    now += 400;
    terminal.press("again", { name: "interrupt" });
    assertEquals(await exit, 0);
    assert(terminal.restored);
  });

  await withServer(async (_server, port) => {
    const { terminal, exit } = await startChat(port);
    terminal.press({ name: "interrupt" });
    assertEquals(await exit, 0);
    assert(terminal.output.includes("You left the chat."));
  });
});

Deno.test("a mention rings the bell; after /bell off it does not", async () => {
  await withServer(async (_server, port) => {
    const { terminal, exit } = await startChat(port);
    const { client: bob } = await LineClient.join(port, "bob");
    try {
      await bob.say("alice, look");
      await terminal.waitFor("bob: alice, look");
      assertEquals(terminal.output.split("\x07").length - 1, 1);
      terminal.press("/bell off", { name: "enter" });
      await terminal.waitFor("The bell is off.");
      await bob.say("alice, again");
      await terminal.waitFor("bob: alice, again");
      assertEquals(terminal.output.split("\x07").length - 1, 1, "no second bell");
    } finally {
      bob.close();
    }
    terminal.press({ name: "interrupt" });
    assertEquals(await exit, 0);
  });
});

Deno.test("a shared file's name is an OSC 8 link, except with hyperlinks off (TERM=linux prints them as text)", async () => {
  await withTempDir(async (dir) => {
    const files = new FileService({
      store: new DiskFileStore({ dir, quotaBytes: 1e6 }),
      maxFileBytes: 1e6,
      uploadsPerMinute: 10,
    });
    await withServer(async (_server, port) => {
      for (const hyperlinks of [true, false]) {
        const { terminal, exit } = await startChat(port, undefined, { hyperlinks });
        const { client: bob } = await LineClient.join(port, "bob");
        const sent = await upload(bob, port, `notes-${hyperlinks}.txt`, new Uint8Array(5));
        assertEquals(sent.status, 201);
        await terminal.waitFor(`notes-${hyperlinks}.txt`);
        const link = `\x1b]8;;http://127.0.0.1:${port}${sent.body.url}\x07`;
        assertEquals(terminal.output.includes(link), hyperlinks, JSON.stringify(terminal.output));
        assertEquals(terminal.output.includes("\x1b]8;"), hyperlinks);
        terminal.press("/quit", { name: "enter" });
        assertEquals(await exit, 0);
        bob.close();
      }
    }, { files });
  });
});
