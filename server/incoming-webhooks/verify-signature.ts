import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";

/*
 * The two signature forms senders use, checked over the raw bytes of the body (a JSON re-encode
 * would change them), compared in constant time:
 *   github: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`
 *   stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`, the
 *           timestamp within 5 minutes of now either way (a replayed old request is refused).
 */

export const STRIPE_TOLERANCE_SECONDS = 300;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifyGithubSignature(secret: string, header: string | undefined, body: Buffer): SignatureCheck {
  if (!header) return { ok: false, reason: "The request has no X-Hub-Signature-256 header: set the endpoint's secret in the sender (GitHub: the webhook's Secret field)." };
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m) return { ok: false, reason: "X-Hub-Signature-256 is not of the form sha256=<64 hex digits>." };
  const expected = createHmac("sha256", secret).update(body).digest();
  return timingSafeEqual(Buffer.from(m[1], "hex"), expected) ? { ok: true } : { ok: false, reason: "X-Hub-Signature-256 does not match the body: check the secret the sender uses (rotating makes a new one)." };
}

export function verifyStripeSignature(secret: string, header: string | undefined, body: Buffer, nowSeconds = Math.floor(Date.now() / 1000)): SignatureCheck {
  if (!header) return { ok: false, reason: "The request has no Stripe-Signature header: set the endpoint's secret as the sender's signing secret." };
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, "hex"));
  }
  if (timestamp === null || signatures.length === 0) return { ok: false, reason: "Stripe-Signature is not of the form t=<seconds>,v1=<64 hex digits>." };
  if (Math.abs(nowSeconds - timestamp) > STRIPE_TOLERANCE_SECONDS) {
    return { ok: false, reason: `Stripe-Signature's timestamp is ${Math.abs(nowSeconds - timestamp)} s from now; at most ${STRIPE_TOLERANCE_SECONDS} s is accepted (check the sender's clock, or it is a replay).` };
  }
  const expected = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
  // Every v1 is compared (no early exit), so the time taken does not say which one matched.
  let match = false;
  for (const s of signatures) match = timingSafeEqual(s, expected) || match;
  return match ? { ok: true } : { ok: false, reason: "Stripe-Signature does not match the body: check the secret the sender uses (rotating makes a new one)." };
}
