/**
 * A scripted server for client tests: it accepts connections on 127.0.0.1,
 * reads each one's first line (the hello), and lets the test answer with
 * whatever frames — or bytes — it wants, honest or not.
 *
 * @module
 */

import { LineDecoder } from "../../src/protocol/line_decoder.ts";

/**
 * Runs `body` with a raw TCP server on 127.0.0.1 that runs `answer` for each
 * connection (numbered from 0); every connection is closed afterwards.
 */
export async function withRawServer(
  answer: (conn: Deno.Conn, connection: number) => Promise<void>,
  body: (port: number) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const serving = (async () => {
    for (let number = 0;; number++) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      conns.push(conn);
      answer(conn, number).catch(() => {});
    }
  })();
  try {
    await body((listener.addr as Deno.NetAddr).port);
  } finally {
    listener.close();
    for (const conn of conns) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
    await serving;
  }
}

/**
 * Runs `body` against a scripted server. For each connection (numbered from
 * 0) the hello is recorded in `hellos` and `script` answers it.
 */
export function withScriptedServer(
  script: (connection: number, hello: Record<string, unknown>, conn: Deno.Conn) => Promise<void>,
  body: (port: number, hellos: Record<string, unknown>[]) => Promise<void>,
): Promise<void> {
  const hellos: Record<string, unknown>[] = [];
  const answer = async (conn: Deno.Conn, number: number) => {
    const decoder = new LineDecoder(1 << 20);
    const buffer = new Uint8Array(4096);
    let hello: Record<string, unknown> | undefined;
    while (!hello) {
      const count = await conn.read(buffer);
      if (count === null) return;
      const [line] = decoder.push(buffer.subarray(0, count)).lines;
      if (line) hello = JSON.parse(line);
    }
    hellos.push(hello);
    await script(number, hello, conn);
  };
  return withRawServer(answer, (port) => body(port, hellos));
}

/** Writes frames (objects become JSON) or raw text lines to a connection. */
export function send(
  conn: Deno.Conn,
  ...frames: (Record<string, unknown> | string)[]
): Promise<number> {
  const text = frames.map((f) => typeof f === "string" ? f : JSON.stringify(f)).join("\n") + "\n";
  return conn.write(new TextEncoder().encode(text));
}
