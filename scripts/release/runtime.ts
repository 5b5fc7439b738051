/**
 * Where `deno compile` gets the runtime (`denort`) it puts inside every
 * binary, and how to say so when it cannot get one.
 *
 * Deno 2.9 takes, in this order: the executable named by `DENORT_BIN` (one
 * runtime, for one target); the zip it downloaded before, cached at
 * `$DENO_DIR/dl/release/v<deno version>/denort-<target>.zip`; a download of
 * that zip from dl.deno.land (which is what fails on a machine without
 * internet access).
 *
 * @module
 */

import { join } from "node:path";
import type { Target } from "./targets.ts";

/** Where the runtime for one target will come from. */
export type RuntimeSource =
  | { kind: "DENORT_BIN"; path: string; exists: boolean }
  | { kind: "cache"; path: string }
  | { kind: "download"; cachePath: string };

/** What decides the runtime source: the environment and Deno's cache directory. */
export interface RuntimeContext {
  /** Value of `DENORT_BIN`, if set. */
  denortBin?: string;
  /** Deno's cache directory (`deno info --json` → `denoDir`). */
  denoDir: string;
  /** The version of the Deno doing the compiling, e.g. `2.9.6`. */
  denoVersion: string;
}

/** Where Deno keeps the downloaded runtime zip for `target`. */
export function cachedRuntimePath(context: RuntimeContext, target: Target): string {
  return join(context.denoDir, "dl", "release", `v${context.denoVersion}`, `denort-${target}.zip`);
}

/** Where the runtime for `target` comes from, checking the files that exist now. */
export function runtimeSource(context: RuntimeContext, target: Target): RuntimeSource {
  if (context.denortBin) {
    return { kind: "DENORT_BIN", path: context.denortBin, exists: isFile(context.denortBin) };
  }
  const cachePath = cachedRuntimePath(context, target);
  return isFile(cachePath) ? { kind: "cache", path: cachePath } : { kind: "download", cachePath };
}

/** Reads Deno's cache directory and version from the `deno` at `denoPath`. */
export async function runtimeContext(
  denoPath: string = Deno.execPath(),
  denortBin: string | undefined = Deno.env.get("DENORT_BIN"),
): Promise<RuntimeContext> {
  const output = await new Deno.Command(denoPath, {
    args: ["info", "--json"],
    stdin: "null",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`"${denoPath} info --json" failed.`);
  const info = JSON.parse(new TextDecoder().decode(output.stdout));
  return {
    denortBin: denortBin || undefined,
    denoDir: info.denoDir,
    denoVersion: info.denoVersion,
  };
}

/** Whether `deno compile` failed because it could not download the runtime. */
export function isRuntimeDownloadFailure(stderr: string): boolean {
  return stderr.includes("Setting up base binary") ||
    /error sending request for url \(https:\/\/dl\.deno\.land\//.test(stderr);
}

/** The message for a runtime that could not be downloaded: what happened and the two offline routes. */
export function runtimeUnavailableMessage(context: RuntimeContext, target: Target): string {
  return [
    `Could not download the runtime deno compile puts inside the binary for ${target} ` +
    `(https://dl.deno.land/release/v${context.denoVersion}/denort-${target}.zip): ` +
    "this machine cannot reach that site.",
    "Offline, give it one of two ways:",
    `  - set DENORT_BIN to a denort executable for ${target} of Deno ${context.denoVersion} ` +
    "(unzipped from that file) and build that one target with --target;",
    `  - or copy denort-${target}.zip to ${cachedRuntimePath(context, target)} ` +
    "(a connected machine that ran deno task compile has it in the same place under its DENO_DIR).",
  ].join("\n");
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
