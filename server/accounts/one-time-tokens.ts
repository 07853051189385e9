import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { oneTimeTokens } from "../db/schema";
import { randomToken, sha256Hex } from "../security/secret-tokens";

type Purpose = "verify_email" | "reset_password";

export async function issueOneTimeToken(db: Queryable, userId: string, purpose: Purpose, ttlSeconds: number): Promise<string> {
  const token = randomToken();
  await db.insert(oneTimeTokens).values({
    userId,
    purpose,
    tokenHash: sha256Hex(token),
    expiresAt: new Date(Date.now() + ttlSeconds * 1000),
  });
  return token;
}

/** Marks the token used and returns its user, or null when unknown, used or expired. Single use even under races. */
export async function consumeOneTimeToken(db: Queryable, token: string, purpose: Purpose): Promise<string | null> {
  const rows = await db
    .update(oneTimeTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(oneTimeTokens.tokenHash, sha256Hex(token)),
        eq(oneTimeTokens.purpose, purpose),
        isNull(oneTimeTokens.usedAt),
        gt(oneTimeTokens.expiresAt, sql`now()`),
      ),
    )
    .returning({ userId: oneTimeTokens.userId });
  return rows[0]?.userId ?? null;
}
