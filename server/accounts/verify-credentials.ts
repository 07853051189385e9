import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { dummyPasswordHash, verifyPassword } from "../auth/password";
import { hitRateLimit, isRateLimited } from "../security/rate-limit";

export const SIGN_IN_LIMIT = { limit: 10, windowSeconds: 15 * 60 };

export type CredentialsResult =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

const IP_FAILURE_LIMIT = { ...SIGN_IN_LIMIT, limit: SIGN_IN_LIMIT.limit * 3 };

/**
 * Checks an email and password. Every attempt counts against the account (10 per 15 minutes);
 * failed attempts also count against the IP (30 per 15 minutes), so guessing across many accounts
 * from one address stops, while an office behind one NAT can still sign in all morning. Past
 * either limit, even the right password is refused until the window ends.
 */
export async function verifyCredentials(db: Db, rawEmail: string, password: string, ip: string | null): Promise<CredentialsResult> {
  const email = rawEmail.trim().toLowerCase();
  const ipKey = `signin:ip:${ip ?? "unknown"}`;
  const byAccount = await hitRateLimit(db, `signin:email:${email}`, SIGN_IN_LIMIT);
  const byIp = await isRateLimited(db, ipKey, IP_FAILURE_LIMIT);
  if (!byAccount.allowed || byIp.limited) {
    return { ok: false, reason: "rate_limited", retryAfterSeconds: Math.max(byAccount.allowed ? 0 : byAccount.retryAfterSeconds, byIp.limited ? byIp.retryAfterSeconds : 0) };
  }
  const [user] = await db.select().from(users).where(eq(users.email, email));
  const ok = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : await verifyPassword(await dummyPasswordHash(), password).then(() => false);
  if (!ok || !user) {
    await hitRateLimit(db, ipKey, IP_FAILURE_LIMIT);
    return { ok: false, reason: "invalid" };
  }
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}
