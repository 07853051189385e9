import "server-only";
import { eq } from "drizzle-orm";
import { cache } from "react";
import { getDb } from "../db/client";
import { users } from "../db/schema";
import { auth } from "./config";

/** The signed-in user for this request (memoised per render), or null. */
export const currentUser = cache(async () => {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const [user] = await getDb()
    .select({ id: users.id, email: users.email, name: users.name, emailVerifiedAt: users.emailVerifiedAt, hasPassword: users.passwordHash })
    .from(users)
    .where(eq(users.id, id));
  if (!user) return null;
  return { id: user.id, email: user.email, name: user.name, emailVerified: user.emailVerifiedAt !== null, hasPassword: user.hasPassword !== null, sessionId: (session as { sid?: string }).sid ?? "" };
});
