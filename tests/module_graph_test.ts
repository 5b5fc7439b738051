import { join } from "node:path";
import {
  checkModuleGraph,
  findSourceRelativePaths,
  findUnresolvedImports,
} from "../scripts/release/module_graph.ts";
import { assert, assertEquals } from "./support/assert.ts";

Deno.test("the whole module graph, npm packages included, is static and inside the binary", async () => {
  const report = await checkModuleGraph();
  assertEquals(report.problems, []);
  assert(report.localModules > 10, `only ${report.localModules} local modules seen`);
});

Deno.test("computed and unresolvable imports left in a bundle are found", () => {
  const code = [
    'const fs = __require("node:fs");',
    "const tty = require('tty');",
    "const plugin = require(pluginName);",
    'const extra = require("left-pad");',
    "const page = await import(`./pages/${name}.js`);",
    "const fixed = await import(`node:path`);",
    'throw new Error("use import() instead");',
    "obj.require(name);",
    "class Asn { import(data, options) { return data; } }",
  ].join("\n");
  assertEquals(findUnresolvedImports(code), [
    "require(pluginName)",
    'require("left-pad")',
    "import(`./pages/${name}.js`)",
  ]);
});

Deno.test("paths relative to the source are found, and our source has none", async () => {
  assertEquals(await findSourceRelativePaths(), []);
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "src"));
    await Deno.writeTextFile(join(root, "main.ts"), "if (import.meta.main) {}\n");
    await Deno.writeTextFile(
      join(root, "src", "page.ts"),
      'export const page = await Deno.readTextFile(new URL("page.html", import.meta.url));\n',
    );
    const found = await findSourceRelativePaths(root);
    assertEquals(found.length, 1);
    assert(found[0].startsWith("src/page.ts:1:"), found[0]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
