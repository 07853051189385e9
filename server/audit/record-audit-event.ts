import { drizzle } from "drizzle-orm/node-postgres";
import type pg from "pg";
import type { Queryable } from "../db/client";
import { auditEvents } from "../db/schema";

/** Who did it, as the audit log shows it. */
export type Actor = { userId: string | null; label: string; ip?: string | null };

/**
 * Writes one audit event in the caller's transaction: a drizzle handle, or the pg client of a
 * plain-SQL transaction (orchestration and run creation), so the event commits with the change.
 */
export async function recordAuditEvent(
  db: Queryable | pg.PoolClient,
  workspaceId: string,
  actor: Actor,
  event: { action: string; targetType: string; targetId?: string | null; targetLabel?: string | null; details?: Record<string, unknown> },
) {
  const q = "insert" in db ? db : drizzle({ client: db, casing: "snake_case" });
  await q.insert(auditEvents).values({
    workspaceId,
    actorId: actor.userId,
    actorLabel: actor.label,
    ip: actor.ip ?? null,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId ?? null,
    targetLabel: event.targetLabel ?? null,
    details: event.details ?? null,
  });
}
