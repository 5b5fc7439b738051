/**
 * A raw TCP test client: sends bytes, lines or JSON frames and waits for
 * lines with a deadline, so a test fails with what it did receive instead of
 * hanging. Used for both structured and plain-text clients.
 *
 * @module
 */

import { PROTOCOL_VERSION } from "../../src/protocol/constants.ts";
import { LineDecoder } from "../../src/protocol/line_decoder.ts";

const utf8 = new TextEncoder();

/** A frame as a test sees it: any JSON object with a type. */
// deno-lint-ignore no-explicit-any -- tests inspect arbitrary fields
export type AnyFrame = { type: string; [field: string]: any };

/** A TCP connection read line by line. */
export class LineClient {
  readonly #conn: Deno.Conn;
  readonly #lines: string[] = [];
  readonly #decoder = new LineDecoder(1 << 24);
  #waiter: (() => void) | null = null;
  #ended = false;
  /** Every line received so far, consumed or not (for failure messages). */
  readonly transcript: string[] = [];
  /** Resolves when the server closed the connection. */
  readonly ended: Promise<void>;

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.ended = this.#readLoop();
  }

  /** Connects to 127.0.0.1:`port`. */
  static async connect(port: number): Promise<LineClient> {
    return new LineClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Wraps a connection opened elsewhere (a TLS one, say). */
  static over(conn: Deno.Conn): LineClient {
    return new LineClient(conn);
  }

  /** Connects and joins as a structured client; returns the client and its welcome frame. */
  static async join(
    port: number,
    name: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ client: LineClient; welcome: AnyFrame }> {
    const client = await LineClient.connect(port);
    await client.sendFrame({ type: "hello", version: PROTOCOL_VERSION, name, ...extra });
    const welcome = await client.nextFrame((f) => f.type === "welcome" || f.type === "error");
    if (welcome.type !== "welcome") throw new Error(`join as ${name} refused: ${welcome.message}`);
    return { client, welcome };
  }

  /** Sends raw bytes. */
  async sendRaw(bytes: Uint8Array | string): Promise<void> {
    const data = typeof bytes === "string" ? utf8.encode(bytes) : bytes;
    for (let written = 0; written < data.length;) {
      written += await this.#conn.write(data.subarray(written));
    }
  }

  /** Sends one line (newline added). */
  sendLine(text: string): Promise<void> {
    return this.sendRaw(text + "\n");
  }

  /** Sends one JSON frame. */
  sendFrame(frame: Record<string, unknown>): Promise<void> {
    return this.sendLine(JSON.stringify(frame));
  }

  /** Sends a chat line as a structured client. */
  say(text: string): Promise<void> {
    return this.sendFrame({ type: "send", text });
  }

  /**
   * Says `m1`, `m2`, … one after the other, `everyMs` apart, until `stop`
   * is called; `stop` resolves with the number of the last one said.
   */
  keepTalking(everyMs: number): { stop: () => Promise<number> } {
    let count = 0;
    let stopped = false;
    const talking = (async () => {
      while (!stopped) {
        await this.say(`m${++count}`);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
      return count;
    })();
    return {
      stop: () => {
        stopped = true;
        return talking;
      },
    };
  }

  /**
   * Returns the next line matching `accept` (default: any), dropping the
   * lines before it. Throws with the transcript after `timeoutMs` or when
   * the connection ends first.
   */
  async nextLine(
    accept: (line: string) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      while (this.#lines.length > 0) {
        const line = this.#lines.shift()!;
        if (accept(line)) return line;
      }
      if (this.#ended) throw this.#failure("the connection ended");
      const left = deadline - Date.now();
      if (left <= 0) throw this.#failure(`nothing matched within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Returns the next JSON frame matching `accept`, skipping non-JSON lines and other frames. */
  async nextFrame(
    accept: (frame: AnyFrame) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<AnyFrame> {
    let found: AnyFrame | undefined;
    await this.nextLine((line) => {
      const frame = tryParse(line);
      if (frame && accept(frame)) found = frame;
      return found !== undefined;
    }, timeoutMs);
    return found!;
  }

  /** Waits until the server closes the connection; throws after `timeoutMs`. */
  async waitForClose(timeoutMs = 5000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.#failure("the server did not close")), timeoutMs);
    });
    try {
      await Promise.race([this.ended, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the connection (politely: FIN). */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  async #readLoop(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const count = await this.#conn.read(buffer);
        if (count === null) break;
        const { lines } = this.#decoder.push(buffer.subarray(0, count));
        this.#lines.push(...lines);
        this.transcript.push(...lines);
        this.#wake();
      }
    } catch {
      // reset or closed locally: treat as the end
    }
    const tail = this.#decoder.flushPartial();
    if (tail !== null) {
      this.#lines.push(tail);
      this.transcript.push(tail);
    }
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  #failure(what: string): Error {
    const recent = this.transcript.slice(-15).map((l) =>
      `  | ${l.length > 200 ? `${l.slice(0, 200)}… (${l.length} chars)` : l}`
    ).join("\n");
    return new Error(`${what}; last lines received:\n${recent || "  (none)"}`);
  }
}

function tryParse(line: string): AnyFrame | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(line);
    return typeof value === "object" && value !== null && typeof value.type === "string"
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}
