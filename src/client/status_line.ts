/**
 * The status bar above the input line: who you are, where, the window shown,
 * how many are here — or that the connection is being re-established — and
 * the activity list: the other windows with unread messages and how many
 * (`#homework 3  @bob 1!`; a `!` and the alert style mark those that
 * mention you or are private messages to you). Pure: state and width in,
 * one styled line of exactly that many cells out. When the width is short,
 * the address goes first, then the windows at the end of the activity list
 * (counted as `+2`).
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
import type { Activity } from "./windows.ts";

/** What the status bar shows. */
export interface StatusInfo {
  name: string;
  /** `host:port` of the room. */
  address: string;
  /** True over TLS. */
  secure?: boolean;
  /** The window shown: its room (`#general`), or `@bob` for a private conversation. */
  room?: string;
  /** True when the window shown is a private conversation (no member count). */
  private?: boolean;
  members: number;
  /** Other windows with unread messages, in window order. */
  activity?: readonly Activity[];
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
  let left = ` ${info.name} @ ${info.address}${info.secure ? " (TLS)" : ""}${room} `;
  let right: string;
  switch (info.state) {
    case "connected": {
      const here = info.private ? "private" : `${info.members} here`;
      right = info.waiting ? ` ${info.waiting} waiting | ${here} | /help ` : ` ${here} | /help `;
      break;
    }
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
  const activity = info.activity ?? [];
  if (activity.length === 0) return style(fit(left, right, width));
  // The window shown matters more than the address: drop the address when space is short.
  if (cellWidth(left) + cellWidth(right) + activityWidth(activity.slice(0, 1), 1) > width) {
    left = ` ${info.name}${room} `;
  }
  const shown = fitActivity(activity, width - cellWidth(right) - cellWidth(left));
  if (shown.length === 0) return style(fit(left, right, width));
  const plain = activityText(shown, activity.length - shown.length);
  const fitted = fit(left, ` ${plain} |${right}`, width);
  // Style the entries that call for you inside the bar (the plain text found where it was put).
  const at = fitted.lastIndexOf(plain);
  if (at < 0) return style(fitted);
  const styled = activityText(shown, activity.length - shown.length, theme.activityAlert);
  return style(fitted.slice(0, at) + styled + fitted.slice(at + plain.length));
}

/** The activity list's text: `#homework 3  @bob 1!`, then `+N` for windows left out. */
function activityText(
  shown: readonly Activity[],
  leftOut: number,
  alertStyle: (text: string) => string = (text) => text,
): string {
  const items = shown.map((item) => {
    const text = `${item.label} ${item.unread}${item.alert ? "!" : ""}`;
    return item.alert ? alertStyle(text) : text;
  });
  if (leftOut > 0) items.push(`+${leftOut}`);
  return items.join("  ");
}

/** Cells the activity list takes in the bar, with its separator. */
function activityWidth(shown: readonly Activity[], leftOut: number): number {
  return cellWidth(activityText(shown, leftOut)) + 3;
}

/** As many of the activity list's first windows as fit `cells` (with the `+N` for the rest). */
function fitActivity(activity: readonly Activity[], cells: number): Activity[] {
  for (let count = activity.length; count > 0; count--) {
    const shown = activity.slice(0, count);
    if (activityWidth(shown, activity.length - count) <= cells) return shown;
  }
  return [];
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
