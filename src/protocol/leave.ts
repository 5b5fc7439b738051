/**
 * What kind of leave a `leave` record announces, so that a member's own words
 * can never be shown as if the server or the operator had said them: a
 * `/quit kicked by the operator: spamming` is a `quit` whose reason is the
 * member's, rendered "x left (quit: …)", while a real kick is a `kicked`.
 *
 * @module
 */

/**
 * - `quit`: the member left on their own (`/quit`, `{quit}`, a `quit` frame);
 *   `reason`, if any, is the member's own text.
 * - `kicked`, `banned`: the operator removed them; `reason` is the server's
 *   ("kicked by the operator: …", "banned by the operator for 2h").
 * - `disconnected`: the connection ended otherwise (closed, lost, timed out,
 *   dropped by the server); `reason` is the server's.
 */
export type LeaveKind = "quit" | "kicked" | "banned" | "disconnected";

/** The leave kind a session's closing `bye` code (a `ByeCode`) means; none: the connection just ended. */
export function leaveKindOf(code: string | undefined): LeaveKind {
  return code === "quit" || code === "kicked" || code === "banned" ? code : "disconnected";
}
