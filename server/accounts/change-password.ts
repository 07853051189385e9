import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { AppError } from "../errors";
import { hashPassword, passwordSchema, verifyPassword } from "../auth/password";
import { revokeAllUserSessions } from "../auth/user-sessions";

/** Changes the password and signs out every other browser; the current session stays. */
export async function changePassword(db: Db, { userId, sessionId, currentPassword, newPassword }: { userId: string; sessionId: string; currentPassword: string; newPassword: string }) {
  const password = passwordSchema.parse(newPassword);
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("NOT_FOUND", "Account not found.");
  if (user.passwordHash && !(await verifyPassword(user.passwordHash, currentPassword))) {
    throw new AppError("BAD_REQUEST", "The current password is not right.");
  }
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
    await revokeAllUserSessions(tx, userId, sessionId);
  });
}
