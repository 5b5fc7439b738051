/**
 * `chat serve --password` without a value, in a real terminal (tmux): the new
 * password is asked twice, a mismatch is said and asked again, and the room
 * then takes exactly the confirmed password.
 */

import { assertEquals } from "./support/assert.ts";
import { chatCommand, reservePort } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";
import { tmuxAvailable, TmuxServer } from "./support/tmux.ts";

const HAVE_TMUX = tmuxAvailable();

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

Deno.test({
  name: "chat serve --password asks twice, and again when the two differ" +
    (HAVE_TMUX ? "" : " (ignored: tmux is not installed)"),
  ignore: !HAVE_TMUX,
  async fn() {
    const tmux = new TmuxServer();
    const data = await Deno.makeTempDir({ prefix: "chat-password-prompt-" });
    const port = reservePort();
    const serve = chatCommand(["serve", "--password", "--host", "127.0.0.1", "--port", `${port}`])
      .map(quote).join(" ");
    try {
      const pane = await tmux.open("serve", serve, { columns: 100, rows: 30 }, {
        CHAT_DATA_DIR: data,
      });
      await pane.waitFor("Room password");
      await pane.type("first-try");
      await pane.press("Enter");
      await pane.waitFor("Same password again");
      await pane.type("first-tyr");
      await pane.press("Enter");
      await pane.waitFor("The two passwords differ; type it twice again.");
      await pane.waitFor((rows) => rows.filter((row) => row.includes("Room password")).length >= 2);
      await pane.type("hunter22");
      await pane.press("Enter");
      await pane.waitFor((rows) => rows.filter((row) => row.includes("Same password")).length >= 2);
      await pane.type("hunter22");
      await pane.press("Enter");
      await pane.waitFor("It needs the password to join.", 20_000);

      for (const [password, expected] of [["first-try", "error"], ["hunter22", "welcome"]]) {
        const client = await LineClient.connect(port);
        await client.sendFrame({ type: "hello", version: 2, name: "alice", password });
        assertEquals((await client.nextFrame()).type, expected, `password ${password}`);
        client.close();
      }
    } finally {
      await tmux.kill();
      await Deno.remove(data, { recursive: true });
    }
  },
});

Deno.test({
  name: "Ctrl-C at chat serve's password prompt gives up quietly, exit 0, no room" +
    (HAVE_TMUX ? "" : " (ignored: tmux is not installed)"),
  ignore: !HAVE_TMUX,
  async fn() {
    const tmux = new TmuxServer();
    const data = await Deno.makeTempDir({ prefix: "chat-password-prompt-" });
    const serve = chatCommand(["serve", "--password", "--host", "127.0.0.1", "--port", "0"])
      .map(quote).join(" ");
    try {
      const pane = await tmux.open(
        "serve",
        `${serve}; echo "[exit $?]"; sleep 600`,
        { columns: 100, rows: 30 },
        { CHAT_DATA_DIR: data },
      );
      await pane.waitFor("Room password");
      await pane.type("half");
      await pane.press("C-c");
      const screen = (await pane.waitFor(/\[exit \d+\]/)).join("\n");
      assertEquals(screen.match(/\[exit (\d+)\]/)?.[1], "0", screen);
      assertEquals(/Something went wrong|open on port/.test(screen), false, screen);
    } finally {
      await tmux.kill();
      await Deno.remove(data, { recursive: true });
    }
  },
});
