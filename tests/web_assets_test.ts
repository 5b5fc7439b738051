import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { WEB_ASSETS } from "../src/web/assets.gen.ts";
import { buildWebFiles, etagOf } from "../scripts/build_web.ts";
import { assert, assertEquals } from "./support/assert.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("src/web/assets.gen.ts is up to date with src/web/ (else run `deno task build:web`)", async () => {
  const built = await buildWebFiles();
  assertEquals([...WEB_ASSETS.keys()], built.map((file) => file.path));
  for (const file of built) {
    const asset = WEB_ASSETS.get(file.path)!;
    assert(decode(asset.body) === file.text, `${file.path} is stale: run deno task build:web`);
    assertEquals(asset.contentType, file.contentType);
    assertEquals(asset.etag, await etagOf(file.text));
    assertEquals(decode(gunzipSync(asset.gzip)), file.text, `${file.path} gzip`);
    assertEquals(decode(brotliDecompressSync(asset.brotli)), file.text, `${file.path} brotli`);
  }
});

Deno.test("the whole page is under 150 KB uncompressed", () => {
  const total = [...WEB_ASSETS.values()].reduce((sum, asset) => sum + asset.body.length, 0);
  assert(total < 150 * 1024, `${total} bytes`);
});

Deno.test("the page loads nothing from other origins and has no inline script or style", () => {
  for (const [path, asset] of WEB_ASSETS) {
    const text = decode(asset.body).replaceAll("http://www.w3.org/2000/svg", "");
    assert(!/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i.test(text), `${path} names another origin`);
    assert(!/@import|@font-face/i.test(text), `${path} imports CSS or fonts`);
  }
  const html = decode(WEB_ASSETS.get("/")!.body);
  assertEquals(html.match(/<script/g)?.length, 1);
  assert(html.includes('<script type="module" src="/app.js"></script>'));
  assert(!/ style=|<style|\son[a-z]+=/i.test(html), "no inline style or event handler");
});

Deno.test("text sizes are relative, so the page follows the browser's text size", () => {
  const css = decode(WEB_ASSETS.get("/app.css")!.body);
  assert(css.includes("font-size"), "the stylesheet sets sizes");
  assert(!/font(-size)?:[^;}]*\d(px|pt)/.test(css), "no absolute font sizes");
  assert(!/(^|})\s*(html|:root)\s*{[^}]*font-size/.test(css), "the root size is the browser's");
});
