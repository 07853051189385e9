import "server-only";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/*
 * `Baton-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed by the
 * webhook's secret exactly as shown in the UI (including `whsec_`). Signing the timestamp with the
 * body lets a receiver refuse replays of an old request. docs/alerts.md has the receiver's recipe;
 * tests/alert-rendering.test.ts runs that recipe against `signatureHeader`.
 */

const DEFAULT_TOLERANCE_SECONDS = 300;

export function signatureHeader(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${sign(secret, timestampSeconds, body)}`;
}

/**
 * True when one of the header's `v1` signatures matches and its timestamp is within the tolerance
 * of `now` (seconds) either way.
 */
export function verifySignature(secret: string, header: string, body: string, opts: { toleranceSeconds?: number; now?: number } = {}): boolean {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === null || signatures.length === 0) return false;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(sign(secret, timestamp, body), "hex");
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, "hex"), expected));
}

/** A new signing secret: `whsec_` + 32 random bytes, base64url. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

function sign(secret: string, timestampSeconds: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex");
}
