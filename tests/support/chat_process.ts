/**
 * Runs the real `chat` (main.ts under `deno run`, with the permissions the
 * README's tasks give it) as a subprocess, for tests that must exercise the
 * program exactly as people start it.
 *
 * @module
 */

/** Path of main.ts. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** The exact permission flags `deno task serve` and `deno task join` use. */
export const PERMISSIONS = [
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-sys",
];

/** The command line that runs `chat ARGS...` from source. */
export function chatCommand(args: string[]): string[] {
  return [Deno.execPath(), "run", "--quiet", ...PERMISSIONS, MAIN, ...args];
}

/** Runs `chat ARGS...` with piped stdio. */
export function spawnChat(args: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  const [command, ...rest] = chatCommand(args);
  return new Deno.Command(command, {
    args: rest,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).spawn();
}

/** Runs `chat ARGS...` with `input` on stdin; returns exit code and output once it exits. */
export async function runChat(
  args: string[],
  input = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawnChat(args);
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

/** A port that was free a moment ago: bound to 0, then closed. */
export function reservePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A `chat serve` subprocess. */
export interface ServerProcess {
  /** Everything it printed so far. */
  output(): string;
  /** Stops it the way an operator would (SIGTERM: goodbye to everyone, then exit). */
  stop(): Promise<void>;
}

/**
 * Starts `chat serve --host 127.0.0.1 --port PORT` and waits for its banner.
 * Its output is read continuously so it can never block on a full pipe.
 */
export async function startServerProcess(port: number, timeoutMs = 15_000): Promise<ServerProcess> {
  const [command, ...rest] = chatCommand(["serve", "--host", "127.0.0.1", "--port", String(port)]);
  const child = new Deno.Command(command, {
    args: rest,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let output = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) output += chunk;
  };
  const draining = Promise.all([drain(child.stdout), drain(child.stderr)]);
  let stopped = false;
  let exited = false;
  child.status.then(() => exited = true);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await draining;
  };
  const deadline = Date.now() + timeoutMs;
  while (!output.includes("Chat room open")) {
    if (Date.now() > deadline || exited) {
      await stop();
      throw new Error(`chat serve did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { output: () => output, stop };
}
