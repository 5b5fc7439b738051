/**
 * The status bar above the input line: who you are, where, how many are
 * here — or that the connection is being re-established. Pure: state and
 * width in, one styled line of exactly that many cells out.
 *
 * @example
 * ```ts
 * formatStatus({ name: "alice", address: "localhost:53000", members: 3, state: "connected" },
 *   40, theme);
 * // " alice @ localhost:53000        3 here " (inverse)
 * ```
 *
 * @module
 */

import { cellWidth, graphemes } from "../text/wrap.ts";
import type { Theme } from "./theme.ts";

/** What the status bar shows. */
export interface StatusInfo {
  name: string;
  /** `host:port` of the room. */
  address: string;
  /** True over TLS. */
  secure?: boolean;
  /** The room you are in (`#general`), once joined. */
  room?: string;
  members: number;
  /**
   * `naming`: the server refused the name and the input line asks for another;
   * `password`: the room wants a (different) password.
   */
  state: "connected" | "reconnecting" | "naming" | "password";
  /** For `reconnecting`: seconds until the next attempt (0 while it runs). */
  retryInSeconds?: number;
  /** Set while the view is scrolled back: how many entries arrived below it. */
  newBelow?: number;
  /** Lines typed that wait for the room's rate limit. */
  waiting?: number;
  /** A file transfer under way, as its progress bar (file_transfer.ts). */
  transfer?: string;
}

/** Formats the status bar, exactly `width` cells wide. */
export function formatStatus(info: StatusInfo, width: number, theme: Theme): string {
  const room = info.room ? ` ${info.room}` : "";
  const left = ` ${info.name} @ ${info.address}${info.secure ? " (TLS)" : ""}${room} `;
  let right: string;
  switch (info.state) {
    case "connected":
      right = info.waiting
        ? ` ${info.waiting} waiting | ${info.members} here | /help `
        : ` ${info.members} here | /help `;
      break;
    case "reconnecting":
      right = info.retryInSeconds
        ? ` reconnecting… next try in ${info.retryInSeconds}s `
        : " reconnecting… ";
      break;
    case "naming":
      right = " name refused: type another name ";
      break;
    case "password":
      right = " type the room password ";
      break;
  }
  if (info.newBelow !== undefined) right = ` scrolled — ${info.newBelow} new below |${right}`;
  if (info.transfer !== undefined) right = ` ${info.transfer} |${right}`;
  const style = info.state === "connected" ? theme.statusBar : theme.statusAlert;
  return style(fit(left, right, width));
}

/** Puts `left` and `right` at the two ends of `width` cells, shortening `left` first. */
function fit(left: string, right: string, width: number): string {
  const rightWidth = cellWidth(right);
  if (rightWidth >= width) {
    const shown = truncate(right, width);
    return shown + " ".repeat(width - cellWidth(shown));
  }
  const leftRoom = width - rightWidth;
  // Keep at least one blank between the two halves when the left one must be shortened.
  const shownLeft = cellWidth(left) <= leftRoom ? left : truncate(left, leftRoom - 1);
  return shownLeft + " ".repeat(leftRoom - cellWidth(shownLeft)) + right;
}

/** The longest start of `text` that fits `width` cells. */
function truncate(text: string, width: number): string {
  let out = "";
  let used = 0;
  for (const cluster of graphemes(text)) {
    const w = cellWidth(cluster);
    if (used + w > width) break;
    out += cluster;
    used += w;
  }
  return out;
}
