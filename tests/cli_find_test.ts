/**
 * `chat find` and the discovery flags on the command line: help and usage
 * errors, which end before any socket is opened (tests/lan_discovery_test.ts
 * runs the real search inside network namespaces).
 */

import { assertEquals, assertMatch } from "./support/assert.ts";
import { runChat } from "./support/chat_process.ts";
import { roomJoinCommands } from "../src/cli/join_discovery.ts";

Deno.test("chat find --help, and find in chat --help", async () => {
  const help = await runChat(["find", "--help"]);
  assertEquals(help.code, 0);
  assertMatch(help.stdout, /^Usage: chat find \[options\]/);
  for (const flag of ["--json", "--watch", "--help"]) assertMatch(help.stdout, new RegExp(flag));
  const main = await runChat(["--help"]);
  assertMatch(main.stdout, /chat find \[options\] +list the rooms on the local network/);
  const serve = await runChat(["serve", "--help"]);
  assertMatch(serve.stdout, /--name TEXT/);
  assertMatch(serve.stdout, /--no-announce/);
});

Deno.test("chat find and the announcing flags: usage errors exit 2 with a hint", async () => {
  for (
    const [args, message] of [
      [["find", "--bogus"], /^Unknown option --bogus\.\nRun "chat find --help" for usage\.\n$/],
      [["find", "somewhere"], /^Unexpected argument "somewhere"\./],
      [["serve", "--name", " "], /^--name must be 1 to 60 characters/],
      [["serve", "--no-announce=yes"], /--no-announce/],
      [["nope"], /the commands are "serve", "join" and "find"/],
    ] as const
  ) {
    const run = await runChat([...args]);
    assertEquals(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assertMatch(run.stderr, message);
  }
});

Deno.test("several rooms in a pipe: a command per room that joins it (TLS with its pin), in a column", () => {
  const room = { addresses: [], password: false, tls: false, instance: "x" };
  const lines = roomJoinCommands([
    { ...room, name: "Alice's room", address: "127.0.0.1", port: 53000 },
    {
      ...room,
      name: "kitchen",
      address: "127.0.0.1",
      port: 53002,
      tls: true,
      fingerprint: "SHA256:abc",
    },
  ], "chat join");
  assertEquals(lines, [
    "  chat join 127.0.0.1                                       Alice's room",
    "  chat join --tls --fingerprint SHA256:abc 127.0.0.1:53002  kitchen",
  ]);
});
