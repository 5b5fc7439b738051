/**
 * File sizes as people read them: "512 B", "14 KB", "2.1 MB", "1.3 GB"
 * (decimal units, as file managers and browsers show them).
 *
 * @example
 * ```ts
 * formatSize(2_100_000); // "2.1 MB"
 * ```
 *
 * @module
 */

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** `bytes` in the largest unit that keeps it at least 1, with one decimal under 10. */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  const shown = value < 10 ? (Math.floor(value * 10) / 10).toFixed(1) : String(Math.floor(value));
  return `${shown} ${UNITS[unit]}`;
}
