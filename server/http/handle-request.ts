import type { IncomingMessage, ServerResponse } from "node:http";
import { limitNodeBody, MAX_BODY_BYTES, refuseNodeRequest } from "./body-limit";
import { contentSecurityPolicy, STRICT_TRANSPORT_SECURITY } from "./content-security-policy";
import { hostnameOf } from "./hostname";
import { markLocalRequest } from "./local-request";

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export type RequestHandlerOptions = {
  api: Handler;
  /** The public `POST /hooks/{token}` of incoming webhooks (server/incoming-webhooks/hooks-app.ts). */
  hooks: Handler;
  health: Handler;
  next: Handler;
  trustProxy: boolean;
  /** Off: the Stripe webhook answers 404 before reading a byte of the body. */
  billing: boolean;
  /**
   * Host names this server answers for, or null for any. Set while the dev mailbox is on, so a web
   * page that rebinds its own DNS name to this address (DNS rebinding) gets nothing.
   */
  allowedHostnames: ReadonlySet<string> | null;
  /** `next dev`: its overlay and hot reload need eval. */
  dev: boolean;
  /** The public URL is https: pages send Strict-Transport-Security. */
  https: boolean;
};

/**
 * One port, two layers: /api/v1 (exactly, or /api/v1/…) goes to the lean Hono layer, /api/health
 * is answered here, everything else goes to Next, with its body bounded first (Next would read
 * any size into memory) and a Content-Security-Policy with a fresh script nonce. The client address is recorded in x-real-ip, overwriting whatever the
 * client sent, unless BATON_TRUST_PROXY says a proxy in front sets it.
 */
export function createRequestHandler(opts: RequestHandlerOptions): Handler {
  return (req, res) => {
    markLocalRequest(req, opts.trustProxy);
    const forwarded = opts.trustProxy ? String(req.headers["x-forwarded-for"] ?? "").split(",")[0].trim() : "";
    req.headers["x-real-ip"] = forwarded || req.socket.remoteAddress || "";
    if (opts.allowedHostnames && !opts.allowedHostnames.has(hostnameOf(req.headers.host))) {
      return refuseNodeRequest(req, res, 421, {
        error: { code: "misdirected_request", message: `This server does not answer for the host "${req.headers.host ?? ""}". Open it at localhost or its BATON_PUBLIC_URL.` },
      });
    }
    const url = req.url ?? "/";
    const pathname = url.split("?", 1)[0];
    if (pathname === "/api/v1" || pathname.startsWith("/api/v1/")) return opts.api(req, res);
    if (pathname === "/api/health") return opts.health(req, res);
    if (pathname.startsWith("/hooks/")) return opts.hooks(req, res);
    if (pathname === "/api/stripe/webhook" && !opts.billing) {
      return refuseNodeRequest(req, res, 404, { error: { code: "not_found", message: "Billing is not enabled on this server." } });
    }
    // Next puts the nonce of the policy it finds on the request on its own inline scripts.
    const policy = contentSecurityPolicy({ dev: opts.dev });
    req.headers["content-security-policy"] = policy;
    res.setHeader("Content-Security-Policy", policy);
    if (opts.https) res.setHeader("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
    return limitNodeBody(req, res, MAX_BODY_BYTES, opts.next);
  };
}
