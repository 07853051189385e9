import type { Queryable } from "../db/client";
import { auditEvents } from "../db/schema";

/** Who did it, as the audit log shows it. */
export type Actor = { userId: string | null; label: string; ip?: string | null };

export async function recordAuditEvent(
  db: Queryable,
  workspaceId: string,
  actor: Actor,
  event: { action: string; targetType: string; targetId?: string | null; targetLabel?: string | null; details?: Record<string, unknown> },
) {
  await db.insert(auditEvents).values({
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
