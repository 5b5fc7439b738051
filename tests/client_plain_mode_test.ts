/**
 * `chat join` as a plain line-oriented program (stdin and stdout are pipes):
 * the real program in a subprocess, against a real server.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { reservePort, runChat, spawnChat } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";
import { send, withScriptedServer } from "./support/scripted_server.ts";
import { withServer } from "./support/test_server.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { LineDecoder } from "../src/protocol/line_decoder.ts";

Deno.test("piped lines are sent, commands work, and events print as plain lines", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "build finished\n/me beeps\n/msg alice psst\n/dance\n",
    });
    assertEquals(result.code, 1, "the unknown /dance was not delivered: " + result.stderr);
    assertEquals(result.stderr, "");
    const lines = result.stdout.split("\n");
    assert(lines.some((l) => l.startsWith("-- Welcome, bot! 2 here: alice, bot.")), result.stdout);
    for (
      const expected of [
        /^\[\d\d:\d\d\] bot: build finished$/,
        /^\[\d\d:\d\d\] \* bot beeps$/,
        /^\[\d\d:\d\d\] \(private\) bot -> alice: psst$/,
        /^!! There is no \/dance command\. Type \/help for the list\.$/,
      ]
    ) {
      assert(lines.some((l) => expected.test(l)), `no line matches ${expected}:\n${result.stdout}`);
    }
    assert(!result.stdout.includes("\x1b"), "no escape sequences in plain mode");
    const said = await alice.nextFrame((f) => f.type === "message" && f.from === "bot");
    assertEquals(said.text, "build finished");
    const whisper = await alice.nextFrame((f) => f.type === "private");
    assertEquals([whisper.from, whisper.text], ["bot", "psst"]);
    const left = await alice.nextFrame((f) => f.type === "leave");
    assertEquals(left.name, "bot");
    alice.close();
  });
});

Deno.test("/quit REASON leaves with the reason, shown to the others as the member's own", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "done here\n/quit gone fishing\n",
    });
    assertEquals(result.code, 0, result.stderr);
    const left = await alice.nextFrame((f) => f.type === "leave");
    assertEquals([left.name, left.kind, left.reason], ["bot", "quit", "gone fishing"]);
    alice.close();
  });
});

Deno.test("without --name the first line is the name; a taken name is asked again", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const child = spawnChat(["join", `127.0.0.1:${port}`]);
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("ALICE\n"));
    await writer.write(new TextEncoder().encode("carol\nhi all\n"));
    await writer.close();
    const { code, stdout } = await child.output();
    const text = new TextDecoder().decode(stdout);
    assertEquals(code, 0);
    assertMatch(
      text,
      /^Type your name:\n!! Someone here is already called "alice"\. Pick another name\.\nType another name:\n-- Welcome, carol!/,
    );
    assertMatch(text, /\] carol: hi all\n/);
    await alice.nextFrame((f) => f.type === "message" && f.from === "carol");
    const joins = alice.transcript.filter((l) => l.includes('"type":"join"'));
    assertEquals(joins.length, 2, `alice and carol joined, nobody else: ${joins.join("\n")}`);
    alice.close();
  });
});

Deno.test("a hostile server cannot get escape sequences or controls onto the output", async () => {
  await withScriptedServer(async (_number, hello, conn) => {
    await send(
      conn,
      {
        type: "welcome",
        version: 2,
        name: hello.name as string,
        members: ["\x1b[2Jeve", "bot"],
        history: [{
          type: "message",
          id: 1,
          ts: 0,
          from: "eve\x1b]0;title\x07",
          text: "\x1b[31mred\x9b1m\u202eevil\x07",
        }],
        catchUp: false,
        session: "s",
        room: "r",
        log: "r",
        motd: "\x1bP+q\x1b\\motd\x1b[?1049h",
        limits: { maxMessageChars: 4000, maxLineBytes: 16384 },
      },
      { type: "notice", id: 2, ts: 0, text: "\x1b[6nping\r\x1b[1Aover" },
      { type: "bye", code: "kicked", message: "bye\x1b[0m" },
    );
    conn.close();
  }, async (port) => {
    // stdin stays open: the program ends because the server says goodbye.
    const child = spawnChat(["join", "--name", "bot", `127.0.0.1:${port}`]);
    const stdin = child.stdin.getWriter();
    const [stdout, status] = await Promise.all([new Response(child.stdout).text(), child.status]);
    await new Response(child.stderr).text();
    await stdin.close().catch(() => {});
    const result = { code: status.code, stdout };
    // deno-lint-ignore no-control-regex -- looking for control characters is the point
    const unsafe = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
    const controls = result.stdout.match(unsafe);
    assertEquals(controls, null, JSON.stringify(result.stdout));
    assertMatch(result.stdout, /\] eve: redevil\n/);
    assertMatch(result.stdout, /\] -- ping\n +over\n/);
    assertMatch(result.stdout, /\n-- bye\n$/);
    assertEquals(result.code, 1, "being kicked is a failure");
  });
});

Deno.test("in two rooms, plain lines say which room; typed lines go to the room /join or /switch went to", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "one room\n/join #homework\nin homework\n/join #general\nback in general\n" +
        "/switch #homework\nhomework again\n",
    });
    assertEquals(result.code, 0, result.stderr);
    const lines = result.stdout.split("\n");
    for (
      const expected of [
        // (In one room no room is said: see "piped lines are sent, …" above.)
        /^\[#general\] \[\d\d:\d\d\] bot: one room$/,
        /^-- You are now in #homework\. 1 here: bot\.$/,
        /^\[#homework\] \[\d\d:\d\d\] bot: in homework$/,
        /^\[#general\] \[\d\d:\d\d\] bot: back in general$/,
        /^\[#homework\] \[\d\d:\d\d\] bot: homework again$/,
      ]
    ) {
      assert(lines.some((l) => expected.test(l)), `${expected} in:\n${result.stdout}`);
    }
    const heard = await alice.nextFrame((f) => f.type === "message" && f.from === "bot", 5000);
    assertEquals(heard.text, "one room");
    const next = await alice.nextFrame((f) => f.type === "message" && f.from === "bot", 5000);
    assertEquals(next.text, "back in general", "what was said in #homework stays there");
    alice.close();
  });
});

Deno.test("an unreachable server: one clear sentence, exit 1, no stack trace", async () => {
  const port = reservePort();
  const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`]);
  assertEquals(result.code, 1);
  assertEquals(
    result.stderr,
    `Can't reach 127.0.0.1:${port} (connection refused). Is "chat serve" running there?\n`,
  );
  assertEquals(result.stdout, "");
});

Deno.test("usage mistakes exit 2 with a hint", async () => {
  for (
    const [args, message] of [
      [["join", "--port", "x"], /--port must be a whole number/],
      [["join", "--name", "server"], /--name: "server" is reserved/],
      [["join", "--name", "a b"], /--name: Names can't contain spaces/],
      [["join", "host:99999"], /The port in "host:99999" must be a number from 1 to 65535/],
      [["join", "--bogus"], /Unknown option --bogus/],
      [["join", "a", "b"], /Unexpected argument "b"/],
    ] as const
  ) {
    const result = await runChat([...args], { input: "" });
    assertEquals(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assertMatch(result.stderr, message);
    assertMatch(result.stderr, /Run "chat join --help" for usage\./);
  }
});

Deno.test("a room password comes from CHAT_PASSWORD, or from the first line when no --name is given", async () => {
  await withServer(async (_server, port) => {
    const withEnv = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "in with the env\n",
      env: { CHAT_PASSWORD: "s3cret" },
    });
    assertEquals(withEnv.code, 0, withEnv.stderr);
    assertMatch(withEnv.stdout, /\] bot: in with the env\n/);

    const typed = await runChat(["join", `127.0.0.1:${port}`], {
      input: "bot\ns3cret\nin by typing it\n",
    });
    assertEquals(typed.code, 0, typed.stderr);
    assertMatch(
      typed.stdout,
      /^Type your name:\n!! This room needs a password\. .*\nType the password:\n/,
    );
    assertMatch(typed.stdout, /-- Welcome, bot!/);
    assertMatch(typed.stdout, /\] bot: in by typing it\n/);
    assert(!typed.stdout.includes("] bot: s3cret"), "the password is not sent as chat");

    // With --name, input lines are messages: none is eaten as a password (nor sent as a guess).
    const scripted = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "deploy-done\n",
    });
    assertEquals(scripted.code, 1, scripted.stdout);
    assertEquals(
      scripted.stderr,
      "This room needs a password. Set CHAT_PASSWORD to the room's password: with --name, input lines are messages.\n",
    );
    assert(!scripted.stdout.includes("deploy-done"), scripted.stdout);

    const silent = await runChat(["join", `127.0.0.1:${port}`], { input: "bot\n" });
    assertEquals(silent.code, 1, "no input to answer with: it gives up instead of hanging");
    assertEquals(
      silent.stderr,
      "The input ended before the question was answered, so nothing was sent.\n",
      "one sentence, once, no internal error text",
    );
  }, { password: "s3cret" });
});

/** Stdout of a running `chat join`, collected as it comes, with a way to wait for a line. */
function watch(child: Deno.ChildProcess) {
  let text = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) text += decoder.decode(chunk, { stream: true });
  })();
  return {
    text: () => text,
    async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) {
          throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    done: reading,
  };
}

/** The numbers of bob's `mN` lines, in the order printed. */
function numbersSaid(lines: string[]): number[] {
  return lines.flatMap((line) => {
    const match = line.match(/^\[\d\d:\d\d\] bob: m(\d+)$/);
    return match ? [Number(match[1])] : [];
  });
}

/**
 * Runs `body` against a server that lets members talk fast, with a data
 * directory of its own for the `chat join` runs (`env`), so their saved
 * places start empty.
 */
function withRoomAndDataDir(
  body: (room: { port: number; address: string; env: Record<string, string> }) => Promise<void>,
): Promise<void> {
  return withTempDir((dataDir) =>
    withServer(
      (_server, port) =>
        body({ port, address: `127.0.0.1:${port}`, env: { CHAT_DATA_DIR: dataDir } }),
      { limits: { rateBurst: 10_000, ratePerSecond: 10_000 } },
    )
  );
}

Deno.test("joining again with the same name shows exactly what was missed under a marker, then live ones", async () => {
  await withRoomAndDataDir(async ({ port, address, env }) => {
    const { client: bob } = await LineClient.join(port, "bob");
    const first = await runChat(["join", "--name", "alice", address], {
      input: "back in five\n",
      env,
    });
    assertEquals(first.code, 0, first.stderr);
    await bob.nextFrame((f) => f.type === "leave" && f.name === "alice");

    // Bob keeps talking while alice is away, while she joins again, and after.
    const talker = bob.keepTalking(20);
    await bob.nextFrame((f) => f.type === "message" && f.text === "m5");
    const child = spawnChat(["join", "--name", "alice", address], env);
    const output = watch(child);
    await output.waitFor(/\] -- alice joined .*\n(.*\n){3}/);
    const last = await talker.stop();
    await output.waitFor(new RegExp(`\\] bob: m${last}\\n`));
    await child.stdin.close();
    assertEquals((await child.status).code, 0);
    await output.done;

    const lines = output.text().split("\n");
    const marker = lines.findIndex((l) => /^-- \d+ new messages? since you left:$/.test(l));
    const ownJoin = lines.findIndex((l) => /^\[\d\d:\d\d\] -- alice joined/.test(l));
    assert(marker > 0 && ownJoin > marker, output.text());
    const missed = Number(lines[marker].match(/\d+/)![0]);
    assert(missed >= 5, `${missed} missed`);
    // Between the marker and alice's own join: exactly the missed messages, m1 first.
    assertEquals(numbersSaid(lines.slice(marker + 1, ownJoin)), range(1, missed));
    assertEquals(lines.slice(marker + 1, ownJoin).length, missed, "nothing else in the catch-up");
    // After it, the live ones: no duplicate, no gap, up to the last.
    assertEquals(numbersSaid(lines.slice(ownJoin)), range(missed + 1, last));
    assert(!output.text().includes("back in five"), "what the first run saw is not repeated");
    bob.close();
  });
});

Deno.test("a private message sent while you were away is delivered on the next join, with sender and time", async () => {
  await withRoomAndDataDir(async ({ port, address, env }) => {
    const first = await runChat(["join", "--name", "alice", address], { input: "hi\n", env });
    assertEquals(first.code, 0, first.stderr);

    const { client: bob } = await LineClient.join(port, "bob");
    await bob.say("/msg alice see you at 5");
    const kept = await bob.nextFrame((f) => f.type === "info");
    assertMatch(kept.text, /alice is not here now; they will get your message/);

    const again = await runChat(["join", "--name", "alice", address], { input: "", env });
    assertEquals(again.code, 0, again.stderr);
    assertMatch(
      again.stdout,
      /\n-- 1 new message since you left:\n\[\d\d:\d\d\] -- bob joined\n\[\d\d:\d\d\] \(private\) bob -> alice: see you at 5\n/,
    );
    assertMatch(
      again.stdout,
      /\n-- While you were away, bob sent you a private message \(shown above\)\.\n/,
    );

    // Someone else taking the name later does not get it.
    const stranger = await runChat(["join", "--name", "alice", address], { input: "" });
    assertEquals(stranger.code, 0, stranger.stderr);
    assertMatch(stranger.stdout, /-- Welcome, alice!/);
    assert(!stranger.stdout.includes("see you at 5"), stranger.stdout);
    bob.close();
  });
});

Deno.test("a damaged sessions file: chat join starts fresh, and the next join catches up", async () => {
  await withRoomAndDataDir(async ({ port, address, env }) => {
    const { client: bob } = await LineClient.join(port, "bob");
    await bob.say("said earlier");
    const file = `${env.CHAT_DATA_DIR}/sessions.json`;
    Deno.writeTextFileSync(file, '{"version":1,"sessions":{"x":');

    const fresh = await runChat(["join", "--name", "alice", address], { input: "hi\n", env });
    assertEquals(fresh.code, 0, fresh.stderr);
    assertEquals(fresh.stderr, "");
    assertMatch(
      fresh.stdout,
      /\n-- Earlier in this room \(1\):\n\[\d\d:\d\d\] bob: said earlier\n-- End of earlier messages\.\n/,
    );
    const saved = JSON.parse(Deno.readTextFileSync(file));
    assertEquals(Object.keys(saved.sessions), [`${address} alice`]);

    const again = await runChat(["join", "--name", "alice", address], { input: "", env });
    assertEquals(again.code, 0, again.stderr);
    assertMatch(again.stdout, /\n-- No new messages since you left\.\n/);
    assert(!again.stdout.includes("said earlier"), again.stdout);
    bob.close();
  });
});

Deno.test("a catch-up shows joins and leaves without the member count of their time", async () => {
  await withRoomAndDataDir(async ({ port, address, env }) => {
    const first = await runChat(["join", "--name", "alice", address], { input: "", env });
    assertEquals(first.code, 0, first.stderr);
    const { client: bob } = await LineClient.join(port, "bob");
    await bob.say("while alice was away");
    await bob.sendFrame({ type: "quit" });
    await bob.waitForClose(); // the server has recorded the leave

    const back = await runChat(["join", "--name", "alice", address], { input: "", env });
    assertEquals(back.code, 0, back.stderr);
    assertMatch(back.stdout, /\n\[\d\d:\d\d\] -- bob joined\n/);
    assertMatch(back.stdout, /\n\[\d\d:\d\d\] -- bob left\n/, "not '(0 here)' while alice is in");
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

Deno.test("a local answer to the last line is printed before the leave notice", async () => {
  // The server answers the quit before the pings that keep local answers in order (a quit can
  // overtake them): the pending answers are released as the connection ends, and the leave
  // notice must still come after them.
  await withScriptedServer(async (_number, hello, conn) => {
    await send(conn, {
      type: "welcome",
      version: 2,
      name: hello.name as string,
      members: [hello.name as string],
      history: [],
      catchUp: false,
      session: "s",
      room: "r",
      log: "r",
      limits: { maxMessageChars: 4000, maxLineBytes: 16384 },
    });
    const decoder = new LineDecoder(1 << 20);
    const buffer = new Uint8Array(4096);
    for (let quit = false; !quit;) {
      const count = await conn.read(buffer);
      if (count === null) return;
      const lines = decoder.push(buffer.subarray(0, count)).lines;
      quit = lines.some((line) => JSON.parse(line).type === "quit");
    }
    await send(conn, { type: "bye", code: "quit", message: "You left the chat." });
    conn.close();
  }, async (port) => {
    const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "/bogus\n/help\n",
    });
    const lines = result.stdout.split("\n");
    const help = lines.findIndex((l) => l.startsWith("-- Commands:"));
    const left = lines.findIndex((l) => l.startsWith("-- You left the chat"));
    assert(help >= 0 && left > help, result.stdout);
    assertEquals(result.code, 1, "the unknown /bogus was not delivered");
  });
});
