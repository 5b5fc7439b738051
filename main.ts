/**
 * `chat`: one executable with two subcommands, `serve` and `join`.
 * See README.md, or run `chat --help`.
 *
 * @module
 */

import { main } from "./src/cli/main.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
