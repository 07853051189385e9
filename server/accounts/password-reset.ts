import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { publicUrl } from "../env";
import { AppError } from "../errors";
import { renderEmail } from "../email/render-email";
import { sendEmail } from "../email/send-email";
import { hashPassword, passwordSchema } from "../auth/password";
import { revokeAllUserSessions } from "../auth/user-sessions";
import { hitRateLimit, minutesText } from "../security/rate-limit";
import { randomToken } from "../security/secret-tokens";
import { consumeOneTimeToken, issueOneTimeToken } from "./one-time-tokens";

const RESET_TTL_SECONDS = 3600;

/**
 * Sends a reset link when the account exists. The answer is the same either way, and so is its
 * time: it comes once the limits are checked, before the account is even looked up. The lookup
 * and the mail follow (an error there is logged), and for an unknown address the same mail is
 * rendered and dropped, so the load after the answer does not tell either. Limited per address
 * and per IP.
 */
export async function requestPasswordReset(db: Db, rawEmail: string, ip: string | null): Promise<void> {
  const email = z.email("Enter a valid email address.").parse(rawEmail.trim().toLowerCase());
  for (const [key, limit] of [
    [`reset:email:${email}`, 5],
    [`reset:ip:${ip ?? "unknown"}`, 20],
  ] as const) {
    const r = await hitRateLimit(db, key, { limit, windowSeconds: 3600 });
    if (!r.allowed) throw new AppError("TOO_MANY_REQUESTS", `Too many reset requests. Try again in ${minutesText(r.retryAfterSeconds)}.`);
  }
  mailResetLink(db, email).catch((err: unknown) => console.error(`[accounts] could not send the reset link to ${email}:`, err));
}

async function mailResetLink(db: Db, email: string) {
  const [user] = await db.select().from(users).where(eq(users.email, email));
  if (!user) {
    await renderEmail("reset-password", resetMailProps(randomToken()));
    return;
  }
  const token = await issueOneTimeToken(db, user.id, "reset_password", RESET_TTL_SECONDS);
  await sendEmail(db, { to: user.email, template: "reset-password", props: resetMailProps(token) });
}

function resetMailProps(token: string) {
  return { url: `${publicUrl()}/reset-password?token=${encodeURIComponent(token)}`, expiresInMinutes: RESET_TTL_SECONDS / 60 };
}

/** Sets the new password and ends every session of the account. */
export async function resetPassword(db: Db, token: string, newPassword: string) {
  const password = passwordSchema.parse(newPassword);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const userId = await consumeOneTimeToken(tx, token, "reset_password");
    if (!userId) throw new AppError("BAD_REQUEST", "This reset link is invalid, used or expired. Ask for a new one.");
    // Following the emailed link proves the address too.
    await tx.update(users).set({ passwordHash, emailVerifiedAt: new Date() }).where(eq(users.id, userId));
    await revokeAllUserSessions(tx, userId);
    const [u] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    return { email: u.email };
  });
}
