import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "../env";

/**
 * A run token lets the process of one run attempt report its own task runs, logs and artifacts,
 * nothing else. Stateless: `brt_` + payload + HMAC (keyed by AUTH_SECRET). The attempt in it
 * fences reports: a token of an older attempt is refused once a newer attempt exists.
 */
export type RunTokenClaims = { workspaceId: string; runId: string; attempt: number };

function secret(): string {
  const s = env().AUTH_SECRET;
  if (!s) throw new Error("AUTH_SECRET is not set (the server sets it at start)");
  return s;
}

function sign(payload: string) {
  return createHmac("sha256", secret()).update(`run-token:${payload}`).digest("base64url");
}

export function issueRunToken(c: RunTokenClaims): string {
  const payload = Buffer.from(JSON.stringify([c.workspaceId, c.runId, c.attempt])).toString("base64url");
  return `brt_${payload}.${sign(payload)}`;
}

export function verifyRunToken(token: string): RunTokenClaims | null {
  const m = /^brt_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) return null;
  const expected = Buffer.from(sign(m[1]));
  const given = Buffer.from(m[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const [workspaceId, runId, attempt] = JSON.parse(Buffer.from(m[1], "base64url").toString()) as [string, string, number];
    return { workspaceId, runId, attempt };
  } catch {
    return null;
  }
}
