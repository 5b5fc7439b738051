/**
 * Runs `chat serve` as a separate process, the way users run it (with the
 * binary's permissions and V8 settings, as the `serve` task does), on a free port of
 * 127.0.0.1 with history in a fresh directory, and reads its CPU time and
 * memory while it runs.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { binaryRunFlags } from "../../src/cli/permissions.ts";
import { type ProcessStats, readProcessStats } from "./process_stats.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** How to start the server. */
export interface ServerSpec {
  /** Extra `chat serve` flags (e.g. a raised rate limit). */
  serveFlags: string[];
  /** Extra `deno run` flags (e.g. `--cpu-prof`). */
  denoFlags: string[];
  /** Extra environment (e.g. the test-only `CHAT_NODE_TTL_MS`). */
  env?: Record<string, string>;
}

/** A `chat serve` child process. */
export class ServerProcess {
  readonly #child: Deno.ChildProcess;
  readonly #stderr: Promise<string>;

  readonly #dataDir: string;

  private constructor(child: Deno.ChildProcess, readonly port: number, dataDir: string) {
    this.#child = child;
    this.#stderr = new Response(child.stderr).text();
    this.#dataDir = dataDir;
  }

  /** Starts `chat serve` and resolves once it accepts connections. */
  static async start(spec: ServerSpec): Promise<ServerProcess> {
    const port = freePort();
    const dataDir = Deno.makeTempDirSync({ prefix: "chat-bench-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...binaryRunFlags(),
        ...spec.denoFlags,
        MAIN,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--quiet",
        "--data",
        dataDir,
        ...spec.serveFlags,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env: spec.env,
    }).spawn();
    const server = new ServerProcess(child, port, dataDir);
    try {
      await server.#waitUntilListening();
    } catch (error) {
      server.#removeData();
      throw error;
    }
    return server;
  }

  /** Process id of the server. */
  get pid(): number {
    return this.#child.pid;
  }

  /** CPU time and memory of the server now, or `null` where `/proc` is not available. */
  stats(): ProcessStats | null {
    return readProcessStats(this.#child.pid);
  }

  /** Stops the server the way Ctrl-C does (killing it if it does not stop in time). */
  async stop(): Promise<void> {
    const signal: Deno.Signal = Deno.build.os === "windows" ? "SIGINT" : "SIGTERM";
    try {
      this.#child.kill(signal);
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }, STOP_TIMEOUT_MS);
    await this.#child.status;
    clearTimeout(timer);
    await this.#stderr.catch(() => "");
    this.#removeData();
  }

  #removeData(): void {
    try {
      Deno.removeSync(this.#dataDir, { recursive: true });
    } catch {
      // Already gone.
    }
  }

  async #waitUntilListening(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let exited = false;
    this.#child.status.then(() => exited = true);
    while (!exited && Date.now() < deadline) {
      try {
        const probe = await Deno.connect({ hostname: "127.0.0.1", port: this.port });
        probe.close();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    if (!exited) this.#child.kill("SIGKILL");
    await this.#child.status;
    const errors = (await this.#stderr).trim();
    throw new Error(`chat serve did not start${errors ? `: ${errors}` : "."}`);
  }
}

/** A port that was free a moment ago (the server binds it right after). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}
