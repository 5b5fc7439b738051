/**
 * CPU time and memory of another process, read from Linux's `/proc`. On other
 * systems (or when `/proc` cannot be read) every reading is `null`, and the
 * benchmark reports those figures as unavailable instead of failing.
 *
 * @module
 */

/** One reading of a process's resource use. */
export interface ProcessStats {
  /** User-mode CPU time so far, in seconds (all threads). */
  userSeconds: number;
  /** Kernel-mode CPU time so far, in seconds (all threads). */
  systemSeconds: number;
  /** Resident memory now, in bytes (VmRSS). */
  rssBytes: number;
  /** Highest resident memory so far, in bytes (VmHWM). */
  peakRssBytes: number;
}

// USER_HZ: the unit of /proc/<pid>/stat times. The kernel fixes it at 100 on
// every architecture Deno runs on, whatever the kernel's internal tick rate.
const TICKS_PER_SECOND = 100;

/** Reads the stats of process `pid`, or `null` when they are not available here. */
export function readProcessStats(pid: number): ProcessStats | null {
  if (Deno.build.os !== "linux") return null;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    // The command name (field 2) may contain spaces and parentheses: split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return {
      userSeconds: utime / TICKS_PER_SECOND,
      systemSeconds: stime / TICKS_PER_SECOND,
      rssBytes: statusKilobytes(status, "VmRSS") * 1024,
      peakRssBytes: statusKilobytes(status, "VmHWM") * 1024,
    };
  } catch {
    return null;
  }
}

function statusKilobytes(status: string, field: string): number {
  const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  if (!match) throw new Error(`no ${field} in /proc status`);
  return Number(match[1]);
}
