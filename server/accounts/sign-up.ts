import { z } from "zod";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { env, publicUrl } from "../env";
import { AppError } from "../errors";
import { hashPassword, passwordSchema } from "../auth/password";
import { personNameSchema } from "../email/display-name";
import { sendEmail } from "../email/send-email";
import { hitRateLimit, minutesText } from "../security/rate-limit";
import { sendVerificationEmail } from "./verify-email";

export const signUpInput = z.object({
  name: personNameSchema.optional(),
  email: z.email("Enter a valid email address.").max(254).transform((e) => e.trim().toLowerCase()),
  password: passwordSchema,
});

/** How many "you already have an account" mails one address gets per hour; past it, sign-up stays silent. */
const EXISTING_ACCOUNT_NOTICES_PER_HOUR = 3;

/**
 * Creates the account and sends the verification mail. Limited per IP per hour
 * (BATON_SIGNUPS_PER_IP_PER_HOUR, default 10).
 *
 * An address that already has an account gets the same answer and about the same work (the
 * password is hashed either way, one mail is rendered and stored either way), so the form tells
 * nobody which addresses have accounts; the account holder is mailed instead.
 */
export async function signUp(db: Db, input: z.input<typeof signUpInput>, ip: string | null): Promise<{ email: string }> {
  const { name, email, password } = signUpInput.parse(input);
  const limit = await hitRateLimit(db, `signup:ip:${ip ?? "unknown"}`, { limit: env().BATON_SIGNUPS_PER_IP_PER_HOUR, windowSeconds: 3600 });
  if (!limit.allowed) {
    throw new AppError("TOO_MANY_REQUESTS", `Too many sign-ups from this network. Try again in ${minutesText(limit.retryAfterSeconds)}.`);
  }
  const byAddress = await hitRateLimit(db, `signup:email:${email}`, { limit: EXISTING_ACCOUNT_NOTICES_PER_HOUR, windowSeconds: 3600 });
  const passwordHash = await hashPassword(password);
  const rows = await db
    .insert(users)
    .values({ email, name: name || null, passwordHash })
    .onConflictDoNothing()
    .returning({ id: users.id, email: users.email, name: users.name });
  if (rows[0]) {
    await sendVerificationEmail(db, rows[0]);
  } else if (byAddress.allowed) {
    await sendEmail(db, {
      to: email,
      template: "signup-existing-account",
      props: { url: `${publicUrl()}/signin`, resetUrl: `${publicUrl()}/forgot-password` },
    });
  }
  return { email };
}
