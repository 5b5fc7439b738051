/**
 * Answers a connection refused at the door (banned, waiting after wrong
 * passwords, joined too often lately, too many from its address, server
 * full) without giving it a session: it is told why in its own dialect once
 * that is known (at once on a WebSocket; on TCP from its first line, or plain
 * text when it stays silent), then closed. A reconnect loop's refused connections are most of what it costs
 * the server, so they get only a read, one write and a close — no session,
 * no queue, no rate limiter, no place in the server's tables.
 *
 * @module
 */

import type { ByeFrame } from "../protocol/frames.ts";
import { Outgoing } from "./outgoing.ts";
import type { FrameConn } from "./transports/frame_conn.ts";

/** Tells `conn` why it may not stay (`bye`) as soon as its dialect is known, then closes it. */
export async function turnAway(conn: FrameConn, bye: ByeFrame): Promise<void> {
  let answered = false;
  const answer = () => {
    if (answered) return;
    answered = true;
    conn.write(conn.encode(new Outgoing(bye))).then(() => conn.close(), () => conn.close());
  };
  // An HTTP request is handed over to the web front by the transport, unanswered here.
  const ended = conn.receive({ frame: answer, silent: answer, tooLong: () => conn.close() });
  // A WebSocket speaks JSON from the start: told at once, it cannot hold the connection silently.
  if (conn.dialect !== undefined) answer();
  await ended;
  if (!answered) conn.close();
}
