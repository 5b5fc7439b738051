/**
 * `chat` in a sandbox: its own config and data directories, and Deno's
 * permission audit log (DENO_AUDIT_PERMISSIONS) recording every permission it
 * used, for tests to inspect. {@link SandboxedChat} runs it — from source
 * with the binary's permission flags, through a deno.json task, or a compiled
 * binary — with standard
 * input to type into and output read line by line with deadlines (for
 * `chat join`; `startServe` in chat_process.ts starts servers).
 *
 * @module
 */

import { dirname, join } from "node:path";
import { binaryRunFlags } from "../../src/cli/permissions.ts";
import { MAIN_TS } from "./chat_process.ts";

/** One permission check from Deno's audit log. */
export interface PermissionUse {
  permission: string;
  value: string | null;
}

/** The directories a chat process may use, and where its audit log goes. */
export interface ChatSandbox {
  configDir: string;
  dataDir: string;
  auditLog: string;
  /** Removes the directories. */
  remove(): Promise<void>;
}

/** The environment that points a chat process at its sandbox. */
export function sandboxEnv(sandbox: ChatSandbox): Record<string, string> {
  return {
    CHAT_CONFIG_DIR: sandbox.configDir,
    CHAT_DATA_DIR: sandbox.dataDir,
    DENO_AUDIT_PERMISSIONS: sandbox.auditLog,
    NO_COLOR: "1",
  };
}

/** Makes fresh config and data directories (and an audit log path) in a temporary directory. */
export async function makeSandbox(): Promise<ChatSandbox> {
  const root = await Deno.makeTempDir({ prefix: "chat-sandbox-" });
  const configDir = join(root, "config");
  const dataDir = join(root, "data");
  return {
    configDir,
    dataDir,
    auditLog: join(root, "audit.jsonl"),
    remove: () => Deno.remove(root, { recursive: true }),
  };
}

/** Reads the audit log a process wrote (empty when it used no permission). */
export async function readAuditLog(path: string): Promise<PermissionUse[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return text.split("\n").filter((line) => line.trim() !== "").map((line) => {
    const entry = JSON.parse(line);
    return { permission: String(entry.permission), value: entry.value ?? null };
  });
}

/** Text read from a stream, kept as lines, that can be waited on. */
class OutputLines {
  readonly lines: string[] = [];
  #partial = "";
  #ended = false;
  #wake: (() => void) | null = null;
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.#read(stream);
  }

  /** Waits for a line matching `pattern`; throws with everything read so far after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let checked = 0;
    while (true) {
      for (; checked < this.lines.length; checked++) {
        const match = this.lines[checked].match(pattern);
        if (match) return match;
      }
      if (this.#ended) {
        throw new Error(`${what} ended without printing ${pattern}:\n${this.text()}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`${what} did not print ${pattern} in ${timeoutMs} ms:\n${this.text()}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Everything read, as one string. */
  text(): string {
    return [...this.lines, this.#partial].join("\n").trimEnd();
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        const parts = (this.#partial + chunk).split(/\r?\n/);
        this.#partial = parts.pop() ?? "";
        this.lines.push(...parts);
        this.#notify();
      }
    } finally {
      if (this.#partial !== "") this.lines.push(this.#partial);
      this.#partial = "";
      this.#ended = true;
      this.#notify();
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/** A running chat process in a sandbox. */
export class SandboxedChat {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  /** What it printed on standard output. */
  readonly stdout: OutputLines;
  /** What it printed on standard error. */
  readonly stderr: OutputLines;
  readonly #status: Promise<Deno.CommandStatus>;

  private constructor(command: string, args: string[], sandbox: ChatSandbox, cwd?: string) {
    this.#child = new Deno.Command(command, {
      args,
      cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: sandboxEnv(sandbox),
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.stdout = new OutputLines(this.#child.stdout);
    this.stderr = new OutputLines(this.#child.stderr);
    this.#status = this.#child.status;
  }

  /**
   * Runs `main.ts ARGS` under `deno run` with the binary's permission flags;
   * `within` is a command prefix, e.g. `ip netns exec NAME` (tests/support/netns.ts).
   */
  static fromSource(args: string[], sandbox: ChatSandbox, within: string[] = []): SandboxedChat {
    const [command, ...rest] = [
      ...within,
      Deno.execPath(),
      "run",
      ...binaryRunFlags(),
      MAIN_TS,
      ...args,
    ];
    return new SandboxedChat(command, rest, sandbox);
  }

  /**
   * Runs `deno task TASK ARGS` in the repository, as someone working from
   * source does: the task's own permission set from deno.json, not ours.
   */
  static fromTask(task: string, args: string[], sandbox: ChatSandbox): SandboxedChat {
    return new SandboxedChat(Deno.execPath(), ["task", task, ...args], sandbox, dirname(MAIN_TS));
  }

  /** Runs a compiled binary with `args`, from the working directory `cwd`. */
  static fromBinary(
    path: string,
    args: string[],
    sandbox: ChatSandbox,
    cwd: string,
  ): SandboxedChat {
    return new SandboxedChat(path, args, sandbox, cwd);
  }

  /** Types `text` into its standard input. */
  async write(text: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(text));
  }

  /** Closes its standard input (end of file). */
  async closeInput(): Promise<void> {
    try {
      await this.#stdin.close();
    } catch {
      // it has exited already
    }
  }

  /** Waits for it to exit; kills it and throws after `timeoutMs`. */
  async exit(timeoutMs: number): Promise<Deno.CommandStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), timeoutMs);
    });
    try {
      const status = await Promise.race([this.#status, late]);
      if (status === "late") {
        this.#kill("SIGKILL");
        throw new Error(`still running after ${timeoutMs} ms; output:\n${this.transcript()}`);
      }
      await Promise.all([this.stdout.done, this.stderr.done]);
      return status;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Asks it to stop (SIGTERM; Windows has no SIGTERM, so there it is killed) and waits for the exit. */
  async stop(timeoutMs = 10_000): Promise<Deno.CommandStatus> {
    this.#kill(Deno.build.os === "windows" ? "SIGKILL" : "SIGTERM");
    await this.closeInput();
    return await this.exit(timeoutMs);
  }

  /** Its output so far, for failure messages. */
  transcript(): string {
    return `--- stdout\n${this.stdout.text()}\n--- stderr\n${this.stderr.text()}`;
  }

  #kill(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch {
      // it has exited already
    }
  }
}
