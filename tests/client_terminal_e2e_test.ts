/**
 * End-to-end: the real `chat join` in real terminals (tmux sessions of a
 * fixed size) against a real `chat serve` subprocess keeping its history in
 * a real file. The screen is read with `tmux capture-pane` and asserted on.
 * Without tmux these tests are registered as ignored, with the reason in
 * their name.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { chatCommand } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";
import { upload } from "./support/file_upload.ts";
import { TcpProxy } from "./support/tcp_proxy.ts";
import { tmuxAvailable } from "./support/tmux.ts";
import {
  count,
  focus,
  join,
  joinCommand,
  quote,
  rowIndex,
  withRoom,
} from "./support/join_panes.ts";

const HAVE_TMUX = tmuxAvailable();
const SKIP_REASON = HAVE_TMUX ? "" : " (ignored: tmux is not installed)";

/** True when the text at `index` of a capture with escapes is drawn dim (SGR 2, not yet undone). */
function dimAt(styled: string, index: number): boolean {
  let dim = false;
  // deno-lint-ignore no-control-regex -- reading escape sequences is the point
  for (const [, params] of styled.slice(0, index).matchAll(/\x1b\[([0-9;]*)m/g)) {
    for (const param of params.split(";")) {
      if (param === "2") dim = true;
      else if (param === "" || param === "0" || param === "22") dim = false;
    }
  }
  return dim;
}

Deno.test({
  name:
    `two people chat in real terminals: messages, half-typed input, Tab, /msg, resize, Ctrl-C${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux }) => {
      const alice = await join(tmux, "alice", port);
      await alice.waitFor("Welcome, alice!");
      const bob = await join(tmux, "bob", port, { columns: 60, rows: 15 });
      await bob.waitFor("Welcome, bob!");
      await alice.waitFor("bob joined (2 here)");

      // Messages go both ways, with time and name.
      await alice.type("hello bob, 你好 😀");
      await alice.press("Enter");
      await bob.waitFor(/^\d\d:\d\d alice: hello bob, 你好 😀$/m);
      // It mentions bob: his terminal rang the bell.
      assertEquals(await bob.format("#{window_bell_flag}"), "1", "a mention rings the bell");

      // Half-typed input survives any number of arriving messages, cursor included.
      await alice.type("half-typed 日本");
      await alice.press("Left", "Left");
      // "› half-typed " is 13 cells; 日 and 本 are two cells each.
      const before = await alice.waitForCursor(13);
      assertEquals(await alice.inputLine(), "› half-typed 日本");
      for (let i = 1; i <= 6; i++) {
        await bob.type(
          `incoming message number ${i} that is long enough to wrap around on the narrower screen`,
        );
        await bob.press("Enter");
      }
      await alice.waitFor("incoming message number 6");
      assertEquals(await alice.inputLine(), "› half-typed 日本");
      assertEquals(await alice.cursor(), before);
      await alice.type("X");
      await alice.waitFor((rows) => rows.includes("› half-typed X日本"));
      await alice.press("C-e", "C-u");
      await alice.waitFor((rows) => rows.at(-1) === "›");

      // Tab completes a member's name (and a command).
      await alice.type("b");
      await alice.press("Tab");
      await alice.waitFor((rows) => rows.at(-1) === "› bob:");
      await alice.type("look at this");
      await alice.press("Enter");
      await bob.waitFor("alice: bob: look at this");
      await alice.type("/ms");
      await alice.press("Tab");
      await alice.waitFor((rows) => rows.at(-1) === "› /msg");

      // Private messages open a window of their own; /reply answers the last one.
      await alice.type("bob secret plan");
      await alice.press("Enter");
      await bob.waitFor(/ @alice 1! \| 2 here/);
      await alice.waitFor("[you -> bob] secret plan");
      await bob.press("M-2");
      await bob.waitFor("[alice -> you] secret plan");
      assertEquals(count(await bob.screen(), "secret plan"), 1);
      assertEquals(await alice.format("#{window_bell_flag}"), "0", "nothing rang alice's bell yet");
      await bob.type("/reply got it");
      await bob.press("Enter");
      await alice.waitFor(/ @bob 1! \| 2 here/);
      assertEquals(
        await alice.format("#{window_bell_flag}"),
        "1",
        "a private message rings the bell",
      );
      await alice.press("M-2");
      await alice.waitFor("[bob -> you] got it");
      await alice.press("M-1");
      await alice.waitFor("[you -> bob] secret plan");
      await bob.press("M-1");

      // Unknown commands are refused here and never reach the room.
      await alice.type("/dance");
      await alice.press("Enter");
      await alice.waitFor("!! There is no /dance command. Type /help for the list.");

      // Resizing lays out the status bar and input line again at the new width.
      await alice.type("still here");
      await alice.resize(50, 12);
      const statusBar = /^ alice @ 127\.0\.0\.1:\d+ #general +2 here \| \/help$/;
      const resized = await alice.waitFor((rows) =>
        rows.length === 12 && statusBar.test(rows.at(-2)!) && rows.at(-1) === "› still here"
      );
      const status = resized.at(-2)!;
      assertEquals(status.length, 49, "the full width, less the bar's closing blank (trimmed)");
      assert(resized.every((row) => row.length <= 50));

      // Ctrl-C with text typed clears the line; on an empty line it leaves, and the terminal is usable again.
      await alice.press("C-c");
      await alice.waitFor((rows) => rows.at(-1) === "›" && statusBar.test(rows.at(-2)!));
      await alice.press("C-c");
      const after = await alice.waitFor(/\[tty:.*exit \d+\]/);
      assert(after.some((row) => row === "You left the chat."), after.join("\n"));
      assertMatch(after.join("\n"), /\[tty:icanon echo exit 0\]/);
      assertEquals(await alice.format("#{cursor_flag}"), "1", "the cursor is visible");
      await bob.waitFor("alice left (1 here)");
    });
  },
});

Deno.test({
  name:
    `the server restarts on its history; the reconnect shows exactly what was missed, and a newcomer sees earlier messages${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux, restart }) => {
      // Alice's network (a proxy) stays down a little longer than the server.
      const network = new TcpProxy(port);
      let carol: LineClient | undefined;
      try {
        const alice = await join(tmux, "alice", network.port, { columns: 80, rows: 30 });
        await alice.waitFor("Welcome, alice!");
        const bob = await join(tmux, "bob", port);
        await alice.waitFor("bob joined (2 here)");
        await bob.waitFor("Welcome, bob!");
        await alice.type("before the restart");
        await alice.press("Enter");
        await bob.waitFor("alice: before the restart");
        await alice.type("draft survives");

        network.refusing = true;
        const restarting = restart();
        const down = await alice.waitFor((rows) =>
          rows.some((row) => row.includes("reconnecting…"))
        );
        assert(down.some((row) => row.includes("The server is shutting down.")), down.join("\n"));
        await restarting;

        // Carol talks while alice is away, and goes on while she reconnects.
        carol = (await LineClient.join(port, "carol")).client;
        const said: string[] = [];
        const say = async () => {
          said.push(`while alice was away ${said.length + 1}`);
          await carol!.say(said.at(-1)!);
        };
        for (let i = 0; i < 3; i++) await say();
        network.refusing = false;
        const deadline = Date.now() + 15_000;
        while (!(await alice.screen()).some((row) => row.includes("Reconnected as alice."))) {
          assert(Date.now() < deadline, "alice did not reconnect");
          await new Promise((resolve) => setTimeout(resolve, 400)); // within the rate limit
          await say();
        }
        await say();
        await alice.waitFor(said.at(-1)!);
        await bob.waitFor(said.at(-1)!, 15_000);

        const rows = await alice.transcript();
        const back = rowIndex(rows, /^\d\d:\d\d -- Reconnected as alice\.$/);
        const marker = rows[back + 1].trim().match(
          /^— #general: (\d+) new messages? since you left —$/,
        );
        assert(marker, `no marker under "Reconnected":\n${rows.join("\n")}`);
        assert(Number(marker[1]) >= 3, `the marker counts what was missed: ${marker[0]}`);
        // Exactly what carol said, each once, in order: what was missed, then live.
        const heard = rows.slice(back).flatMap((row) => {
          const found = row.match(/carol: (while alice was away \d+)$/);
          return found ? [found[1]] : [];
        });
        assertEquals(heard, said);
        // Carol's join came with the catch-up: its member count was of its time, so none is shown.
        const carolJoined = rows.slice(back).filter((row) => row.includes("carol joined"));
        assertEquals(carolJoined.length, 1, rows.join("\n"));
        assertMatch(carolJoined[0], /^\d\d:\d\d -- carol joined$/);
        assertEquals(count(rows, "alice: before the restart"), 1);
        assertEquals(await alice.inputLine(), "› draft survives");
        // Exactly once, and not "…away 10" when ten or more were said meanwhile.
        assertEquals(count(await bob.transcript(), "carol: while alice was away 1\n"), 1);

        // A newcomer sees the earlier messages, marked (and dimmed) as such.
        const dave = await join(tmux, "dave", port, { columns: 80, rows: 30 });
        await dave.waitFor("Welcome, dave!");
        const seen = await dave.waitFor("— end of earlier messages —");
        const top = rowIndex(seen, /^ +— earlier messages —$/);
        const first = rowIndex(seen, /^\d\d:\d\d alice: before the restart$/, top);
        const bottom = rowIndex(seen, /— end of earlier messages —$/, first);
        assertEquals(
          seen.slice(first + 1, bottom).map((row) => row.replace(/^\d\d:\d\d carol: /, "")),
          said,
        );
        const styled = (await dave.transcript({ escapes: true })).join("\n");
        assert(dimAt(styled, styled.indexOf("before the restart")), "earlier messages are dimmed");
        assert(!dimAt(styled, styled.indexOf("Welcome, dave!")), "the welcome is not");

        await bob.press("C-d");
        await bob.waitFor("[tty:icanon echo exit 0]");
      } finally {
        carol?.close();
        await network.close();
      }
    });
  },
});

Deno.test({
  name: `without --name a prompt asks for one, and asks again when it is taken${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux }) => {
      const bob = await join(tmux, "bob", port);
      await bob.waitFor("Welcome, bob!");
      // Another person, on another computer: no saved place of bob's to take the name back with.
      const elsewhere = await Deno.makeTempDir({ prefix: "chat-e2e-newcomer-" });
      const newcomer = await tmux.open(
        "newcomer",
        joinCommand([`127.0.0.1:${port}`]),
        { columns: 80, rows: 20 },
        // Config and data of its own: bob's saved place (sessions.json, in the data directory)
        // would otherwise prove the name "bob", and the newcomer be asked to take it over.
        { NO_COLOR: "", CHAT_CONFIG_DIR: elsewhere, CHAT_DATA_DIR: elsewhere },
      );
      await newcomer.waitFor("Your name:");
      await newcomer.type("Bob");
      await newcomer.press("Enter");
      await newcomer.waitFor('Someone here is already called "bob"');
      await newcomer.waitFor("Another name:");
      await newcomer.type("carol");
      await newcomer.press("Enter");
      await newcomer.waitFor("Welcome, carol!");
      await bob.waitFor("carol joined (2 here)");
      await newcomer.type("/quit");
      await newcomer.press("Enter");
      await newcomer.waitFor("[tty:icanon echo exit 0]");
      await Deno.remove(elsewhere, { recursive: true });
    });
  },
});

/** The rows of the message area (all but the status bar and the input line). */
function messageArea(rows: string[]): string[] {
  return rows.slice(0, -2);
}

Deno.test({
  name:
    `PageUp, PageDown, the wheel and End scroll the message area; the status bar counts what arrived below${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux }) => {
      const alice = await join(tmux, "alice", port, { columns: 60, rows: 12 });
      await alice.waitFor("Welcome, alice!");
      const { client: carol } = await LineClient.join(port, "carol");
      try {
        const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
        await carol.say(lines.join("\n"));
        await alice.waitFor((rows) => messageArea(rows).at(-1)!.trim() === "line 30");
        const status = /^ alice @ 127\.0\.0\.1:\d+ #general +2 here \| \/help$/;

        // A page back (the 10-row area less one line of context): lines 12 to 21.
        await alice.press("PageUp");
        const back = await alice.waitFor(/scrolled — 0 new below/);
        assertEquals(messageArea(back).map((row) => row.trim()), lines.slice(11, 21));
        await alice.press("PageUp");
        await alice.waitFor((rows) => messageArea(rows).at(-1)!.trim() === "line 12");

        // What arrives meanwhile does not move the view; the status bar counts it.
        await carol.say("while scrolled");
        await carol.say("and another");
        const counted = await alice.waitFor(/scrolled — 2 new below/);
        assertEquals(messageArea(counted).at(-1)!.trim(), "line 12");
        assert(!counted.join("\n").includes("and another"), counted.join("\n"));

        // The wheel (an SGR mouse report) scrolls three lines at a time.
        await alice.sendBytes("\x1b[<65;10;5M");
        await alice.waitFor((rows) => messageArea(rows).at(-1)!.trim() === "line 15");
        await alice.sendBytes("\x1b[<64;10;5M");
        await alice.waitFor((rows) => messageArea(rows).at(-1)!.trim() === "line 12");

        // PageDown goes forward; End goes back to the bottom and the status bar is as before.
        await alice.press("PageDown");
        await alice.waitFor((rows) => messageArea(rows).at(-1)!.trim() === "line 21");
        await alice.press("End");
        const bottom = await alice.waitFor((rows) =>
          /and another$/.test(messageArea(rows).at(-1)!)
        );
        assertMatch(bottom.at(-2)!, status);

        // Sending returns to the bottom too.
        await alice.press("PageUp");
        await alice.waitFor(/scrolled — 0 new below/);
        await alice.type("back down");
        await alice.press("Enter");
        const sent = await alice.waitFor((rows) =>
          /alice: back down$/.test(messageArea(rows).at(-1)!)
        );
        assertMatch(sent.at(-2)!, status);
      } finally {
        carol.close();
      }
    });
  },
});

Deno.test({
  name: `a "— new —" line marks where you left off while the window was not focused${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux }) => {
      const alice = await join(tmux, "alice", port, { columns: 60, rows: 15 });
      await alice.waitFor("Welcome, alice!");
      const { client: carol } = await LineClient.join(port, "carol");
      try {
        await carol.say("seen while here");
        await alice.waitFor("carol: seen while here");
        await focus(alice, false); // focus out, as the terminal reports it
        await carol.say("said while away");
        await carol.say("also while away");
        await alice.waitFor("carol: also while away");
        await focus(alice, true); // back
        await carol.say("said after coming back");
        const rows = await alice.waitFor("carol: said after coming back");
        const marker = rowIndex(rows, /^ +— new —$/);
        assertMatch(rows[marker - 1], /carol: seen while here$/);
        assertMatch(rows[marker + 1], /carol: said while away$/);
        assertEquals(count(rows, "— new —"), 1);

        // Away again: the marker moves to the new place.
        await focus(alice, false);
        await carol.say("second absence");
        const moved = await alice.waitFor("carol: second absence");
        assertEquals(count(moved, "— new —"), 1);
        assertMatch(moved[rowIndex(moved, /^ +— new —$/) + 1], /carol: second absence$/);
      } finally {
        carol.close();
      }
    });
  },
});

Deno.test({
  name:
    `the chat runs on the alternate screen: no old status bars in the scrollback after resizes and /clear${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux }) => {
      const command = `echo typed before the chat; ${
        joinCommand(["--name", "alice", `127.0.0.1:${port}`])
      }`;
      const alice = await tmux.open("alice", command, { columns: 60, rows: 12 });
      await alice.waitFor("Welcome, alice!");
      for (const [columns, rows] of [[50, 10], [70, 14], [40, 8]]) {
        await alice.resize(columns, rows);
        await alice.waitFor((screen) => screen.length === rows && /1 here/.test(screen.at(-2)!));
      }
      await alice.type("/clear");
      await alice.press("Enter");
      await alice.waitFor((rows) => !rows.join("\n").includes("Welcome"));
      await alice.type("/quit");
      await alice.press("Enter");
      await alice.waitFor("[tty:icanon echo exit 0]");
      const transcript = (await alice.transcript()).filter((row) => row !== "");
      assertEquals(transcript.slice(0, 2), ["typed before the chat", "You left the chat."]);
      assertEquals(transcript.filter((row) => row.includes("alice @")), []);
    });
  },
});

Deno.test({
  name:
    `Ctrl-Z suspends the client to the shell; fg sets the terminal up again and redraws the screen${SKIP_REASON}`,
  ignore: !HAVE_TMUX || Deno.build.os === "windows",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux }) => {
      // An interactive shell with job control, as a person has.
      const shell = await tmux.open("shell", "bash --norc --noprofile -i", {
        columns: 60,
        rows: 12,
      });
      await shell.waitFor((rows) => rows[0] !== ""); // the prompt
      const chat = chatCommand(["join", "--name", "alice", `127.0.0.1:${port}`]).map(quote);
      await shell.type(chat.join(" "));
      await shell.press("Enter");
      await shell.waitFor("Welcome, alice!");
      await shell.type("half typed");
      await shell.press("C-z");
      const stopped = await shell.waitFor(/Stopped/);
      // The shell has the normal screen back: no status bar of the chat on it.
      assert(!stopped.some((row) => row.includes("alice @")), stopped.join("\n"));
      await shell.type("fg");
      await shell.press("Enter");
      const back = await shell.waitFor((rows) => rows.at(-1) === "› half typed");
      assert(back.some((row) => row.includes("Welcome, alice!")), back.join("\n"));
      assert(!back.some((row) => row.includes("Stopped")), back.join("\n"));
      // Raw mode again: keys work one by one (the shell had put the terminal back to lines).
      await shell.press("BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "Enter");
      await shell.waitFor(/alice: half$/m);
      await shell.press("C-c");
      await shell.waitFor("You left the chat.");
    });
  },
});

Deno.test({
  name:
    `layout follows the terminal: /help keeps its indentation when wrapped, emoji are as wide as tmux draws them, a 12-column status bar is cut${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux }) => {
      const alice = await join(tmux, "alice", port, { columns: 60, rows: 30 });
      await alice.waitFor("Welcome, alice!");
      await alice.type("/help");
      await alice.press("Enter");
      const help = await alice.waitFor("A line starting with //");
      const wrapped = rowIndex(help, /^ +Enter sends;/) + 1;
      // "HH:MM -- " and the two blanks of the key list: 11 cells.
      assertMatch(help[wrapped], /^ {11}\S/);

      // tmux 3.3 draws 👍🏽 in four cells and ❤️ in one: the cursor goes where tmux puts it.
      await alice.type("👍🏽❤️x");
      await alice.waitForCursor(2 + 4 + 1 + 1);
      await alice.press("Enter");
      // A message that reaches the edge wraps where tmux would.
      const { client: carol } = await LineClient.join(port, "carol");
      try {
        await carol.say(`${"👍🏽".repeat(11)} end`);
        const rows = await alice.waitFor(/end$/m);
        const first = rowIndex(rows, /carol: /);
        // "HH:MM carol: " is 13 cells; 11 of 4 cells each do not fit in the 47 left on the row.
        assertEquals(rows[first].split("👍🏽").length - 1, 11);
        assertMatch(rows[first + 1], /^ {13}end$/);
      } finally {
        carol.close();
      }

      // At 12 columns the status bar is cut to one row, the input line below it.
      await alice.resize(12, 10);
      await alice.type("ok");
      const narrow = await alice.waitFor((rows) =>
        rows.length === 10 && rows.at(-1) === "› ok" && rows.at(-2)!.startsWith(" 1 here")
      );
      assertEquals(narrow.at(-2), " 1 here | /h");
      assert(narrow.every((row) => row.length <= 12), narrow.join("\n"));
    });
  },
});

Deno.test({
  name:
    `a run of joins and leaves is folded into one line; /filter joins on hides them, and is remembered${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux }) => {
      const alice = await join(tmux, "alice", port, { columns: 80, rows: 20 });
      await alice.waitFor("Welcome, alice!");
      const bots: LineClient[] = [];
      try {
        for (let i = 1; i <= 10; i++) bots.push((await LineClient.join(port, `bot${i}`)).client);
        const joined = await alice.waitFor("bot1, bot2 and 8 others joined (11 here)");
        assertEquals(count(joined, "joined"), 1, joined.join("\n"));
        for (const bot of bots.splice(0, 2)) bot.close();
        const left = await alice.waitFor(
          "and 6 others joined; bot1 and bot2 came and went (9 here)",
        );
        assertEquals(count(left, "bot1"), 1, left.join("\n"));
        // A message ends the run; the next join starts a line of its own.
        await bots[0].say("hello from bot3");
        await alice.waitFor("bot3: hello from bot3");
        bots.push((await LineClient.join(port, "carol")).client);
        await alice.waitFor(/^\d\d:\d\d -- carol joined \(10 here\)$/m);

        await alice.type("/filter joins on");
        await alice.press("Enter");
        await alice.waitFor("Joins and leaves are hidden.");
        bots.push((await LineClient.join(port, "dave")).client);
        await bots.at(-1)!.say("dave is here");
        const hidden = await alice.waitFor("dave: dave is here");
        assert(!hidden.join("\n").includes("dave joined"), hidden.join("\n"));
        await alice.type("/quit");
        await alice.press("Enter");
        await alice.waitFor("[tty:icanon echo exit 0]");
      } finally {
        for (const bot of bots) bot.close();
      }
      const again = await join(tmux, "alice2", port, { columns: 80, rows: 20 });
      await again.waitFor("Welcome, alice2!");
      await again.type("/filter");
      await again.press("Enter");
      await again.waitFor("Joins and leaves are hidden.");
    });
  },
});

Deno.test({
  name:
    `attention: the title shows the room and the unread count; mentions and private messages notify in the background; /notify, /ignore, /away${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux }) => {
      const alice = await join(tmux, "alice", port, { columns: 80, rows: 20 });
      await alice.waitFor("Welcome, alice!");
      // Everything the client writes, escape sequences included.
      const raw = await Deno.makeTempFile({ prefix: "chat-e2e-raw-" });
      await tmux.tmux("pipe-pane", "-o", "-t", "alice", `cat >> ${quote(raw)}`);
      const written = () => Deno.readTextFile(raw);
      const waitForTitle = async (title: string) => {
        const deadline = Date.now() + 10_000;
        while (await alice.format("#{pane_title}") !== title) {
          assert(Date.now() < deadline, `the title stayed ${await alice.format("#{pane_title}")}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      const room = `127.0.0.1:${port}`;
      await waitForTitle(`${room} — chat`);
      const { client: carol } = await LineClient.join(port, "carol");
      try {
        await focus(alice, false); // the window goes to the background
        await carol.say("hi alice, lunch?");
        await alice.waitFor("carol: hi alice, lunch?");
        await waitForTitle(`(1) ${room} — chat`);
        await carol.say("anyone else?");
        await alice.waitFor("carol: anyone else?");
        await waitForTitle(`(2) ${room} — chat`);
        await carol.say("/msg alice psst");
        // In a window of its own, listed in the status bar as calling for alice.
        await alice.waitFor(/ @carol 1! \| 2 here/);
        await waitForTitle(`(3) ${room} — chat`);
        const notified = await written();
        assert(notified.includes("\x1b]9;carol: hi alice, lunch?\x07"), JSON.stringify(notified));
        assert(notified.includes("\x1b]9;carol (private): psst\x07"), "a private message notifies");
        assert(!notified.includes("anyone else?\x07"), "a message without a mention does not");
        await focus(alice, true); // back
        await waitForTitle(`${room} — chat`);

        // /notify all: every message; /notify off: none.
        await alice.type("/notify all");
        await alice.press("Enter");
        await alice.waitFor("Desktop notifications for every message");
        await focus(alice, false);
        await carol.say("plain news");
        await alice.waitFor("carol: plain news");
        await focus(alice, true);
        await alice.type("/notify off");
        await alice.press("Enter");
        await alice.waitFor("No desktop notifications.");
        await focus(alice, false);
        await carol.say("alice: quiet now");
        await alice.waitFor("carol: alice: quiet now");
        const later = await written();
        assert(later.includes("\x1b]9;carol: plain news\x07"), "notify all");
        assert(!later.includes("quiet now\x07"), "notify off");
        await focus(alice, true);

        // /ignore hides what someone writes; /unignore shows it again.
        await alice.type("/ignore carol");
        await alice.press("Enter");
        await alice.waitFor("Ignoring carol");
        await carol.say("you cannot see this");
        await carol.say("/msg alice nor this");
        const shared = await upload(carol, port, "spam.bin", new Uint8Array(10));
        assertEquals(shared.status, 201, "carol's file was shared");
        await alice.type("/who");
        await alice.press("Enter");
        const ignoring = await alice.waitFor("2 here: alice, carol");
        assert(!ignoring.join("\n").includes("see this"), ignoring.join("\n"));
        assert(!ignoring.join("\n").includes("nor this"), ignoring.join("\n"));
        assert(!ignoring.join("\n").includes("spam.bin"), ignoring.join("\n"));
        await alice.type("/unignore carol");
        await alice.press("Enter");
        await alice.waitFor("No longer ignoring carol.");
        await carol.say("visible again");
        await alice.waitFor("carol: visible again");

        // /away: shown in /who, and an automatic reply to private messages.
        await alice.type("/away out for lunch");
        await alice.press("Enter");
        await alice.waitFor('You are marked away ("out for lunch")');
        await alice.type("/who");
        await alice.press("Enter");
        await alice.waitFor("2 here: alice (away: out for lunch), carol");
        await carol.say("/msg alice ping");
        const answer = await carol.nextFrame((f) => f.type === "info");
        assertEquals(answer.text, "alice is away: out for lunch");
      } finally {
        carol.close();
        await Deno.remove(raw);
      }
    });
  },
});
