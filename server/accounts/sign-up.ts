import { z } from "zod";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { env } from "../env";
import { AppError } from "../errors";
import { hashPassword, passwordSchema } from "../auth/password";
import { personNameSchema } from "../email/display-name";
import { hitRateLimit, minutesText } from "../security/rate-limit";
import { sendVerificationEmail } from "./verify-email";

export const signUpInput = z.object({
  name: personNameSchema.optional(),
  email: z.email("Enter a valid email address.").max(254).transform((e) => e.trim().toLowerCase()),
  password: passwordSchema,
});

/** Creates the account and sends the verification mail. Limited per IP per hour (BATON_SIGNUPS_PER_IP_PER_HOUR, default 10). */
export async function signUp(db: Db, input: z.input<typeof signUpInput>, ip: string | null) {
  const { name, email, password } = signUpInput.parse(input);
  const limit = await hitRateLimit(db, `signup:ip:${ip ?? "unknown"}`, { limit: env().BATON_SIGNUPS_PER_IP_PER_HOUR, windowSeconds: 3600 });
  if (!limit.allowed) {
    throw new AppError("TOO_MANY_REQUESTS", `Too many sign-ups from this network. Try again in ${minutesText(limit.retryAfterSeconds)}.`);
  }
  const passwordHash = await hashPassword(password);
  const rows = await db
    .insert(users)
    .values({ email, name: name || null, passwordHash })
    .onConflictDoNothing()
    .returning({ id: users.id, email: users.email, name: users.name });
  if (!rows[0]) {
    throw new AppError("CONFLICT", "An account with this email already exists. Sign in, or reset your password if you forgot it.");
  }
  await sendVerificationEmail(db, rows[0]);
  return rows[0];
}
