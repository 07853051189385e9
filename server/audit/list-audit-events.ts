import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditEvents } from "../db/schema";

/** Newest first, by cursor (the last id seen). */
export async function listAuditEvents(db: Db, workspaceId: string, { cursor, limit = 50 }: { cursor?: number; limit?: number }) {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.workspaceId, workspaceId), cursor ? lt(auditEvents.id, cursor) : undefined))
    .orderBy(desc(auditEvents.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    nextCursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}
