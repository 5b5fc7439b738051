/**
 * The program's version (from deno.json, so there is one place to bump it)
 * and the target it runs on.
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };

/** Version of this build, e.g. `0.1.0`. */
export const VERSION: string = denoJson.version;

/** The line `chat --version` prints: version and build target. */
export function versionLine(): string {
  return `chat ${VERSION} (${Deno.build.target})`;
}
