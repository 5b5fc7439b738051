/**
 * Checks that everything the program imports is known when the binary is
 * built: `deno compile` embeds the module graph it can see, so an import or
 * `require` whose target is computed at run time, a remote module, or a file
 * read beside the source would work from the source tree and break in a
 * binary on someone else's computer.
 *
 * Three views:
 * - `deno info --json main.ts`: our own modules, all local, none dynamic;
 * - `deno bundle`: the whole graph including every npm package in deno.json
 *   "imports" flattened by esbuild. A call it could not resolve statically is
 *   left in the output as `require(...)`/`import(...)`; the only ones allowed
 *   are Node built-ins named by a string literal;
 * - our own source never locates files relative to itself (`import.meta.url`
 *   and friends): help texts and the like are imported as modules.
 *
 * Run it alone with `deno run -A scripts/release/module_graph.ts`.
 *
 * @module
 */

import { builtinModules } from "node:module";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root (where deno.json is). */
export const REPOSITORY_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** What the checks found: an empty `problems` list means the graph is static. */
export interface GraphReport {
  /** How many of our own modules the graph has. */
  localModules: number;
  /** npm packages bundled (names from deno.json "imports"). */
  npmPackages: string[];
  /** One sentence per problem. */
  problems: string[];
}

interface InfoModule {
  specifier: string;
  error?: string;
  dependencies?: { specifier: string; isDynamic?: boolean; code?: { specifier?: string } }[];
}

/** Checks our own modules with `deno info --json`: local files, npm and node built-ins only, no dynamic import. */
async function checkLocalGraph(
  root: string = REPOSITORY_ROOT,
  entry = "main.ts",
): Promise<{ localModules: number; problems: string[] }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", join(root, entry)],
    cwd: root,
    stdin: "null",
  }).output();
  if (!output.success) {
    return { localModules: 0, problems: [`deno info failed: ${decode(output.stderr).trim()}`] };
  }
  const info = JSON.parse(decode(output.stdout)) as { modules: InfoModule[] };
  const problems: string[] = [];
  let localModules = 0;
  for (const module of info.modules) {
    const where = describe(module.specifier, root);
    if (module.error) problems.push(`${where}: ${module.error}`);
    if (module.specifier.startsWith("file:")) {
      localModules++;
      if (relative(root, fileURLToPath(module.specifier)).startsWith("..")) {
        problems.push(`${where} is outside the repository.`);
      }
    } else if (!/^(npm|node):/.test(module.specifier)) {
      problems.push(`${where} is a remote module; use an npm: import in deno.json instead.`);
    }
    for (const dependency of module.dependencies ?? []) {
      if (dependency.isDynamic) {
        problems.push(
          `${where} imports "${dependency.specifier}" dynamically; import it statically.`,
        );
      }
    }
  }
  return { localModules, problems };
}

/**
 * Packages used only to build the browser page and to test it, never by the
 * program: the binary does not carry them, so they are not checked.
 */
const BUILD_AND_TEST_ONLY = new Set(["esbuild", "puppeteer-core", "axe-core"]);

/** The npm packages deno.json "imports" maps for the program, by import name. */
async function npmImportNames(root: string = REPOSITORY_ROOT): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  return Object.entries(config.imports ?? {})
    .filter(([name, target]) => String(target).startsWith("npm:") && !BUILD_AND_TEST_ONLY.has(name))
    .map(([name]) => name);
}

/** Bundles main.ts plus every npm package in deno.json "imports" with `deno bundle`; returns the code. */
async function bundleProgram(
  root: string = REPOSITORY_ROOT,
  packages: readonly string[],
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "chat-graph-" });
  try {
    const entry = join(dir, "entry.ts");
    // Re-export (not just import) so the bundler cannot drop a package as side-effect free.
    const lines = [
      `export * as program from ${JSON.stringify(pathToFileURL(join(root, "main.ts")).href)};`,
    ];
    packages.forEach((name, index) =>
      lines.push(`export * as npm${index} from ${JSON.stringify(name)};`)
    );
    await Deno.writeTextFile(entry, lines.join("\n") + "\n");
    const out = join(dir, "bundle.js");
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--config", join(root, "deno.json"), "--platform", "deno", "-o", out, entry],
      cwd: root,
      stdin: "null",
      env: { NO_COLOR: "1" },
    }).output();
    if (!output.success) throw new Error(`deno bundle failed:\n${decode(output.stderr)}`);
    return await Deno.readTextFile(out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const NODE_BUILTINS = new Set(builtinModules);
/**
 * Optional native add-ons a library loads inside try/catch and works without
 * (absent from the binary, the library's own JavaScript is used).
 */
const OPTIONAL_ADDONS: Readonly<Record<string, string>> = {
  bufferutil: "ws: faster WebSocket masking; ws falls back to JavaScript",
  "utf-8-validate": "ws: faster UTF-8 checks; ws falls back to the runtime's",
  "supports-color": "debug (under ioredis): colours in its DEBUG output, plain without it",
};

/**
 * The `require(...)`/`import(...)` calls left in bundled code that are not a
 * Node built-in named by a string literal, each as a short excerpt.
 *
 * @example
 * ```ts
 * findUnresolvedImports('require("node:fs"); require(name);'); // ["require(name)"]
 * ```
 */
export function findUnresolvedImports(code: string): string[] {
  const found: string[] = [];
  const call = /(?<![\w$.])(require|__require|import)\s*\(/g;
  for (const match of code.matchAll(call)) {
    const start = match.index + match[0].length;
    const literal = stringLiteralAt(code, start);
    const excerpt = `${match[1]}(${code.slice(start, start + 60).split(")")[0].trim()})`;
    if (literal === undefined) {
      if (/^\s*\)/.test(code.slice(start))) continue; // "import()" in prose, not a call with a target
      if (/^[^()]*\)\s*\{/.test(code.slice(start, start + 200))) continue; // a method named import
      found.push(excerpt);
    } else if (
      !literal.startsWith("node:") && !NODE_BUILTINS.has(literal) &&
      !Object.hasOwn(OPTIONAL_ADDONS, literal)
    ) {
      found.push(excerpt);
    }
  }
  return found;
}

/** The value of the string literal starting (after spaces) at `index` and closed before `)` or `,`. */
function stringLiteralAt(code: string, index: number): string | undefined {
  const match = /^\s*(["'`])((?:(?!\1)[^\\\n]|\\.)*)\1\s*[),]/.exec(code.slice(index, index + 300));
  if (!match || (match[1] === "`" && match[2].includes("${"))) return undefined;
  return match[2];
}

/**
 * Places in the program's own modules (main.ts and src/) that locate files
 * relative to the source (`import.meta.url`, `.dirname`, `.filename`,
 * `.resolve`): in a binary those point inside it, not at files beside it.
 */
export async function findSourceRelativePaths(root: string = REPOSITORY_ROOT): Promise<string[]> {
  const found: string[] = [];
  const files = [join(root, "main.ts"), ...await listTypeScript(join(root, "src"))];
  for (const file of files) {
    const lines = (await Deno.readTextFile(file)).split("\n");
    lines.forEach((line, index) => {
      if (/import\.meta\.(url|dirname|filename|resolve)\b/.test(line)) {
        found.push(`${describe(pathToFileURL(file).href, root)}:${index + 1}: ${line.trim()}`);
      }
    });
  }
  return found;
}

async function listTypeScript(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await listTypeScript(path));
    else if (/\.(ts|tsx|js|mjs)$/.test(entry.name)) files.push(path);
  }
  return files.sort();
}

/** Runs every check over the program and every npm package deno.json lists. */
export async function checkModuleGraph(root: string = REPOSITORY_ROOT): Promise<GraphReport> {
  const local = await checkLocalGraph(root);
  const npmPackages = await npmImportNames(root);
  const problems = [...local.problems];
  for (const place of await findSourceRelativePaths(root)) {
    problems.push(
      `${place} — a path relative to the source does not exist in a binary; import the file as a module.`,
    );
  }
  const bundle = await bundleProgram(root, npmPackages);
  for (const call of findUnresolvedImports(bundle)) {
    problems.push(`The bundle still has ${call}: a computed or unresolvable import.`);
  }
  return { localModules: local.localModules, npmPackages, problems };
}

function describe(specifier: string, root: string): string {
  if (!specifier.startsWith("file:")) return specifier;
  return relative(root, fileURLToPath(specifier)).replaceAll("\\", "/") || resolve(root);
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

if (import.meta.main) {
  const report = await checkModuleGraph();
  for (const problem of report.problems) console.error(problem);
  console.log(
    `${report.localModules} local modules and ${report.npmPackages.length} npm packages ` +
      `(${report.npmPackages.join(", ")}): ` +
      (report.problems.length === 0
        ? "the module graph is static."
        : `${report.problems.length} problem(s).`),
  );
  Deno.exit(report.problems.length === 0 ? 0 : 1);
}
