import type { IncomingMessage, ServerResponse } from "node:http";

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * One port, two layers: /api/v1 (exactly, or /api/v1/…) goes to the lean Hono layer, /api/health
 * is answered here, everything else goes to Next. The client address is recorded in x-real-ip,
 * overwriting whatever the client sent, unless BATON_TRUST_PROXY says a proxy in front sets it.
 */
export function createRequestHandler(opts: { api: Handler; health: Handler; next: Handler; trustProxy: boolean }): Handler {
  return (req, res) => {
    const forwarded = opts.trustProxy ? String(req.headers["x-forwarded-for"] ?? "").split(",")[0].trim() : "";
    req.headers["x-real-ip"] = forwarded || req.socket.remoteAddress || "";
    const url = req.url ?? "/";
    const pathname = url.split("?", 1)[0];
    if (pathname === "/api/v1" || pathname.startsWith("/api/v1/")) return opts.api(req, res);
    if (pathname === "/api/health") return opts.health(req, res);
    return opts.next(req, res);
  };
}
