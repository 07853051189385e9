import "server-only";
import { requestSession } from "../auth/request-session";
import { getDb } from "../db/client";
import { clientIp } from "../security/client-ip";
import type { TrpcContext } from "./init";

export async function createTrpcContext(req: Request): Promise<TrpcContext> {
  return { db: getDb(), session: await requestSession(), ip: clientIp(req.headers) };
}

/**
 * Auth.js protects only its own routes. tRPC requests must carry our custom header (a cross-site
 * form or simple request cannot set one), and any Origin sent must be this host.
 */
export function rejectCrossSite(req: Request, maxBodyBytes: number): Response | null {
  const json = (status: number, message: string) =>
    Response.json({ error: { code: status === 413 ? "payload_too_large" : "forbidden", message } }, { status });
  if (req.headers.get("x-baton-csrf") !== "1") return json(403, "Missing the x-baton-csrf header; requests must come from the Baton app.");
  const origin = req.headers.get("origin");
  const host = req.headers.get("host");
  if (origin && host && originHost(origin) !== host) return json(403, "Cross-site request refused: the Origin header is not this site.");
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > maxBodyBytes) return json(413, "The request body is too large.");
  return null;
}

/** The host of an Origin header, or null for "null" (sandboxed frames, file: pages) and junk. */
function originHost(origin: string): string | null {
  try {
    return new URL(origin).host || null;
  } catch {
    return null;
  }
}
