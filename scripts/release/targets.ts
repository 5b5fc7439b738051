/**
 * The platforms `deno compile` builds `chat` for, and the file name of each
 * binary.
 *
 * @module
 */

/** A target triple `deno compile --target` accepts (Deno 2.9: `deno compile --help`). */
export type Target =
  | "x86_64-unknown-linux-gnu"
  | "aarch64-unknown-linux-gnu"
  | "x86_64-apple-darwin"
  | "aarch64-apple-darwin"
  | "x86_64-pc-windows-msvc"
  | "aarch64-pc-windows-msvc";

/** Every target, with the computer it is for (README's download table uses the same words). */
export const TARGETS: Readonly<Record<Target, string>> = {
  "x86_64-unknown-linux-gnu": "Linux on Intel/AMD (x86_64)",
  "aarch64-unknown-linux-gnu":
    "Linux on ARM (aarch64: Raspberry Pi 4/5 with a 64-bit OS, ARM servers)",
  "x86_64-apple-darwin": "macOS on Intel",
  "aarch64-apple-darwin": "macOS on Apple silicon (M1 and later)",
  "x86_64-pc-windows-msvc": "Windows on Intel/AMD (x86_64)",
  "aarch64-pc-windows-msvc": "Windows on ARM",
};

/** All targets, in the order they are built. */
export const ALL_TARGETS = Object.keys(TARGETS) as Target[];

/** Whether `name` is a target `deno compile` knows. */
function isTarget(name: string): name is Target {
  return Object.hasOwn(TARGETS, name);
}

/** The target of the Deno running this code. */
export function hostTarget(): Target {
  const target = Deno.build.target;
  if (!isTarget(target)) {
    throw new Error(`deno compile has no runtime for this computer (${target}).`);
  }
  return target;
}

/**
 * The release file name: `chat-<version>-<target>`, with `.exe` for Windows.
 *
 * @example
 * ```ts
 * binaryName("0.1.0", "x86_64-pc-windows-msvc"); // "chat-0.1.0-x86_64-pc-windows-msvc.exe"
 * ```
 */
export function binaryName(version: string, target: Target): string {
  return `chat-${version}-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/**
 * Turns `--target` values into targets: each value may be a comma-separated
 * list, `host` means this computer's target, no value means all of them.
 * Throws a message listing the valid names for an unknown one.
 */
export function selectTargets(values: readonly string[]): Target[] {
  const names = values.flatMap((value) => value.split(",")).map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) return [...ALL_TARGETS];
  const chosen = new Set<Target>();
  for (const name of names) {
    const target = name === "host" ? hostTarget() : name;
    if (!isTarget(target)) {
      throw new Error(
        `Unknown target "${name}". Use "host" or one of: ${ALL_TARGETS.join(", ")}.`,
      );
    }
    chosen.add(target);
  }
  return ALL_TARGETS.filter((target) => chosen.has(target));
}
