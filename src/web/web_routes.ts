/**
 * What the server answers an HTTP request on its port: one of the page's
 * files (with the headers of {@linkcode assetReply}), 404/405 without
 * details, or — for a WebSocket upgrade at `/ws` from the page's own
 * origin — `"upgrade"`, telling the caller to upgrade the connection
 * (`Deno.upgradeWebSocket`, or `ws`'s `handleUpgrade`). Uses only the
 * Fetch API's `Request` and `Response`.
 *
 * @example
 * ```ts
 * Deno.serve((request) => {
 *   const answer = webResponse(request, { secure: false });
 *   if (answer !== "upgrade") return answer;
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   // … one JSON frame per WebSocket text message …
 *   return response;
 * });
 * ```
 *
 * @module
 */

import { WEB_ASSETS } from "./assets.gen.ts";
import { assetReply, isSameOrigin, securityHeaders, WEB_SOCKET_PATH } from "./http_headers.ts";
import type { WebAsset } from "./web_asset.ts";

/** How the server is reached. */
export interface WebRouteOptions {
  /** True when the port speaks TLS: the page's origin is then `https://`. */
  secure: boolean;
  /** The files to serve; the page built into the binary by default. */
  assets?: ReadonlyMap<string, WebAsset>;
}

function refuse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: {
      ...securityHeaders(),
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}

/** The answer to `request`, or `"upgrade"` when it is a WebSocket upgrade the server should accept. */
export function webResponse(request: Request, options: WebRouteOptions): Response | "upgrade" {
  const url = new URL(request.url);
  if (url.pathname === WEB_SOCKET_PATH) {
    if (request.method !== "GET") return refuse(405, "Method not allowed.\n");
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return refuse(426, "This address is for the chat page's WebSocket.\n");
    }
    const origin = request.headers.get("origin");
    if (!isSameOrigin(origin, request.headers.get("host"), options.secure)) {
      return refuse(403, "Forbidden.\n");
    }
    return "upgrade";
  }
  const reply = assetReply(options.assets ?? WEB_ASSETS, {
    method: request.method,
    path: url.pathname,
    ifNoneMatch: request.headers.get("if-none-match"),
    acceptEncoding: request.headers.get("accept-encoding"),
  });
  return new Response(reply.body as BodyInit | null, {
    status: reply.status,
    headers: reply.headers,
  });
}
