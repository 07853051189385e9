import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { dummyPasswordHash, verifyPassword } from "../auth/password";
import { hitRateLimit, refundRateLimit } from "../security/rate-limit";

type Limit = { limit: number; windowSeconds: number };

/** One address guessing one account. */
export const ADDRESS_ON_ACCOUNT_LIMIT: Limit = { limit: 10, windowSeconds: 15 * 60 };
/** One address guessing across many accounts. */
export const ADDRESS_LIMIT: Limit = { limit: 30, windowSeconds: 15 * 60 };
/** Many addresses guessing one account: past this, the account is treated as under attack. */
export const ACCOUNT_LIMIT: Limit = { limit: 100, windowSeconds: 24 * 3600 };
/** Under attack, each address gets this many failures a day on the account instead. */
export const ADDRESS_ON_ACCOUNT_UNDER_ATTACK_LIMIT: Limit = { limit: 3, windowSeconds: 24 * 3600 };

export type CredentialsResult =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * Checks an email and password. Only failures count, and they count per (account, address): a
 * stranger's wrong guesses slow the stranger down, never the owner signing in from their own
 * address. Per address across accounts (30 per 15 minutes) stops one address trying many accounts.
 * Per account over all addresses (100 a day) spots guessing spread over many addresses; past it,
 * each address gets only 3 failures a day on that account, while an address that has not failed
 * (the owner's) still signs in.
 *
 * Each attempt is counted before the password is checked and given back when it was right, so
 * parallel guesses cannot all slip in under a limit.
 */
export async function verifyCredentials(db: Db, rawEmail: string, password: string, ip: string | null): Promise<CredentialsResult> {
  const email = rawEmail.trim().toLowerCase();
  const address = ip ?? "unknown";
  const counters: [string, Limit][] = [
    [`signin:fail:account-address:${email}:${address}`, ADDRESS_ON_ACCOUNT_LIMIT],
    [`signin:fail:address:${address}`, ADDRESS_LIMIT],
    [`signin:fail:account:${email}`, ACCOUNT_LIMIT],
    [`signin:fail:account-address-day:${email}:${address}`, ADDRESS_ON_ACCOUNT_UNDER_ATTACK_LIMIT],
  ];
  const [onAccount, byAddress, account, underAttack] = await Promise.all(counters.map(([key, limit]) => hitRateLimit(db, key, limit)));
  const refusals = [onAccount, byAddress, ...(account.allowed ? [] : [underAttack])].filter((r) => !r.allowed);
  if (refusals.length) return { ok: false, reason: "rate_limited", retryAfterSeconds: Math.max(...refusals.map((r) => r.retryAfterSeconds)) };

  const [user] = await db.select().from(users).where(eq(users.email, email));
  const ok = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : await verifyPassword(await dummyPasswordHash(), password).then(() => false);
  if (!ok || !user) return { ok: false, reason: "invalid" };
  await Promise.all(counters.map(([key, limit]) => refundRateLimit(db, key, limit)));
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}
