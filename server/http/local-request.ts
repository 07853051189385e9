import type { IncomingMessage } from "node:http";
import { hostnameOf } from "./hostname";

/** Set by the custom server on every request (a client's own value is dropped): "1" for a local one. */
const LOCAL_HEADER = "x-baton-local";
const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);
const LOOPBACK_ADDRESSES = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);
const PROXY_HEADERS = ["x-forwarded-for", "x-forwarded-host", "forwarded", "x-real-ip"];

/**
 * Marks a request made on this machine itself: from a loopback address, to a loopback name (a
 * rebound DNS name is not one), with no proxy in between (behind a proxy every visitor would look
 * local). Must run before Next, which adds x-forwarded-* headers of its own.
 */
export function markLocalRequest(req: IncomingMessage, trustProxy: boolean) {
  const local =
    !trustProxy &&
    LOOPBACK_ADDRESSES.has(req.socket.remoteAddress ?? "") &&
    LOOPBACK_NAMES.has(hostnameOf(req.headers.host)) &&
    PROXY_HEADERS.every((h) => req.headers[h] === undefined);
  if (local) req.headers[LOCAL_HEADER] = "1";
  else delete req.headers[LOCAL_HEADER];
}

export function isLocalRequest(headers: Headers): boolean {
  return headers.get(LOCAL_HEADER) === "1";
}
