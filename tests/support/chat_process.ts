/**
 * Runs `main.ts` as a subprocess, the way a user runs `chat`: for tests of
 * the command line, exit codes, signals and permissions.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { binaryRunFlags } from "../../src/cli/permissions.ts";

/** The repository's main.ts. */
export const MAIN_TS = fileURLToPath(new URL("../../main.ts", import.meta.url));

/**
 * Permission flags `deno task serve` and `deno task join` use: exactly the
 * compiled binary's (src/cli/permissions.ts).
 */
const RUN_FLAGS: readonly string[] = binaryRunFlags();

/**
 * A home for the `chat` processes of this test run: config and data
 * directories in a temporary folder, so tests never touch the real ones.
 * Removed when the test process ends.
 */
const isolatedHome = Deno.makeTempDirSync({ prefix: "chat-test-home-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(isolatedHome, { recursive: true });
  } catch {
    // already gone
  }
});

/** Environment every test `chat` process gets (tests may override any of it). */
export const TEST_ENV: Readonly<Record<string, string>> = {
  NO_COLOR: "1",
  CHAT_CONFIG_DIR: `${isolatedHome}/config`,
  CHAT_DATA_DIR: `${isolatedHome}/data`,
};

/**
 * A server's environment: {@linkcode TEST_ENV} with a data directory of its
 * own (unless the caller gives one), so each server starts with an empty
 * history and servers never share, or lock, one history file.
 */
function serverEnv(env: Record<string, string> = {}): {
  env: Record<string, string>;
  cleanup: () => void;
} {
  if (env.CHAT_DATA_DIR !== undefined) return { env: { ...TEST_ENV, ...env }, cleanup() {} };
  const dataDir = Deno.makeTempDirSync({ dir: isolatedHome, prefix: "server-data-" });
  return {
    env: { ...TEST_ENV, CHAT_DATA_DIR: dataDir, ...env },
    cleanup: () => Deno.removeSync(dataDir, { recursive: true }),
  };
}

/** Output and exit code of a finished `chat` run. */
export interface ChatRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command line (program first) that runs `chat ARGS…` from source, e.g. in a tmux pane. */
export function chatCommand(args: string[]): string[] {
  return [Deno.execPath(), "run", "--quiet", ...RUN_FLAGS, MAIN_TS, ...args];
}

/** A `Deno.Command` running `chat ARGS…` from source in the test environment. */
function chatProcess(args: string[], options: Deno.CommandOptions): Deno.Command {
  const [program, ...rest] = chatCommand(args);
  return new Deno.Command(program, { ...options, args: rest });
}

/** Starts `chat ARGS…` with stdin, stdout and stderr piped. */
export function spawnChat(args: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  return chatProcess(args, {
    env: { ...TEST_ENV, ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Runs `chat ARGS…` to completion (in `cwd`, if given); `input`, when given, is written to its stdin. */
export async function runChat(
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<ChatRun> {
  const child = chatProcess(args, {
    env: { ...TEST_ENV, ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdin: options.input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.input));
    await writer.close();
  }
  const output = await child.output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}

/** A `chat serve` subprocess with the port it announced. */
export interface ServeProcess {
  child: Deno.ChildProcess;
  port: number;
  /** Everything printed on stdout so far (the reader keeps collecting). */
  output(): string;
  /** Resolves with the exit status once the process ends. */
  status: Promise<Deno.CommandStatus>;
  /** Sends SIGTERM (or kills, on Windows) and waits for the exit. */
  stop(): Promise<Deno.CommandStatus>;
}

/**
 * Starts `chat serve --host 127.0.0.1 --port P …` on a port of its own (see
 * {@linkcode reservePort}; or the given port, e.g. to restart a server where
 * it was) and waits for its banner. Throws with
 * the output if it exits or stays silent instead.
 */
export async function startServe(
  args: string[] = [],
  options: { env?: Record<string, string>; port?: number } = {},
): Promise<ServeProcess> {
  const { env, cleanup } = serverEnv(options.env);
  // A port below the ephemeral range, so a restart on it cannot find it taken.
  const askedPort = String(options.port ?? reservePort());
  const child = chatProcess(["serve", "--host", "127.0.0.1", "--port", askedPort, ...args], {
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  let stderr = "";
  const collect = async (stream: ReadableStream<Uint8Array>, into: (text: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) into(decoder.decode(chunk, { stream: true }));
  };
  const reading = Promise.all([
    collect(child.stdout, (t) => stdout += t),
    collect(child.stderr, (t) => stderr += t),
  ]);
  const status = child.status.then(async (s) => {
    await reading;
    cleanup();
    return s;
  });
  let exited = false;
  status.then(() => exited = true);
  const deadline = Date.now() + 20_000;
  let port: number | undefined;
  while (port === undefined) {
    port = Number(stdout.match(/open on port (\d+)/)?.[1]) || undefined;
    if (port !== undefined) break;
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill("SIGKILL");
      await status;
      throw new Error(`chat serve did not start.\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    child,
    port,
    output: () => stdout + stderr,
    status,
    async stop() {
      if (!exited) child.kill(Deno.build.os === "windows" ? "SIGKILL" : "SIGTERM");
      return await status;
    },
  };
}

/**
 * A port that was free a moment ago, for a server that must come back on the
 * same port after a restart. It is picked below the kernel's ephemeral range
 * (32768–60999 on Linux), which every `port: 0` listener and every outgoing
 * connection of the parallel tests draw from — so none of them can take it
 * while the server is down.
 */
export function reservePort(): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
  throw new Error("No free port below the ephemeral range after 100 tries.");
}
