/**
 * A real `redis-server` (Debian's package) for the cluster tests and the
 * cluster benchmark, on 127.0.0.1 and a port of its own, with its files in a
 * temporary directory.
 * It can be stopped (SIGTERM or SIGKILL) and started again on the same port
 * with the same files. Without redis-server the tests register as ignored.
 *
 * @module
 */

import { reservePort } from "./chat_process.ts";

/** Where Debian installs Redis. */
export const REDIS_SERVER = "/usr/bin/redis-server";

/** True when redis-server is installed. */
export function redisAvailable(): boolean {
  try {
    return Deno.statSync(REDIS_SERVER).isFile;
  } catch {
    return false;
  }
}

/** Appended to a test's name when it cannot run here. */
export const REDIS_SKIP = redisAvailable() ? "" : " (ignored: redis-server is not installed)";

/** A running (or stopped) redis-server. */
export class RedisProcess {
  readonly port: number;
  readonly dir: string;
  readonly #fsync: "always" | "everysec";
  #child: Deno.ChildProcess | undefined;
  #output = "";

  private constructor(port: number, dir: string, fsync: "always" | "everysec") {
    this.port = port;
    this.dir = dir;
    this.#fsync = fsync;
  }

  /** Starts Redis with an append-only file synced as `fsync` says. */
  static async start(fsync: "always" | "everysec" = "always"): Promise<RedisProcess> {
    const dir = await Deno.makeTempDir({ prefix: "chat-redis-" });
    const redis = new RedisProcess(reservePort(), dir, fsync);
    await redis.restart();
    return redis;
  }

  /** The running server's process id (for its CPU time). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The URL the nodes are given. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /** Starts it again (after {@linkcode stop}), with the files it had; resolves once it answers. */
  async restart(): Promise<void> {
    this.#output = "";
    this.#child = new Deno.Command(REDIS_SERVER, {
      args: [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        this.#fsync,
        "--dir",
        this.dir,
      ],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of this.#child!.stdout) this.#output += decoder.decode(chunk);
    })();
    this.#child.stderr.cancel();
    const deadline = Date.now() + 10_000;
    while (!this.#output.includes("Ready to accept connections")) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${this.#output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    void reading;
  }

  /** Waits until the Redis command `command` (run with redis-cli) answers `answer`. */
  async waitUntil(command: string[], answer: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { stdout } = await new Deno.Command("redis-cli", {
        args: ["-p", String(this.port), ...command],
        stdout: "piped",
        stderr: "null",
      }).output();
      const got = new TextDecoder().decode(stdout).trim();
      if (got === answer) return;
      if (Date.now() > deadline) {
        throw new Error(`redis ${command.join(" ")}: ${got}, not ${answer}`);
      }
    }
  }

  /** Stops it: SIGTERM lets it finish writing, SIGKILL is a crash. */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    child.kill(signal);
    await child.status;
  }

  /**
   * After a {@linkcode stop} with SIGKILL, cuts the newest part of the
   * append-only file down to `keep` of its length: what a power cut does to
   * writes Redis handed to the operating system but had not synced yet
   * (`appendfsync everysec`). Redis loads a file cut like that (it drops a
   * last command cut in half: `aof-load-truncated yes`, the default).
   */
  async loseUnsyncedWrites(keep: number): Promise<void> {
    const dir = `${this.dir}/appendonlydir`;
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.name.endsWith(".incr.aof")) continue;
      const path = `${dir}/${entry.name}`;
      const { size } = await Deno.stat(path);
      await Deno.truncate(path, Math.floor(size * keep));
    }
  }

  /** Stops it and removes its files. */
  async remove(): Promise<void> {
    await this.stop("SIGKILL");
    await Deno.remove(this.dir, { recursive: true });
  }
}
