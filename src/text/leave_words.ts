/**
 * How a `leave` record reads, in every client: a member's own reason is shown
 * as theirs ("left (quit: …)"), the server's and the operator's as the
 * server's ("left: kicked by the operator: …"), so that no `/quit` text can
 * pass for a kick.
 *
 * @example
 * ```ts
 * leaveWords({ kind: "quit", reason: "kicked by the operator" }); // "left (quit: kicked by the operator)"
 * leaveWords({ kind: "kicked", reason: "kicked by the operator" }); // "left: kicked by the operator"
 * ```
 *
 * @module
 */

import type { LeaveRecord } from "../protocol/frames.ts";

/** The words after the name in a leave announcement: "left", "left (quit: …)", "left: …". */
export function leaveWords(record: Pick<LeaveRecord, "kind" | "reason">): string {
  const { kind, reason } = record;
  if (!reason) return "left";
  switch (kind) {
    case "quit":
      return `left (quit: ${reason})`;
    case "kicked":
    case "banned":
    case "disconnected":
      return `left: ${reason}`;
    default:
      // Records stored before kinds existed (or from a newer server): nobody vouches for the reason.
      return `left (${reason})`;
  }
}
