/**
 * Runs `main.ts serve` as a real subprocess on 127.0.0.1 with an ephemeral
 * port, for tests that need a process boundary: exit codes, start-up errors,
 * and killing the server with SIGKILL.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const decoder = new TextDecoder();

/** A server process and what it printed. */
export class ServerProcess {
  readonly #child: Deno.ChildProcess;
  #stdout = "";
  #stderr = "";
  readonly #done: Promise<Deno.CommandStatus>;
  readonly #reading: Promise<void>;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#reading = Promise.all([
      this.#collect(child.stdout, (text) => this.#stdout += text),
      this.#collect(child.stderr, (text) => this.#stderr += text),
    ]).then(() => {});
    this.#done = child.status;
  }

  /** Starts `chat serve --host 127.0.0.1 --port 0` with `args` after. */
  static start(args: string[]): ServerProcess {
    const command = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "serve", "--host", "127.0.0.1", "--port", "0", ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    });
    return new ServerProcess(command.spawn());
  }

  /** Waits for the banner and returns the port; throws with the output if the server exits first. */
  async port(timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    this.#done.then(() => exited = true);
    while (Date.now() < deadline) {
      const match = this.#stdout.match(/Chat room open on port (\d+)\./);
      if (match) return Number(match[1]);
      if (exited) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`the server did not start:\n${this.output}`);
  }

  /** Waits for the process to end; returns its exit code and everything it printed. */
  async finished(): Promise<{ code: number; stdout: string; stderr: string }> {
    const status = await this.#done;
    await this.#reading;
    return { code: status.code, stdout: this.#stdout, stderr: this.#stderr };
  }

  /** Sends a signal ("SIGKILL" to crash it, "SIGTERM" to stop it politely). */
  kill(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /** Everything printed so far, for failure messages. */
  get output(): string {
    return `stdout:\n${this.#stdout}\nstderr:\n${this.#stderr}`;
  }

  async #collect(stream: ReadableStream<Uint8Array>, add: (text: string) => void): Promise<void> {
    for await (const chunk of stream) add(decoder.decode(chunk, { stream: true }));
  }
}

/** Runs `chat serve` with `args` expecting it to refuse to start; returns its exit and output. */
export function serveExpectingFailure(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return ServerProcess.start(args).finished();
}
