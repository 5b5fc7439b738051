/**
 * The compiled binary cannot be built on a machine without dl.deno.land, but
 * its permissions can be tested anywhere: these tests run `chat serve` and
 * `chat join` from source under `deno run` with exactly the flags
 * scripts/compile.ts bakes into the binary (src/cli/permissions.ts), so a
 * missing permission fails here. Deno's permission audit log then shows that
 * the processes used nothing beyond what is declared, and touched no file
 * outside their config and data directories.
 */

import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ALLOWED_ENV_VARS,
  ALLOWED_SYS_APIS,
  binaryPermissionFlags,
  binaryRunFlags,
  IGNORED_LIBRARY_ENV_VARS,
} from "../src/cli/permissions.ts";
import { VERSION } from "../src/version.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { type ServeProcess, startServe } from "./support/chat_process.ts";
import {
  type ChatSandbox,
  makeSandbox,
  type PermissionUse,
  readAuditLog,
  SandboxedChat,
  sandboxEnv,
} from "./support/sandboxed_chat.ts";
import { LineClient } from "./support/line_client.ts";
import { NetNamespace, netnsUnavailable } from "./support/netns.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** What in `uses` goes beyond the binary's permissions, one sentence each. */
function permissionProblems(uses: PermissionUse[], sandbox: ChatSandbox): string[] {
  const problems = new Set<string>();
  const allowedDirs = [sandbox.configDir, sandbox.dataDir].flatMap(withRealPath);
  for (const { permission, value } of uses) {
    if (permission === "env") {
      if (
        value && !ALLOWED_ENV_VARS.includes(value) &&
        !Object.hasOwn(IGNORED_LIBRARY_ENV_VARS, value)
      ) {
        problems.add(
          `read the environment variable ${value}, which the binary may not: add it to ` +
            "ALLOWED_ENV_VARS (or to IGNORED_LIBRARY_ENV_VARS, with the reason) in src/cli/permissions.ts",
        );
      }
    } else if (permission === "read" || permission === "write") {
      if (!value || !allowedDirs.some((dir) => isInside(value, dir))) {
        problems.add(
          `${permission} ${value ?? "(everything)"}: outside the config and data directories`,
        );
      }
    } else if (permission === "sys") {
      if (!value || !ALLOWED_SYS_APIS.includes(value)) problems.add(`used sys ${value}`);
    } else if (permission !== "net") {
      problems.add(`used the ${permission} permission ${value ?? ""}`);
    }
  }
  return [...problems];
}

function withRealPath(dir: string): string[] {
  try {
    return [dir, Deno.realPathSync(dir)];
  } catch {
    return [dir]; // never created: nothing was written there
  }
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, resolve(path));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

async function assertWithinPermissions(sandbox: ChatSandbox, what: string): Promise<void> {
  const uses = await readAuditLog(sandbox.auditLog);
  const problems = permissionProblems(uses, sandbox);
  assertEquals(
    problems,
    [],
    `${what} went beyond the binary's permissions:\n${problems.join("\n")}`,
  );
}

/** Starts `chat serve` on 127.0.0.1, a free port, with the binary's flags, in `sandbox`. */
function startSandboxedServe(sandbox: ChatSandbox): Promise<ServeProcess> {
  return startServe([], { env: sandboxEnv(sandbox) });
}

/** Literal environment variable names read anywhere in main.ts and src/, with where. */
async function envReadsInSource(): Promise<{ name: string; where: string }[]> {
  const patterns = [
    /Deno\.env\.(?:get|has)\(\s*["'`]([A-Za-z_]\w*)["'`]\s*\)/g,
    /process\.env\.([A-Za-z_]\w*)/g,
    /process\.env\[\s*["'`]([A-Za-z_]\w*)["'`]\s*\]/g,
  ];
  const reads: { name: string; where: string }[] = [];
  const files = [join(ROOT, "main.ts")];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts")) files.push(path);
    }
  };
  await walk(join(ROOT, "src"));
  for (const file of files) {
    const lines = (await Deno.readTextFile(file)).split("\n");
    lines.forEach((line, index) => {
      for (const pattern of patterns) {
        for (const match of line.matchAll(pattern)) {
          reads.push({ name: match[1], where: `${relative(ROOT, file)}:${index + 1}` });
        }
      }
    });
  }
  return reads;
}

Deno.test("every environment variable the source reads by name is allowed in the binary", async () => {
  const missing = (await envReadsInSource())
    .filter(({ name }) => !ALLOWED_ENV_VARS.includes(name))
    .map(({ name, where }) => `${where} reads ${name}`);
  assertEquals(missing, [], "add these to ALLOWED_ENV_VARS in src/cli/permissions.ts");
});

Deno.test("the binary's flags are narrow: no --allow-all, no run or ffi, no prompts", () => {
  const flags = binaryPermissionFlags();
  for (const forbidden of ["-A", "--allow-all", "--allow-run", "--allow-ffi"]) {
    assert(
      !flags.some((flag) => flag === forbidden || flag.startsWith(`${forbidden}=`)),
      `${forbidden} must not be granted, not even for some programs or libraries`,
    );
  }
  assert(!flags.includes("--allow-sys"), "sys is granted for named APIs only");
  assert(flags.some((flag) => flag.startsWith("--allow-env=")), "env is a list of names");
  assert(flags.some((flag) => flag.startsWith("--allow-sys=")), "sys is a list of APIs");
  assert(flags.includes("--no-prompt"));
});

/** The flags a deno.json permission set stands for, as `deno run` takes them. */
function permissionSetFlags(set: Record<string, unknown>): string[] {
  const flags: string[] = [];
  for (const [name, value] of Object.entries(set)) {
    const rule = typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as { allow?: unknown; deny?: unknown; ignore?: unknown }
      : { allow: value };
    if (rule.allow === true) flags.push(`--allow-${name}`);
    else if (Array.isArray(rule.allow)) flags.push(`--allow-${name}=${rule.allow.join(",")}`);
    if (rule.ignore === true) flags.push(`--ignore-${name}`);
    if (rule.deny !== undefined) flags.push(`--deny-${name}`);
  }
  return flags.sort();
}

Deno.test("deno task serve and deno task join run with the binary's permissions, on one short line", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const permissionFlags = binaryPermissionFlags().filter((flag) => flag !== "--no-prompt");
  assertEquals(
    permissionSetFlags(config.permissions.chat),
    permissionFlags.sort(),
    'deno.json\'s permission set "chat" must grant exactly the flags of src/cli/permissions.ts',
  );
  const otherFlags = binaryRunFlags().filter((flag) => !permissionFlags.includes(flag));
  for (const command of ["serve", "join"]) {
    assertEquals(
      config.tasks[command],
      `deno run -q -P=chat ${otherFlags.join(" ")} main.ts ${command}`,
      `deno.json task "${command}" must use the permission set and the run flags of src/cli/permissions.ts`,
    );
  }
});

Deno.test("deno task join --version prints one task line and the version, within the permissions", async () => {
  const sandbox = await makeSandbox();
  try {
    const chat = SandboxedChat.fromTask("join", ["--version"], sandbox);
    const status = await chat.exit(20_000);
    assertEquals(status.code, 0, chat.transcript());
    assertEquals(chat.stdout.text(), `chat ${VERSION} (${Deno.build.target})`);
    const taskLines = chat.stderr.lines.filter((line) => line.trim() !== "");
    assertEquals(
      taskLines.length,
      1,
      `deno task printed more than its task line:\n${chat.transcript()}`,
    );
    assertMatch(taskLines[0], /Task join deno run -q -P=chat /);
    await assertWithinPermissions(sandbox, "deno task join");
  } finally {
    await sandbox.remove();
  }
});

Deno.test("deno task serve runs the room with deno.json's permission set and names deno task join", async () => {
  const sandbox = await makeSandbox();
  const serve = SandboxedChat.fromTask("serve", ["--host", "127.0.0.1", "--port", "0"], sandbox);
  try {
    const [, port] = await serve.stdout.waitFor(/open on port (\d+)/, 20_000, "deno task serve");
    await serve.stdout.waitFor(
      new RegExp(`^On this computer: deno task join --name YOURNAME 127\\.0\\.0\\.1:${port}$`),
      5_000,
      "deno task serve",
    );
    const { client: alice } = await LineClient.join(Number(port), "alice");
    const { client: bob } = await LineClient.join(Number(port), "bob");
    await alice.say("hello through the task");
    const got = await bob.nextFrame((f) => f.type === "message" && f.from === "alice");
    assertEquals(got.text, "hello through the task");
    alice.close();
    bob.close();
    await serve.stop();
    await assertWithinPermissions(sandbox, "deno task serve");
  } finally {
    await serve.stop();
    await sandbox.remove();
  }
});

Deno.test("chat --version prints the version and the build target under the binary's permissions", async () => {
  const sandbox = await makeSandbox();
  try {
    const chat = SandboxedChat.fromSource(["--version"], sandbox);
    const status = await chat.exit(20_000);
    assertEquals(status.code, 0, chat.transcript());
    assertEquals(chat.stdout.text(), `chat ${VERSION} (${Deno.build.target})`);
    await assertWithinPermissions(sandbox, "chat --version");
  } finally {
    await sandbox.remove();
  }
});

Deno.test("chat serve works with exactly the binary's permissions and uses nothing more", async () => {
  const sandbox = await makeSandbox();
  const server = await startSandboxedServe(sandbox);
  try {
    const { client: alice } = await LineClient.join(server.port, "alice");
    const { client: bob } = await LineClient.join(server.port, "bob");
    await alice.say("hello under the binary's permissions");
    const got = await bob.nextFrame((f) => f.type === "message" && f.from === "alice");
    assertEquals(got.text, "hello under the binary's permissions");
    alice.close();
    bob.close();
    const status = await server.stop();
    // SIGTERM is a graceful stop where it exists; Windows can only kill.
    if (Deno.build.os !== "windows") {
      assertEquals(status.code, 0, server.output());
      assertMatch(server.output(), /Stopped\./);
    }
    await assertWithinPermissions(sandbox, "chat serve");
  } finally {
    await server.stop();
    await sandbox.remove();
  }
});

Deno.test({
  name: "chat join (non-TTY) chats with the binary's permissions and uses nothing more",
  async fn() {
    const serverSandbox = await makeSandbox();
    const joinSandbox = await makeSandbox();
    const server = await startSandboxedServe(serverSandbox);
    let join: SandboxedChat | undefined;
    try {
      const { client: alice } = await LineClient.join(server.port, "alice");
      const target = `127.0.0.1:${server.port}`;
      join = SandboxedChat.fromSource(["join", "--name", "bob", target], joinSandbox);
      await join.write("hello from bob\n");
      const fromBob = await alice.nextFrame((f) => f.type === "message" && f.from === "bob", 20_000)
        .catch((error) => {
          throw new Error(`${error.message}\n${join!.transcript()}`);
        });
      assertEquals(fromBob.text, "hello from bob");
      await alice.say("hi bob");
      await join.stdout.waitFor(/hi bob/, 10_000, "chat join");
      await join.closeInput();
      const status = await join.exit(10_000);
      assertEquals(status.code, 0, join.transcript());
      await alice.nextFrame((f) => f.type === "leave" && f.name === "bob");
      alice.close();
      await assertWithinPermissions(joinSandbox, "chat join");
    } finally {
      await join?.stop();
      await server.stop();
      await serverSandbox.remove();
      await joinSandbox.remove();
    }
  },
});

const NO_NETNS = netnsUnavailable();

Deno.test({
  name:
    `LAN discovery (serve announcing, chat find, chat join without an address) stays within the binary's permissions${
      NO_NETNS ? ` (ignored: ${NO_NETNS})` : ""
    }`,
  ignore: NO_NETNS !== undefined,
  async fn() {
    const lan = await NetNamespace.create();
    const sandboxes = {
      serve: await makeSandbox(),
      find: await makeSandbox(),
      join: await makeSandbox(),
    };
    const running: SandboxedChat[] = [];
    try {
      const serve = SandboxedChat.fromSource(
        ["serve", "--host", "0.0.0.0", "--port", "0", "--tls", "--name", "audited"],
        sandboxes.serve,
        lan.within,
      );
      running.push(serve);
      await serve.stdout.waitFor(/Announced on the local network/, 20_000, "chat serve");
      const find = SandboxedChat.fromSource(["find", "--json"], sandboxes.find, lan.within);
      running.push(find);
      await find.closeInput();
      assertEquals((await find.exit(15_000)).code, 0, find.transcript());
      assertMatch(find.stdout.text(), /"name": "audited"/);
      const join = SandboxedChat.fromSource(
        ["join", "--name", "auditor"],
        sandboxes.join,
        lan.within,
      );
      running.push(join);
      await join.write("audited hello\n");
      await join.stdout.waitFor(/auditor: audited hello/, 20_000, "chat join");
      await join.closeInput();
      assertEquals((await join.exit(10_000)).code, 0, join.transcript());
      assertEquals((await serve.stop()).code, 0, serve.transcript());
      for (const [what, sandbox] of Object.entries(sandboxes)) {
        await assertWithinPermissions(sandbox, `chat ${what}`);
      }
    } finally {
      for (const chat of running) await chat.stop(5000).catch(() => {});
      for (const sandbox of Object.values(sandboxes)) await sandbox.remove();
      await lan.remove();
    }
  },
});
