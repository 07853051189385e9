import { randomBytes } from "node:crypto";

/**
 * The Content-Security-Policy of every page. Next's inline bootstrap scripts carry the nonce:
 * Next reads it from the policy on the request, which the custom server sets (pages are all
 * rendered per request, see app/layout.tsx). 'strict-dynamic' lets those scripts load the chunks
 * they need. Styles stay 'unsafe-inline': React and the mail preview write inline styles, and a
 * style cannot run code. `next dev` needs eval for its overlay and hot reload.
 */
export function contentSecurityPolicy(opts: { dev: boolean }): string {
  const nonce = randomBytes(16).toString("base64");
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Browsers that once saw the site over https keep to https (a year; this host only). */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000";
