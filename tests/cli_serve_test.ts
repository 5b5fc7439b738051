/**
 * `chat` as a user runs it: a subprocess with real arguments, real exit codes
 * and real signals.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { runChat, startServe } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { SERVE_OPTIONS } from "../src/cli/serve_command.ts";
import { JOIN_OPTIONS } from "../src/cli/join_command.ts";
import type { OptionSpec } from "../src/cli/args.ts";
import { banner, joinCommandName } from "../src/cli/serve_banner.ts";

Deno.test("chat serve as a subprocess: a structured and a plain client chat through it", async () => {
  const server = await startServe();
  try {
    // Started from source: the command that works here is the task, not the binary.
    assertMatch(
      server.output(),
      /On this computer: deno task join --name YOURNAME 127\.0\.0\.1:\d+/,
    );
    const { client: alice } = await LineClient.join(server.port, "alice");
    const plain = await LineClient.connect(server.port);
    await plain.nextLine((l) => l.startsWith("Welcome to chat!"));
    await plain.sendLine("bob");
    await plain.nextLine((l) => l.startsWith("-- Welcome, bob!"));
    await alice.say("hello bob");
    assertMatch(await plain.nextLine((l) => l.includes("alice:")), /alice: hello bob$/);
    await plain.sendLine("hi alice");
    assertEquals(
      (await alice.nextFrame((f) => f.type === "message" && f.from === "bob")).text,
      "hi alice",
    );
    alice.close();
    plain.close();
  } finally {
    await server.stop();
  }
});

Deno.test({
  name: "chat serve exits 0 on SIGTERM after telling every client",
  ignore: Deno.build.os === "windows",
  async fn() {
    const server = await startServe();
    const { client } = await LineClient.join(server.port, "alice");
    const status = await server.stop();
    assertEquals(status.code, 0);
    const bye = await client.nextFrame((f) => f.type === "bye");
    assertEquals(bye.code, "shutdown");
    await client.waitForClose();
    client.close();
    assertMatch(server.output(), /Stopped\./);
  },
});

Deno.test("chat --help, chat serve --help and chat --version", async () => {
  const help = await runChat(["--help"]);
  assertEquals(help.code, 0);
  assertMatch(help.stdout, /chat serve/);
  assertMatch(help.stdout, /chat join/);
  const serveHelp = await runChat(["serve", "--help"]);
  assertEquals(serveHelp.code, 0);
  assertMatch(serveHelp.stdout, /--port PORT/);
  const version = await runChat(["--version"]);
  assertEquals(version.code, 0);
  assertMatch(version.stdout, /^chat \d+\.\d+\.\d+ \(\S+-\S+\)\n$/);
});

Deno.test("usage errors exit 2 with a one-line hint", async () => {
  for (
    const [args, message] of [
      [[], /Missing command/],
      [["dance"], /Unknown command "dance"/],
      [["--bogus"], /Unknown option "--bogus"/],
      [["serve", "--bogus"], /Unknown option --bogus\./],
      [["serve", "--port"], /Option --port needs a value\./],
      [["serve", "--port", "99999"], /--port must be a whole number from 0 to 65535/],
      [["serve", "extra"], /Unexpected argument "extra"/],
      [["serve", "--history-limit", "-5"], /--history-limit must be a whole number from 1 to/],
      [["serve", "-p", "-1"], /--port must be a whole number from 0 to 65535, not "-1"/],
      [["serve", "--rate-limit", "-3"], /--rate-limit must be a whole number from 1 to/],
      [["join", "--port", "-2"], /--port must be a whole number from 1 to 65535, not "-2"/],
    ] as Array<[string[], RegExp]>
  ) {
    const run = await runChat(args);
    assertEquals(run.code, 2, `exit code for ${args.join(" ")}`);
    assertMatch(run.stderr, message);
    assertMatch(run.stderr, /Run "chat( serve| join)? --help" for usage\./);
    assertEquals(run.stderr.trim().split("\n").length, 2, run.stderr);
    assertEquals(run.stdout, "");
  }
});

Deno.test("a port already in use is a clear error with exit 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const run = await runChat([
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      String(listener.addr.port),
    ]);
    assertEquals(run.code, 1);
    assertMatch(run.stderr, /^Port \d+ is already in use .* choose another port with --port\.\n$/);
    assert(!run.stderr.includes("    at "), "no stack trace");
  } finally {
    listener.close();
  }
});

Deno.test("chat serve --password and CHAT_PASSWORD protect the room", async () => {
  for (
    const setup of [{ args: ["--password", "hunter22"] }, { env: { CHAT_PASSWORD: "hunter22" } }]
  ) {
    const server = await startServe(setup.args ?? [], { env: setup.env });
    try {
      assertMatch(server.output(), /It needs the password to join\./);
      const client = await LineClient.connect(server.port);
      await client.sendFrame({ type: "hello", version: 2, name: "alice", password: "nope" });
      assertEquals((await client.nextFrame()).code, "wrong_password");
      await client.sendFrame({ type: "hello", version: 2, name: "alice", password: "hunter22" });
      assertEquals((await client.nextFrame()).type, "welcome");
      client.close();
    } finally {
      await server.stop();
    }
  }
});

Deno.test("bad limit values and a bare --password without a terminal are usage errors", async () => {
  const bare = await runChat(["serve", "--password", "--port", "0"]);
  assertEquals(bare.code, 2);
  assertMatch(bare.stderr, /--password needs a value when chat serve is not run in a terminal/);
  const zero = await runChat(["serve", "--rate-limit", "0"]);
  assertEquals(zero.code, 2);
  assertMatch(zero.stderr, /--rate-limit must be a whole number from 1 to/);
  const help = await runChat(["serve", "--help"]);
  for (const flag of ["--max-line-bytes", "--rate-limit", "--max-per-address", "--idle-timeout"]) {
    assertMatch(help.stdout, new RegExp(`${flag} N .*\\(default \\d+\\)`));
  }
});

Deno.test("chat serve --tls keeps its certificate under --data and prints the join command", async () => {
  await withTempDir(async (dir) => {
    const first = await startServe(["--tls", "--data", dir]);
    let fingerprint: string;
    try {
      fingerprint = first.output().match(/Certificate fingerprint: (SHA256:\S+)/)![1];
      assertMatch(
        first.output(),
        new RegExp(
          `deno task join --tls --fingerprint ${
            fingerprint.replace(/[+/]/g, "\\$&")
          } --name YOURNAME 127\\.0\\.0\\.1:\\d+`,
        ),
      );
    } finally {
      await first.stop();
    }
    assert((await Deno.stat(`${dir}/tls/cert.pem`)).isFile);
    const again = await startServe(["--tls", "--data", dir]);
    try {
      assertMatch(
        again.output(),
        new RegExp(`Certificate fingerprint: ${fingerprint.replace(/[+/]/g, "\\$&")}`),
      );
    } finally {
      await again.stop();
    }
  });
});

/** The rows of `help` that document an option, by long name, with their short alias if any. */
function documentedOptions(help: string): Map<string, string | undefined> {
  const rows = help.matchAll(/^ {2}(?:-(\w), | {4})--([\w-]+)/gm);
  return new Map([...rows].map(([, short, long]) => [long, short]));
}

Deno.test("every option chat serve and chat join accept is listed in their --help", async () => {
  for (const [command, options] of [["serve", SERVE_OPTIONS], ["join", JOIN_OPTIONS]] as const) {
    const help = await runChat([command, "--help"]);
    assertEquals(help.code, 0);
    const documented = documentedOptions(help.stdout);
    for (const [name, { short }] of Object.entries(options as OptionSpec)) {
      assert(documented.has(name), `chat ${command} --help does not list --${name}`);
      assertEquals(documented.get(name), short, `chat ${command} --help: short form of --${name}`);
    }
    assertEquals(documented.size, Object.keys(options).length, "no row for an unknown option");
  }
  const serveHelp = documentedOptions((await runChat(["serve", "--help"])).stdout);
  for (const flag of ["tls", "cert", "key", "version"]) assert(serveHelp.has(flag), flag);
});

Deno.test("chat serve --version and chat join -V print the version like chat --version", async () => {
  const expected = (await runChat(["--version"])).stdout;
  for (
    const args of [["serve", "--version"], ["join", "--version"], ["serve", "-V"], ["join", "-V"]]
  ) {
    const run = await runChat(args);
    assertEquals([run.code, run.stdout, run.stderr], [0, expected, ""], args.join(" "));
  }
});

Deno.test("the banner's join command is the binary's when compiled, the task's from source", () => {
  assertEquals(joinCommandName(true), "chat join");
  assertEquals(joinCommandName(false), "deno task join");
  assertEquals(joinCommandName(), "deno task join", "these tests run from source");
  const compiled = banner({ host: "127.0.0.1", port: 53000, joinCommand: joinCommandName(true) });
  assertMatch(compiled, /^On this computer: chat join --name YOURNAME 127\.0\.0\.1$/m);
  const byDefault = banner({ host: "127.0.0.1", port: 6000, fingerprint: "SHA256:abc" });
  assertMatch(byDefault, /^On this computer: chat join --tls --fingerprint SHA256:abc --name /m);
});

Deno.test("a room on a loopback --host offers no command to friends on the network", () => {
  for (const host of ["127.0.0.1", "::1", "localhost"]) {
    const text = banner({ host, port: 6000 });
    assert(!text.includes("Friends on your network"), text);
    assertMatch(
      text,
      new RegExp(`^Only this computer can join \\(it listens on ${host}\\)\\.$`, "m"),
    );
    assertMatch(text, /^On this computer: chat join --name YOURNAME /m);
  }
});
