/**
 * `deno task bench --scenario files`: a 100 MB file goes up to a `chat
 * serve` process and comes back down over HTTP on the chat port (with curl,
 * in its own process), while two members keep talking in the room; their
 * message latency is measured before the transfer (quiet) and while it runs,
 * in the same run, so a transfer that stalled the chat would show.
 *
 * @module
 */

import { join } from "node:path";
import { PROTOCOL_VERSION } from "../../src/protocol/constants.ts";
import { LineDecoder } from "../../src/protocol/line_decoder.ts";
import { ServerProcess } from "./server_process.ts";
import { type LatencySummary, round, summarizeLatency } from "./summary.ts";

/** Settings of the files scenario. */
export interface FilesSettings {
  /** Size of the file, in MB. */
  fileMb: number;
  /** Messages a second said in the room while measuring. */
  rate: number;
  /** Seconds of quiet chat measured before the transfer. */
  quietSeconds: number;
}

/** Defaults of the files scenario. */
export const FILES_DEFAULTS: FilesSettings = { fileMb: 100, rate: 20, quietSeconds: 5 };

/** What the files scenario measured. */
export interface FilesReport {
  fileBytes: number;
  upload: { seconds: number; mbPerSecond: number };
  download: { seconds: number; mbPerSecond: number };
  /** Message latency with no transfer, and during the upload and the download. */
  latency: { quiet: LatencySummary; transfer: LatencySummary };
  /** True when the downloaded bytes equal the uploaded ones. */
  intact: boolean;
}

const utf8 = new TextEncoder();

/** Runs the scenario once. */
export async function runFilesScenario(
  settings: FilesSettings,
  denoFlags: string[],
  progress: (line: string) => void,
): Promise<FilesReport> {
  const fileBytes = Math.round(settings.fileMb * 1e6);
  const server = await ServerProcess.start({
    serveFlags: [
      "--max-file-mb",
      String(Math.ceil(settings.fileMb) + 1),
      "--max-files-gb",
      "1",
      "--rate-limit",
      String(settings.rate * 4),
      "--rate-burst",
      String(settings.rate * 4),
    ],
    denoFlags,
  });
  const dir = await Deno.makeTempDir({ prefix: "chat-bench-files-" });
  try {
    const speaker = await Member.join(server.port, "speaker");
    const listener = await Member.join(server.port, "listener");
    const sender = await Member.join(server.port, "sender");
    const chat = new Chatter(speaker, listener, settings.rate);
    progress(`quiet room, ${settings.quietSeconds} s…`);
    chat.start();
    await new Promise((resolve) => setTimeout(resolve, settings.quietSeconds * 1000));
    const quiet = chat.take();

    const path = join(dir, "big.bin");
    await writePattern(path, fileBytes);
    const slot = await sender.request({ type: "upload", name: "big.bin", size: fileBytes });
    if (slot.type !== "upload_slot") throw new Error(`upload refused: ${slot.message}`);
    progress(`uploading ${settings.fileMb} MB…`);
    const base = `http://127.0.0.1:${server.port}`;
    const up = await curl(["-T", path, "-o", "/dev/null", `${base}${slot.url}`]);
    const record = await sender.next((frame) => frame.type === "file");
    progress(`downloading ${settings.fileMb} MB…`);
    const back = join(dir, "back.bin");
    const down = await curl(["-o", back, `${base}${record.url}`]);
    const transfer = chat.take();
    await chat.stop();
    const intact = await sameBytes(path, back);
    for (const member of [speaker, listener, sender]) member.close();
    return {
      fileBytes,
      upload: { seconds: round(up), mbPerSecond: round(fileBytes / 1e6 / up) },
      download: { seconds: round(down), mbPerSecond: round(fileBytes / 1e6 / down) },
      latency: { quiet: summarizeLatency(quiet), transfer: summarizeLatency(transfer) },
      intact,
    };
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The report as text. */
export function formatFilesReport(report: FilesReport): string {
  const mb = report.fileBytes / 1e6;
  const line = (name: string, l: LatencySummary) =>
    `  ${
      name.padEnd(16)
    } p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms (${l.samples} messages)`;
  return [
    `files: a ${mb} MB file over HTTP on the chat port (curl), two members talking meanwhile`,
    `  upload           ${report.upload.seconds} s, ${report.upload.mbPerSecond} MB/s`,
    `  download         ${report.download.seconds} s, ${report.download.mbPerSecond} MB/s`,
    "  message latency (said by one member, received by another):",
    line("no transfer", report.latency.quiet),
    line("during transfer", report.latency.transfer),
    `  bytes back intact: ${report.intact ? "yes" : "NO"}`,
  ].join("\n");
}

/** Runs curl; the seconds it took (wall time of the transfer). */
async function curl(args: string[]): Promise<number> {
  const started = performance.now();
  const output = await new Deno.Command("curl", {
    args: ["-sS", "--fail", ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!output.success) throw new Error(`curl failed: ${new TextDecoder().decode(output.stderr)}`);
  return (performance.now() - started) / 1000;
}

/** Writes `size` bytes of a repeating pattern (cheap to make, not compressible by anyone here). */
async function writePattern(path: string, size: number): Promise<void> {
  const block = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
  const file = await Deno.open(path, { create: true, write: true, truncate: true });
  for (let left = size; left > 0; left -= block.length) {
    const part = block.subarray(0, Math.min(block.length, left));
    for (let done = 0; done < part.length;) done += await file.write(part.subarray(done));
  }
  file.close();
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const digest = async (path: string) =>
    new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(path))).join();
  return await digest(a) === await digest(b);
}

/** Says a numbered message every 1/rate s through one member and times its arrival at another. */
class Chatter {
  readonly #sentAt = new Map<string, number>();
  #samples: number[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #count = 0;
  #listening: Promise<void> | undefined;
  #stopped = false;

  constructor(readonly speaker: Member, readonly listener: Member, readonly rate: number) {}

  start(): void {
    this.#timer = setInterval(() => {
      const text = `m${++this.#count}`;
      this.#sentAt.set(text, performance.now());
      void this.speaker.send({ type: "send", text });
    }, 1000 / this.rate);
    this.#listening = (async () => {
      while (!this.#stopped) {
        const frame = await this.listener.next((f) => f.type === "message", 2000).catch(() =>
          undefined
        );
        const sent = frame && this.#sentAt.get(String(frame.text));
        if (sent !== undefined) this.#samples.push(performance.now() - sent);
      }
    })();
  }

  /** The samples so far, starting afresh. */
  take(): number[] {
    const samples = this.#samples;
    this.#samples = [];
    return samples;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#stopped = true;
    await this.#listening;
  }
}

// deno-lint-ignore no-explicit-any -- frames are read loosely here
type Frame = { type: string; [field: string]: any };

/** A structured member over TCP. */
class Member {
  readonly #decoder = new LineDecoder(1 << 24);
  readonly #frames: Frame[] = [];
  #wake: (() => void) | undefined;

  private constructor(readonly conn: Deno.Conn) {
    void this.#read();
  }

  static async join(port: number, name: string): Promise<Member> {
    const member = new Member(await Deno.connect({ hostname: "127.0.0.1", port }));
    await member.send({ type: "hello", version: PROTOCOL_VERSION, name });
    await member.next((frame) => frame.type === "welcome");
    return member;
  }

  async send(frame: Frame): Promise<void> {
    const bytes = utf8.encode(JSON.stringify(frame) + "\n");
    for (let done = 0; done < bytes.length;) done += await this.conn.write(bytes.subarray(done));
  }

  /** Sends `frame` and returns the answer (an `upload_slot` or an `error`). */
  async request(frame: Frame): Promise<Frame> {
    await this.send(frame);
    return await this.next((f) => f.type === "upload_slot" || f.type === "error");
  }

  async next(accept: (frame: Frame) => boolean, timeoutMs = 120_000): Promise<Frame> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const index = this.#frames.findIndex(accept);
      if (index >= 0) return this.#frames.splice(index, 1)[0];
      this.#frames.length = 0; // nothing waited for among them
      const left = deadline - performance.now();
      if (left <= 0) throw new Error("no answer in time");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // closed
    }
  }

  async #read(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const count = await this.conn.read(buffer);
        if (count === null) return;
        for (const line of this.#decoder.push(buffer.subarray(0, count)).lines) {
          this.#frames.push(JSON.parse(line));
        }
        this.#wake?.();
      }
    } catch {
      // closed
    }
  }
}
