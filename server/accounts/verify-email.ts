import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { publicUrl } from "../env";
import { AppError } from "../errors";
import { sendEmail } from "../email/send-email";
import { hitRateLimit, minutesText } from "../security/rate-limit";
import { consumeOneTimeToken, issueOneTimeToken } from "./one-time-tokens";

const VERIFY_TTL_SECONDS = 7 * 24 * 3600;

export async function sendVerificationEmail(db: Db, user: { id: string; email: string; name: string | null }) {
  const token = await issueOneTimeToken(db, user.id, "verify_email", VERIFY_TTL_SECONDS);
  await sendEmail(db, {
    to: user.email,
    template: "verify-email",
    props: { name: user.name ?? undefined, url: `${publicUrl()}/verify-email?token=${encodeURIComponent(token)}` },
  });
}

/** "Resend the verification email", at most 5 an hour per user. */
export async function resendVerificationEmail(db: Db, userId: string) {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("NOT_FOUND", "Account not found.");
  if (user.emailVerifiedAt) return { alreadyVerified: true };
  const limit = await hitRateLimit(db, `verify:user:${userId}`, { limit: 5, windowSeconds: 3600 });
  if (!limit.allowed) throw new AppError("TOO_MANY_REQUESTS", `Too many verification emails. Try again in ${minutesText(limit.retryAfterSeconds)}.`);
  await sendVerificationEmail(db, user);
  return { alreadyVerified: false };
}

/** Returns the verified user's email, or null when the link is unknown, used or expired. */
export async function verifyEmail(db: Db, token: string): Promise<string | null> {
  return db.transaction(async (tx) => {
    const userId = await consumeOneTimeToken(tx, token, "verify_email");
    if (!userId) return null;
    const [row] = await tx
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
      .where(and(eq(users.id, userId), isNull(users.emailVerifiedAt)))
      .returning({ email: users.email });
    if (row) return row.email;
    const [u] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    return u?.email ?? null;
  });
}
