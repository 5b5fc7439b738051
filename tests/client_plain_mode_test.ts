/**
 * `chat join` as a plain line-oriented program (stdin and stdout are pipes):
 * the real program in a subprocess, against a real server.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { reservePort, runChat, spawnChat } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";
import { send, withScriptedServer } from "./support/scripted_server.ts";
import { withServer } from "./support/test_server.ts";

Deno.test("piped lines are sent, commands work, and events print as plain lines", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "build finished\n/me beeps\n/msg alice psst\n/dance\n",
    });
    assertEquals(result.code, 0, result.stderr);
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

Deno.test("without --name the first line is the name; a taken name is asked again", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const child = spawnChat(["join", `127.0.0.1:${port}`]);
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("ALICE\n"));
    const refused = await alice.nextFrame((f) => f.type === "join" && f.name !== "alice", 300)
      .catch(() => null);
    assertEquals(refused, null, "the taken name did not join");
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
    alice.close();
  });
});

Deno.test("a hostile server cannot get escape sequences or controls onto the output", async () => {
  await withScriptedServer(async (_number, hello, conn) => {
    await send(
      conn,
      {
        type: "welcome",
        version: 1,
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

Deno.test("a room password comes from CHAT_PASSWORD, or from the next line when it is missing", async () => {
  await withServer(async (_server, port) => {
    const withEnv = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "in with the env\n",
      env: { CHAT_PASSWORD: "s3cret" },
    });
    assertEquals(withEnv.code, 0, withEnv.stderr);
    assertMatch(withEnv.stdout, /\] bot: in with the env\n/);

    const typed = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "s3cret\nin by typing it\n",
    });
    assertEquals(typed.code, 0, typed.stderr);
    assertMatch(
      typed.stdout,
      /^!! This room needs a password\. .*\nType the password:\n-- Welcome, bot!/,
    );
    assertMatch(typed.stdout, /\] bot: in by typing it\n/);
    assert(!typed.stdout.includes("] bot: s3cret"), "the password is not sent as chat");

    const silent = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], { input: "" });
    assertEquals(silent.code, 1, "no input to answer with: it gives up instead of hanging");
    assertMatch(silent.stdout, /The input ended before the question was answered; leaving\.\n/);
  }, { password: "s3cret" });
});
