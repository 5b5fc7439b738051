/**
 * Time formatting for people.
 *
 * @module
 */

/** Formats a timestamp (ms since epoch) as local `HH:MM`. */
export function formatClock(ts: number): string {
  const date = new Date(ts);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

/** Formats a timestamp as local `YYYY-MM-DD HH:MM`, for things older than today. */
function formatDateTime(ts: number): string {
  const date = new Date(ts);
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${
    formatClock(ts)
  }`;
}

/**
 * Formats a timestamp as `HH:MM` when it is from the same local day as `now`,
 * else as `YYYY-MM-DD HH:MM`: history replayed after a restart may be days old.
 */
export function formatStamp(ts: number, now: number = Date.now()): string {
  const date = new Date(ts);
  const today = new Date(now);
  const sameDay = date.getDate() === today.getDate() && date.getMonth() === today.getMonth() &&
    date.getFullYear() === today.getFullYear();
  return sameDay ? formatClock(ts) : formatDateTime(ts);
}

/** Formats a duration in ms as a short phrase: "45s", "3m", "2h 5m". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration such as `90s`, `10m`, `2h` or `1d` into ms; `undefined` if it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim().toLowerCase());
  return match ? Number(match[1]) * UNIT_MS[match[2]] : undefined;
}
