import { and, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { userSessions } from "../db/schema";
import { isUuid } from "../../agent/protocol/storable";

export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** NOTIFY channel of session revocations (payload: the user id): open live streams check their session again. */
export const SESSIONS_CHANNEL = "baton_sessions";

async function notifySessionsRevoked(db: Queryable, userIds: string[]) {
  for (const userId of new Set(userIds)) await db.execute(sql`select pg_notify(${SESSIONS_CHANNEL}, ${userId})`);
}

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
  const revoked = await db
    .update(userSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(userSessions.id, sessionId), isNull(userSessions.revokedAt)))
    .returning({ userId: userSessions.userId });
  await notifySessionsRevoked(db, revoked.map((r) => r.userId));
}

/** Ends every session of the user, except `keep` (the browser that changed the password). */
export async function revokeAllUserSessions(db: Queryable, userId: string, keep?: string) {
  const revoked = await db
    .update(userSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(userSessions.userId, userId), isNull(userSessions.revokedAt), keep ? ne(userSessions.id, keep) : undefined))
    .returning({ userId: userSessions.userId });
  await notifySessionsRevoked(db, revoked.map((r) => r.userId));
}
