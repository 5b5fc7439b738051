/**
 * `chat join` in a real terminal (tmux) where joining and sending meet the
 * room's rules: lines typed faster than the rate wait in a queue shown in
 * the status bar, an over-long message stays in the input line, and a
 * server that is not a chat room is named as such. Without tmux these tests
 * are registered as ignored, with the reason in their name.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { chatCommand, startServe } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";
import { tmuxAvailable, type TmuxPane, TmuxServer } from "./support/tmux.ts";

const HAVE_TMUX = tmuxAvailable();
const SKIP_REASON = HAVE_TMUX ? "" : " (ignored: tmux is not installed)";

/**
 * Opens `chat join ARGS` in a tmux pane of 80×20; once it exits the pane
 * shows `[exit N]` and stays, so a test can read the last screen.
 */
function openJoin(tmux: TmuxServer, name: string, args: string[]): Promise<TmuxPane> {
  const quoted = chatCommand(["join", ...args]).map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`);
  return tmux.open(name, `${quoted.join(" ")}; echo "[exit $?]"; sleep 600`, {
    columns: 80,
    rows: 20,
  });
}

/** Runs `body` with a private tmux server, killed afterwards. */
async function withTmux(body: (tmux: TmuxServer) => Promise<void>): Promise<void> {
  const tmux = new TmuxServer();
  try {
    await body(tmux);
  } finally {
    await tmux.kill();
  }
}

Deno.test({
  name: `lines typed faster than the room allows wait ("N waiting") and all go out${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Two lines a second after a burst of 3: eight quick Enters are well over it.
    const server = await startServe(["--rate-limit", "2", "--rate-burst", "3"]);
    try {
      await withTmux(async (tmux) => {
        const { client: bob } = await LineClient.join(server.port, "bob");
        const alice = await openJoin(tmux, "alice", [
          "--name",
          "alice",
          `127.0.0.1:${server.port}`,
        ]);
        await alice.waitFor("Welcome, alice!");
        for (let i = 1; i <= 8; i++) {
          await alice.type(`quick ${i}`);
          await alice.press("Enter");
        }
        await alice.waitFor(/\d waiting \| 2 here/);
        for (let i = 1; i <= 8; i++) {
          const said = await bob.nextFrame(
            (f) => f.type === "message" && f.from === "alice",
            10_000,
          );
          assertEquals(said.text, `quick ${i}`);
        }
        const rows = await alice.waitFor((rows) =>
          rows.some((row) => / 2 here \| \/help$/.test(row))
        );
        assert(!rows.join("\n").includes("too fast"), rows.join("\n"));
        bob.close();
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: `an over-long message stays in the input line with an error${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServe(["--max-message-chars", "20"]);
    try {
      await withTmux(async (tmux) => {
        const alice = await openJoin(tmux, "alice", [
          "--name",
          "alice",
          `127.0.0.1:${server.port}`,
        ]);
        await alice.waitFor("Welcome, alice!");
        await alice.type("this is longer than twenty");
        await alice.press("Enter");
        await alice.waitFor("That message has 26 characters; the limit is 20.");
        assertEquals(await alice.inputLine(), "› this is longer than twenty");
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: `a server that is not a chat room is named within seconds, exit 1${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    const serving = (async () => {
      for await (const conn of listener) {
        conn.write(new TextEncoder().encode("Salve! Digita il tuo Nome e premi invio!"))
          .catch(() => {});
      }
    })().catch(() => {});
    try {
      await withTmux(async (tmux) => {
        const pane = await openJoin(tmux, "visitor", ["--name", "alice", `127.0.0.1:${port}`]);
        const rows = await pane.waitFor("[exit 1]");
        assert(
          rows.join("\n").includes(
            `127.0.0.1:${port} answered but is not a chat room (it said "Salve! Digita il…").`,
          ),
          rows.join("\n"),
        );
      });
    } finally {
      listener.close();
      await serving;
    }
  },
});
