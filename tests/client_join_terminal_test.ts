/**
 * `chat join` in a real terminal (tmux) where joining and sending meet the
 * room's rules: lines typed faster than the rate wait in a queue shown in
 * the status bar, an over-long message stays in the input line, and a
 * server that is not a chat room is named as such. Without tmux these tests
 * are registered as ignored, with the reason in their name.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { chatCommand, reservePort, startServe } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";
import { tmuxAvailable, type TmuxPane, TmuxServer } from "./support/tmux.ts";

const HAVE_TMUX = tmuxAvailable();
const SKIP_REASON = HAVE_TMUX ? "" : " (ignored: tmux is not installed)";

/**
 * Opens `chat join ARGS` in a tmux pane of 80×20; once it exits the pane
 * shows `[exit N]` and stays, so a test can read the last screen.
 */
function openJoin(
  tmux: TmuxServer,
  name: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<TmuxPane> {
  const quoted = chatCommand(["join", ...args]).map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`);
  return tmux.open(name, `${quoted.join(" ")}; echo "[exit $?]"; sleep 600`, {
    columns: 80,
    rows: 20,
  }, env);
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
  name:
    `a server that is not a chat room is named within seconds, exit 1; without --name before any question${SKIP_REASON}`,
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
        // Without --name the same is said before a name is asked for.
        const asked = await openJoin(tmux, "asked", [`127.0.0.1:${port}`]);
        const screen = (await asked.waitFor("[exit 1]")).join("\n");
        assert(screen.includes("answered but is not a chat room"), screen);
        assert(!screen.includes("Your name"), screen);
      });
    } finally {
      listener.close();
      await serving;
    }
  },
});

Deno.test({
  name: `a TLS room's first visit shows the fingerprint and asks; "no" joins nothing${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const configDir = await Deno.makeTempDir({ prefix: "chat-first-visit-" });
    const server = await startServe(["--tls"]);
    try {
      await withTmux(async (tmux) => {
        const args = ["--name", "alice", "--tls", `127.0.0.1:${server.port}`];
        const env = { CHAT_CONFIG_DIR: configDir };
        const no = await openJoin(tmux, "no", args, env);
        await no.waitFor(
          /First visit to 127\.0\.0\.1:\d+\. Its certificate fingerprint is\n\s+SHA256:/,
        );
        await no.waitFor("Trust it and remember it? (y/N)");
        await no.type("n");
        await no.press("Enter");
        await no.waitFor("[exit 1]");
        await no.waitFor("was not trusted, so nothing was sent.");
        const yes = await openJoin(tmux, "yes", args, env);
        await yes.waitFor("Trust it and remember it? (y/N)");
        await yes.type("y");
        await yes.press("Enter");
        await yes.waitFor("Welcome, alice!");
        assert((await Deno.readTextFile(`${configDir}/known_hosts`)).includes("SHA256:"));
      });
    } finally {
      await server.stop();
      await Deno.remove(configDir, { recursive: true });
    }
  },
});

Deno.test({
  name: `a second window with the same name asks before taking it over${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "chat-take-over-" });
    const server = await startServe();
    try {
      await withTmux(async (tmux) => {
        const env = { CHAT_DATA_DIR: dataDir };
        const target = `127.0.0.1:${server.port}`;
        const first = await openJoin(tmux, "first", ["--name", "alice", target], env);
        await first.waitFor("Welcome, alice!");
        // The first window's place (with its token) is written behind; wait for it.
        const deadline = Date.now() + 10_000;
        while (
          !(await Deno.readTextFile(`${dataDir}/sessions.json`).catch(() => "")).includes("alice")
        ) {
          assert(Date.now() < deadline, "the first window never saved its place");
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const declined = await openJoin(tmux, "declined", ["--name", "ALICE", target], env);
        await declined.waitFor("alice is open in another window; take over? (y/N)");
        await declined.type("n");
        await declined.press("Enter");
        await declined.waitFor("[exit 0]");
        await first.type("still here");
        await first.press("Enter");
        await first.waitFor("alice: still here");
        const second = await openJoin(tmux, "second", ["--name", "alice", target], env);
        await second.waitFor("take over? (y/N)");
        await second.type("y");
        await second.press("Enter");
        await second.waitFor("Welcome, alice!");
        await first.waitFor("This name was taken over by a new connection");
      });
    } finally {
      await server.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    `without --name: an unreachable room is said before any question; a refused name leaves an empty field${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServe();
    try {
      await withTmux(async (tmux) => {
        const closed = reservePort();
        const nowhere = await openJoin(tmux, "nowhere", [`127.0.0.1:${closed}`]);
        const rows = await nowhere.waitFor("[exit 1]");
        assert(!rows.join("\n").includes("Your name:"), rows.join("\n"));
        assert(rows.join("\n").includes(`Can't reach 127.0.0.1:${closed}`), rows.join("\n"));
        const pane = await openJoin(tmux, "naming", [`127.0.0.1:${server.port}`]);
        await pane.waitFor("Your name:");
        await pane.type("two words");
        await pane.press("Enter");
        await pane.waitFor("Names can't contain spaces");
        await pane.waitFor("Another name:");
        await pane.type("carol");
        await pane.press("Enter");
        await pane.waitFor("Welcome, carol!");
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name:
    `a certificate that changes during a session ends the chat loudly with exit 1${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const configDir = await Deno.makeTempDir({ prefix: "chat-cert-change-" });
    // Each server keeps its own certificate in its own data directory.
    let server = await startServe(["--tls"]);
    const port = server.port;
    try {
      await withTmux(async (tmux) => {
        const args = ["--name", "alice", "--tls", `127.0.0.1:${port}`];
        const pane = await openJoin(tmux, "alice", args, { CHAT_CONFIG_DIR: configDir });
        await pane.waitFor("Trust it and remember it? (y/N)");
        await pane.type("y");
        await pane.press("Enter");
        await pane.waitFor("Welcome, alice!");
        await server.stop();
        server = await startServe(["--tls"], { port });
        const rows = await pane.waitFor("[exit 1]", 20_000);
        assert(
          rows.join("\n").includes(`WARNING: THE CERTIFICATE OF 127.0.0.1:${port} HAS CHANGED.`),
          rows.join("\n"),
        );
      });
    } finally {
      await server.stop();
      await Deno.remove(configDir, { recursive: true });
    }
  },
});
