/**
 * Plain mode (`chat join` with pipes) delivers every line or exits non-zero:
 * paced to the room's rate limit, refused names and lines are errors, local
 * output keeps its place, and a server that is not a chat room is named as
 * such. The real program in a subprocess, against real servers.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { runChat, spawnChat } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { withRawServer } from "./support/scripted_server.ts";

Deno.test("a pipe longer than the rate limit is delivered completely and in order, exit 0", async () => {
  // A burst of 10 and 60 a second: 300 lines are far over the burst (and over the 200 lines the
  // client holds unsent before it pauses reading), and the test stays quick. The pacer keeps a
  // margin of the rate for jitter on the way; a burst this size leaves that margin room to act
  // on a loaded machine (a burst of 4 at 100 a second left it 30 ms).
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const input = Array.from({ length: 300 }, (_, i) => `bulk line ${i + 1}\n`).join("");
    const result = await runChat(["join", "--name", "bulkbot", `127.0.0.1:${port}`], { input });
    assertEquals(result.code, 0, result.stdout + result.stderr);
    assert(!result.stdout.includes("too fast"), result.stdout);
    for (let i = 1; i <= 300; i++) {
      const said = await alice.nextFrame((f) => f.type === "message" && f.from === "bulkbot");
      assertEquals(said.text, `bulk line ${i}`);
    }
    const left = await alice.nextFrame((f) => f.type === "leave");
    assertEquals([left.name, left.reason], ["bulkbot", undefined], "left politely, with /quit");
    alice.close();
  }, { limits: { rateBurst: 10, ratePerSecond: 60 } });
});

Deno.test("a line the server refuses makes the exit code 1", async () => {
  await withServer(async (_server, port) => {
    const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "short\nthis message is longer than the room allows\n",
    });
    assertEquals(result.code, 1, result.stdout + result.stderr);
    assertMatch(result.stdout, /!! That message has 43 characters; the limit is 20\./);
  }, { limits: { maxMessageChars: 20 } });
});

Deno.test("with --name a refused name is an error, never a prompt that takes input lines as names", async () => {
  await withServer(async (_server, port) => {
    const { client: taken } = await LineClient.join(port, "ci-bot");
    const result = await runChat(["join", "--name", "CI-bot", `127.0.0.1:${port}`], {
      input: "deploy-done\n",
    });
    assertEquals(result.code, 1);
    assertEquals(result.stdout, "");
    assertEquals(result.stderr, 'Someone here is already called "ci-bot". Pick another name.\n');
    const { client: check } = await LineClient.join(port, "checker");
    const welcome = check.transcript.map((l) => JSON.parse(l)).find((f) => f.type === "welcome");
    assertEquals(welcome.members, ["checker", "ci-bot"], "nobody joined as deploy-done");
    check.close();
    taken.close();
  });
});

Deno.test("no name and no input: exit 1 with 'no name given'", async () => {
  await withServer(async (_server, port) => {
    const result = await runChat(["join", `127.0.0.1:${port}`], { input: "" });
    assertEquals(result.code, 1);
    assertMatch(result.stderr, /^No name given/);
  });
});

Deno.test("a local error comes after the reply to a command typed before it", async () => {
  await withServer(async (_server, port) => {
    const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "/who\n/bogus\n",
    });
    const lines = result.stdout.split("\n");
    const who = lines.findIndex((l) => l.startsWith("-- 1 here: bot"));
    const bogus = lines.findIndex((l) => l.startsWith("!! There is no /bogus command"));
    assert(who >= 0 && bogus > who, result.stdout);
    assertEquals(result.code, 1, "an unknown command was not delivered");
  });
});

Deno.test("a line over the room's message limit is refused here; the lines after it still go", async () => {
  await withServer(async (_server, port) => {
    const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: `before\n${"z".repeat(20_000)}\nafter\n`,
    });
    assertEquals(result.code, 1, "a line was not delivered");
    assertEquals(result.stderr, "");
    assertMatch(result.stdout, /\] bot: before\n/);
    assertMatch(
      result.stdout,
      /\n!! That message has 20000 characters; the limit is 4000\. It was not sent\.\n/,
    );
    assertMatch(result.stdout, /\] bot: after\n/);
    assertMatch(result.stdout, /\n-- You left the chat\.\n$/);
  });
});

Deno.test("a server greeting in another protocol: named, said once, exit 1", async () => {
  const greeting = "Salve! Digita il tuo Nome e premi invio!";
  await withRawServer(async (conn) => {
    await conn.write(new TextEncoder().encode(greeting)); // the seed's server: no newline
    await conn.read(new Uint8Array(1024));
  }, async (port) => {
    const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "hello\n",
    });
    assertEquals(result.code, 1);
    assertEquals(result.stdout, "");
    assertEquals(
      result.stderr,
      `127.0.0.1:${port} answered but is not a chat room (it said "Salve! Digita il…"). ` +
        'Check the address and port of the "chat serve" you mean.\n',
    );
  });
});

Deno.test("a server that accepts and says nothing: named within seconds, exit 1", async () => {
  await withRawServer(async (conn) => {
    await conn.read(new Uint8Array(1024));
    await conn.read(new Uint8Array(1024));
  }, async (port) => {
    const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "hello\n",
    });
    assertEquals(result.code, 1);
    assertMatch(result.stderr, /^127\.0\.0\.1:\d+ accepted the connection but said nothing/);
    assertEquals(result.stderr.split("\n").length, 2, "one line, once");
  });
});

Deno.test("plain mode takes a name over from another window only with --take-over", async () => {
  await withTempDir(async (dataDir) => {
    await withServer(async (server, port) => {
      const env = { CHAT_DATA_DIR: dataDir };
      const first = spawnChat(["join", "--name", "bot", `127.0.0.1:${port}`], env);
      const deadline = Date.now() + 10_000;
      while (
        !(await Deno.readTextFile(`${dataDir}/sessions.json`).catch(() => "")).includes("bot")
      ) {
        assert(Date.now() < deadline, "the first bot never saved its place");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const asked = await runChat(["join", "--name", "BOT", `127.0.0.1:${port}`], {
        input: "hello\n",
        env,
      });
      assertEquals(asked.code, 1);
      assertEquals(
        asked.stderr,
        "bot is open in another window; join with --take-over to take it over here.\n",
      );
      assertEquals(server.room.size, 1);
      const took = await runChat(["join", "--name", "bot", "--take-over", `127.0.0.1:${port}`], {
        input: "taken over\n",
        env,
      });
      assertEquals(took.code, 0, took.stderr);
      assertMatch(took.stdout, /\] bot: taken over\n/);
      const replaced = await first.output();
      assertEquals(replaced.code, 1, "the first window was told and ended");
      assertMatch(new TextDecoder().decode(replaced.stdout), /taken over by a new connection/);
    });
  });
});

Deno.test("an input line over 1 MiB ends the input there: said, exit 1, nothing after it sent", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const input = `before\n${"x".repeat(1024 * 1024 + 10)}\nafter\n`;
    const result = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], { input });
    assertEquals(result.code, 1, result.stdout + result.stderr);
    assertMatch(
      result.stdout,
      /!! An input line is over 1048576 bytes; nothing after it is read\./,
    );
    const said = await alice.nextFrame((f) => f.type === "message" && f.from === "bot");
    assertEquals(said.text, "before");
    await alice.nextFrame((f) => f.type === "leave" && f.name === "bot");
    const heard = alice.transcript.filter((line) => line.includes('"from":"bot"'));
    assertEquals(heard.length, 1, "only the line before it was sent");
    alice.close();
  });
});
