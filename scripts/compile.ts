/**
 * `deno task compile`: builds the release binaries into `dist/`, one per
 * target, named `chat-<version>-<target>[.exe]`, and a `SHA256SUMS` beside
 * them. Every binary gets exactly the permissions in src/cli/permissions.ts.
 *
 * ```sh
 * deno task compile                                   # every target
 * deno task compile --target host                     # this computer only
 * deno task compile --target aarch64-apple-darwin,x86_64-pc-windows-msvc
 * ```
 *
 * Exit codes: 0 built, 1 a build failed, 2 bad arguments.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { binaryRunFlags } from "../src/cli/permissions.ts";
import { VERSION } from "../src/version.ts";
import { CHECKSUM_FILE, writeChecksums } from "./release/checksums.ts";
import { checkModuleGraph, REPOSITORY_ROOT } from "./release/module_graph.ts";
import {
  isRuntimeDownloadFailure,
  type RuntimeContext,
  runtimeContext,
  runtimeSource,
  runtimeUnavailableMessage,
} from "./release/runtime.ts";
import {
  ALL_TARGETS,
  binaryName,
  hostTarget,
  selectTargets,
  type Target,
  TARGETS,
} from "./release/targets.ts";

const HELP = `Usage: deno task compile [options]

Builds chat-${VERSION}-<target>[.exe] for each target, and SHA256SUMS, into dist/.

Options:
  --target LIST     targets to build, comma-separated or repeated; "host" is this
                    computer (default: all)
  --out-dir DIR     where to put them (default: dist)
  -h, --help        show this help

Targets:
${ALL_TARGETS.map((target) => `  ${target.padEnd(28)}${TARGETS[target]}`).join("\n")}

Offline: deno compile downloads a runtime per target from dl.deno.land. Without
that site, set DENORT_BIN to a runtime executable (one target), or put the
runtime zip into Deno's cache (the error message gives the exact place).`;

/** A problem with the command line (exit code 2). */
class UsageError extends Error {}

/** The options `deno task compile` was run with. */
export interface CompileOptions {
  targets: Target[];
  outDir: string;
}

/** Parses the command line; `null` means help was asked for. */
export function parseCompileArgs(args: string[], denortBin?: string): CompileOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: "string", multiple: true },
        "out-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. See deno task compile --help.`);
  }
  if (values.help) return null;
  let targets: Target[];
  try {
    targets = values.target ? selectTargets(values.target) : [...ALL_TARGETS];
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (denortBin) {
    // DENORT_BIN replaces the runtime of every target, so it can only build the one it is for.
    if (!values.target) targets = [hostTarget()];
    if (targets.length !== 1) {
      throw new UsageError(
        "DENORT_BIN is the runtime of one target; build that target alone with --target.",
      );
    }
  }
  return { targets, outDir: resolve(values["out-dir"] ?? join(REPOSITORY_ROOT, "dist")) };
}

/** The `deno compile` arguments for one target. */
export function compileArguments(target: Target, output: string): string[] {
  return [
    "compile",
    ...binaryRunFlags(),
    "--frozen-lockfile",
    "--target",
    target,
    "--output",
    output,
    join(REPOSITORY_ROOT, "main.ts"),
  ];
}

/**
 * Builds the binary for one target into `outDir` and returns its file name.
 * Throws a readable error when deno compile fails; `env` adds variables for
 * the deno compile process.
 */
export async function buildTarget(
  context: RuntimeContext,
  target: Target,
  outDir: string,
  env: Record<string, string> = {},
): Promise<string> {
  const name = binaryName(VERSION, target);
  const source = runtimeSource(context, target);
  const from = source.kind === "download"
    ? "downloading the runtime"
    : `runtime from ${source.kind === "cache" ? source.path : "DENORT_BIN"}`;
  console.log(`Building ${name} (${TARGETS[target]}; ${from})…`);
  const output = await new Deno.Command(Deno.execPath(), {
    args: compileArguments(target, join(outDir, name)),
    cwd: REPOSITORY_ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) {
    if (isRuntimeDownloadFailure(stderr)) {
      throw new Error(runtimeUnavailableMessage(context, target));
    }
    throw new Error(`deno compile failed for ${target}:\n${stderr.trim()}`);
  }
  return name;
}

/** Every binary of this version already in `outDir` (a subset build adds to earlier ones). */
async function binariesIn(outDir: string): Promise<string[]> {
  const wanted = new Set(ALL_TARGETS.map((target) => binaryName(VERSION, target)));
  const found: string[] = [];
  for await (const entry of Deno.readDir(outDir)) {
    if (entry.isFile && wanted.has(entry.name)) found.push(entry.name);
  }
  return found;
}

/** Runs the build; returns the exit code. */
async function runCompile(args: string[]): Promise<number> {
  const denortBin = Deno.env.get("DENORT_BIN") || undefined;
  let options: CompileOptions | null;
  try {
    options = parseCompileArgs(args, denortBin);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  if (!options) {
    console.log(HELP);
    return 0;
  }
  try {
    const context = await runtimeContext(Deno.execPath(), denortBin);
    const denort = runtimeSource(context, options.targets[0]);
    if (denort.kind === "DENORT_BIN" && !denort.exists) {
      throw new Error(
        `DENORT_BIN is set to ${denort.path}, but there is no file there. ` +
          "Point it at a denort executable, or unset it to use Deno's cache or a download.",
      );
    }
    const graph = await checkModuleGraph();
    if (graph.problems.length > 0) {
      throw new Error(
        `The module graph is not static, so a binary could miss code:\n${
          graph.problems.join("\n")
        }`,
      );
    }
    await Deno.mkdir(options.outDir, { recursive: true });
    for (const target of options.targets) await buildTarget(context, target, options.outDir);
    const sums = await writeChecksums(options.outDir, await binariesIn(options.outDir));
    console.log(`\n${join(options.outDir, CHECKSUM_FILE)}:\n${sums.trimEnd()}`);
    return 0;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await runCompile(Deno.args));
}
