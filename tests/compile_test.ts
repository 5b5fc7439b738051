/**
 * The release build. The real compile test (build this computer's binary,
 * run it from an empty directory: --version, serve, a chat) needs the runtime
 * deno compile embeds; it runs when that runtime is on this machine —
 * DENORT_BIN names an existing file, or Deno's cache holds the runtime zip —
 * and is reported as skipped, with the reason, when not. There is no network
 * probe for dl.deno.land: tests talk to 127.0.0.1 only, and whether a test
 * runs must not depend on the network. CI (.github/workflows) runs
 * `deno task compile --target host` before the tests, which fills the cache.
 */

import { join } from "node:path";
import { binaryRunFlags } from "../src/cli/permissions.ts";
import { VERSION } from "../src/version.ts";
import { CHECKSUM_FILE, sha256File, writeChecksums } from "../scripts/release/checksums.ts";
import { buildTarget, compileArguments, parseCompileArgs } from "../scripts/compile.ts";
import {
  cachedRuntimePath,
  isRuntimeDownloadFailure,
  runtimeContext,
  runtimeSource,
  runtimeUnavailableMessage,
} from "../scripts/release/runtime.ts";
import { ALL_TARGETS, binaryName, hostTarget, selectTargets } from "../scripts/release/targets.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "./support/assert.ts";
import { makeSandbox, SandboxedChat } from "./support/sandboxed_chat.ts";
import { LineClient } from "./support/line_client.ts";
import { reservePort } from "./support/chat_process.ts";

const COMPILE_SCRIPT = new URL("../scripts/compile.ts", import.meta.url);

/** Runs scripts/compile.ts with `args`; returns exit code and output. */
async function runCompileScript(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", COMPILE_SCRIPT.href, ...args],
    stdin: "null",
    env: { NO_COLOR: "1", ...env },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("targets: every deno compile target, Windows with .exe, subsets by name or host", () => {
  assertEquals(ALL_TARGETS.length, 6);
  assertEquals(binaryName("1.2.3", "aarch64-apple-darwin"), "chat-1.2.3-aarch64-apple-darwin");
  assertEquals(
    binaryName("1.2.3", "aarch64-pc-windows-msvc"),
    "chat-1.2.3-aarch64-pc-windows-msvc.exe",
  );
  assertEquals(selectTargets([]), ALL_TARGETS);
  assertEquals(selectTargets(["host"]), [hostTarget()]);
  assertEquals(
    selectTargets(["x86_64-pc-windows-msvc,aarch64-apple-darwin", "aarch64-apple-darwin"]),
    ["aarch64-apple-darwin", "x86_64-pc-windows-msvc"],
  );
  assertThrows(() => selectTargets(["x86_64-windows"]), Error, 'Unknown target "x86_64-windows"');
});

Deno.test("the compile arguments carry exactly the binary's permissions and V8 settings", () => {
  const args = compileArguments("x86_64-unknown-linux-gnu", "/out/chat");
  const flags = binaryRunFlags();
  assertEquals(args.slice(1, 1 + flags.length), flags);
  assert(!args.includes("--allow-all") && !args.includes("-A"));
  assertEquals(args.slice(-4, -1), ["x86_64-unknown-linux-gnu", "--output", "/out/chat"]);
});

Deno.test("DENORT_BIN builds one target: the host by default, never several", () => {
  assertEquals(parseCompileArgs([], "/opt/denort")?.targets, [hostTarget()]);
  assertEquals(parseCompileArgs(["--target", "aarch64-apple-darwin"], "/opt/denort")?.targets, [
    "aarch64-apple-darwin",
  ]);
  assertThrows(
    () => parseCompileArgs(["--target", "aarch64-apple-darwin,x86_64-apple-darwin"], "/x"),
    Error,
    "DENORT_BIN",
  );
  assertEquals(parseCompileArgs([])?.targets, ALL_TARGETS);
  assertEquals(parseCompileArgs(["--help"]), null);
});

Deno.test("the compile script: usage errors exit 2, a missing DENORT_BIN file exits 1 and says so", async () => {
  const unknown = await runCompileScript(["--target", "sparc"]);
  assertEquals(unknown.code, 2, unknown.stderr);
  assertMatch(unknown.stderr, /Unknown target "sparc"/);
  const flag = await runCompileScript(["--frobnicate"]);
  assertEquals(flag.code, 2, flag.stderr);
  const help = await runCompileScript(["--help"]);
  assertEquals(help.code, 0);
  for (const target of ALL_TARGETS) assert(help.stdout.includes(target), target);
  const dir = await Deno.makeTempDir();
  try {
    const missing = join(dir, "no-denort-here");
    const denort = await runCompileScript(["--target", "host", "--out-dir", dir], {
      DENORT_BIN: missing,
    });
    assertEquals(denort.code, 1, denort.stderr);
    assert(denort.stderr.includes(`DENORT_BIN is set to ${missing}, but there is no file there.`));
    assert(!denort.stderr.includes("    at "), "no stack trace");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a runtime download failure is recognised and explained with both offline routes", () => {
  const real =
    "error: Writing deno compile executable to temporary file 'a.tmp-fcb7036bddcd1066'\n\n" +
    "Caused by:\n    0: Setting up base binary.\n" +
    "    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): " +
    "client error (Connect): dns error: failed to lookup address information: Name or service not known\n";
  assert(isRuntimeDownloadFailure(real));
  assert(!isRuntimeDownloadFailure('error: Module not found "file:///x/main.ts".'));
  const context = { denoDir: join("cache", "deno"), denoVersion: "2.9.6" };
  const message = runtimeUnavailableMessage(context, "aarch64-apple-darwin");
  const cache = join("cache", "deno", "dl", "release", "v2.9.6", "denort-aarch64-apple-darwin.zip");
  assertEquals(cachedRuntimePath(context, "aarch64-apple-darwin"), cache);
  assert(message.includes("DENORT_BIN"), message);
  assert(message.includes(cache), message);
  assert(message.includes("dl.deno.land"), message);
});

Deno.test("SHA256SUMS lists each binary in the format sha256sum -c checks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "chat-b"), "abc");
    await Deno.writeFile(join(dir, "chat-a"), new Uint8Array(0));
    const text = await writeChecksums(dir, ["chat-b", "chat-a"]);
    assertEquals(
      text,
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  chat-a\n" +
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  chat-b\n",
    );
    assertEquals(await Deno.readTextFile(join(dir, CHECKSUM_FILE)), text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const context = await runtimeContext();
const host = hostTarget();
const source = runtimeSource(context, host);
const runtimeHere = source.kind === "cache" || (source.kind === "DENORT_BIN" && source.exists);
const whyNoRuntime = `skipped: no deno compile runtime for ${host} on this machine; ` +
  `set DENORT_BIN or put denort-${host}.zip at ${cachedRuntimePath(context, host)}`;

Deno.test({
  name: "without the runtime, compiling fails with a message naming DENORT_BIN and the cache" +
    (runtimeHere
      ? " (skipped: the runtime is on this machine, so its absence cannot be shown)"
      : ""),
  ignore: runtimeHere,
  async fn() {
    // The download goes through a proxy on a closed loopback port, so it fails
    // the same way on every machine and nothing leaves this one.
    const proxy = `http://127.0.0.1:${reservePort()}`;
    const outDir = await Deno.makeTempDir();
    try {
      let message = "(it built)";
      try {
        await buildTarget(context, host, outDir, {
          HTTPS_PROXY: proxy,
          https_proxy: proxy,
          NO_PROXY: "",
          no_proxy: "",
        });
      } catch (error) {
        message = (error as Error).message;
      }
      assertEquals(message, runtimeUnavailableMessage(context, host));
      assertEquals([...Deno.readDirSync(outDir)], [], "no half-written binary is left behind");
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a binary built for this computer runs from any directory: --version, serve, a chat" +
    (runtimeHere ? "" : ` (${whyNoRuntime})`),
  ignore: !runtimeHere,
  async fn() {
    const outDir = await Deno.makeTempDir({ prefix: "chat-dist-" });
    const elsewhere = await Deno.makeTempDir({ prefix: "chat-elsewhere-" });
    const sandbox = await makeSandbox();
    try {
      const build = await runCompileScript(["--target", "host", "--out-dir", outDir]);
      assertEquals(build.code, 0, build.stdout + build.stderr);
      const name = binaryName(VERSION, host);
      const sums = await Deno.readTextFile(join(outDir, CHECKSUM_FILE));
      assertEquals(sums, `${await sha256File(join(outDir, name))}  ${name}\n`);

      // Moved away from the source tree, and run from another directory.
      const binary = join(elsewhere, name);
      await Deno.rename(join(outDir, name), binary);
      const version = SandboxedChat.fromBinary(binary, ["--version"], sandbox, outDir);
      assertEquals((await version.exit(20_000)).code, 0, version.transcript());
      assertEquals(version.stdout.text(), `chat ${VERSION} (${host})`);

      const server = SandboxedChat.fromBinary(
        binary,
        ["serve", "--host", "127.0.0.1", "--port", "0"],
        sandbox,
        outDir,
      );
      try {
        const [, port] = await server.stdout.waitFor(/open on port (\d+)/, 20_000, "the binary");
        const { client: alice } = await LineClient.join(Number(port), "alice");
        const { client: bob } = await LineClient.join(Number(port), "bob");
        await alice.say("hello from a compiled server");
        const got = await bob.nextFrame((f) => f.type === "message" && f.from === "alice");
        assertEquals(got.text, "hello from a compiled server");
        alice.close();
        bob.close();
      } finally {
        const status = await server.stop();
        if (Deno.build.os !== "windows") assertEquals(status.code, 0, server.transcript());
      }
    } finally {
      await sandbox.remove();
      await Deno.remove(outDir, { recursive: true });
      await Deno.remove(elsewhere, { recursive: true });
    }
  },
});
