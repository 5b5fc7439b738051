/**
 * A description of the machine a benchmark ran on, for the record.
 *
 * @module
 */

/** The machine, as reported with every benchmark result. */
export interface MachineDescription {
  os: string;
  arch: string;
  kernel: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  deno: string;
  v8: string;
}

/** Describes this machine (the CPU model only where `/proc/cpuinfo` exists). */
export function describeMachine(): MachineDescription {
  return {
    os: Deno.build.os,
    arch: Deno.build.arch,
    kernel: Deno.osRelease(),
    cpuModel: cpuModel(),
    cores: navigator.hardwareConcurrency,
    memoryBytes: Deno.systemMemoryInfo().total,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
  };
}

function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return info.match(/^model name\s*:\s*(.+)$/m)?.[1].trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}
