import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { dummyPasswordHash, verifyPassword } from "../auth/password";
import { hitRateLimit } from "../security/rate-limit";

export const SIGN_IN_LIMIT = { limit: 10, windowSeconds: 15 * 60 };

export type CredentialsResult =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * Checks an email and password. Every attempt counts against the account and the IP (10 per
 * 15 minutes each); past that, even the right password is refused until the window ends.
 */
export async function verifyCredentials(db: Db, rawEmail: string, password: string, ip: string | null): Promise<CredentialsResult> {
  const email = rawEmail.trim().toLowerCase();
  const byAccount = await hitRateLimit(db, `signin:email:${email}`, SIGN_IN_LIMIT);
  const byIp = await hitRateLimit(db, `signin:ip:${ip ?? "unknown"}`, { ...SIGN_IN_LIMIT, limit: SIGN_IN_LIMIT.limit * 3 });
  if (!byAccount.allowed || !byIp.allowed) {
    return { ok: false, reason: "rate_limited", retryAfterSeconds: Math.max(byAccount.allowed ? 0 : byAccount.retryAfterSeconds, byIp.allowed ? 0 : byIp.retryAfterSeconds) };
  }
  const [user] = await db.select().from(users).where(eq(users.email, email));
  if (!user?.passwordHash) {
    await verifyPassword(await dummyPasswordHash(), password);
    return { ok: false, reason: "invalid" };
  }
  if (!(await verifyPassword(user.passwordHash, password))) return { ok: false, reason: "invalid" };
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}
