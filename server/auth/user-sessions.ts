import { and, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { userSessions } from "../db/schema";
import { isUuid } from "../../agent/protocol/storable";

export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export async function createUserSession(db: Queryable, userId: string, meta: { ip?: string | null; userAgent?: string | null }) {
  const [row] = await db
    .insert(userSessions)
    .values({
      userId,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000),
    })
    .returning({ id: userSessions.id });
  return row.id;
}

/** The user id of a live session, or null when it was signed out, revoked or expired. */
export async function activeSessionUser(db: Queryable, sessionId: string): Promise<string | null> {
  if (!isUuid(sessionId)) return null;
  const rows = await db
    .select({ userId: userSessions.userId })
    .from(userSessions)
    .where(and(eq(userSessions.id, sessionId), isNull(userSessions.revokedAt), gt(userSessions.expiresAt, sql`now()`)));
  return rows[0]?.userId ?? null;
}

export async function revokeUserSession(db: Queryable, sessionId: string) {
  if (!isUuid(sessionId)) return;
  await db.update(userSessions).set({ revokedAt: sql`now()` }).where(and(eq(userSessions.id, sessionId), isNull(userSessions.revokedAt)));
}

/** Ends every session of the user, except `keep` (the browser that changed the password). */
export async function revokeAllUserSessions(db: Queryable, userId: string, keep?: string) {
  await db
    .update(userSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(userSessions.userId, userId), isNull(userSessions.revokedAt), keep ? ne(userSessions.id, keep) : undefined));
}
