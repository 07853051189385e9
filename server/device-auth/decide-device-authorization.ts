import { and, eq, gt } from "drizzle-orm";
import { formatUserCode, normalizeUserCode } from "../../agent/protocol/device-auth";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { deviceAuthorizations, type Role, type Workspace } from "../db/schema";
import { AppError } from "../errors";
import { findPendingAuthorization } from "./find-pending-authorization";

/** What the browser shows before a person decides. */
export async function lookupDeviceAuthorization(db: Db, userId: string, userCode: string) {
  const row = await findPendingAuthorization(db, userId, userCode);
  return { userCode: formatUserCode(normalizeUserCode(userCode)!), clientName: row.clientName, expiresAt: row.expiresAt.toISOString() };
}

/**
 * A member approves (or denies) a login request into one of their workspaces. Any role may
 * approve: the key the CLI then receives carries that member's role, never more. The key itself
 * is made when the CLI collects it (see pollDeviceToken).
 */
export async function decideDeviceAuthorization(
  db: Db,
  input: { workspace: Workspace; actor: Actor & { userId: string; role: Role }; userCode: string; decision: "approved" | "denied" },
) {
  const { workspace, actor, decision } = input;
  const pending = await findPendingAuthorization(db, actor.userId, input.userCode);
  return db.transaction(async (tx) => {
    // Guarded by status and expiry: of two people approving at once, one wins and the other gets 404.
    const [row] = await tx
      .update(deviceAuthorizations)
      .set({ status: decision, workspaceId: workspace.id, decidedBy: actor.userId, decidedAt: new Date() })
      .where(and(eq(deviceAuthorizations.id, pending.id), eq(deviceAuthorizations.status, "pending"), gt(deviceAuthorizations.expiresAt, new Date())))
      .returning();
    if (!row) throw new AppError("NOT_FOUND", "This code was used or expired a moment ago. Run `baton login` again for a new code.");
    await recordAuditEvent(tx, workspace.id, actor, {
      action: `cli_login.${decision}`,
      targetType: "cli_login",
      targetId: row.id,
      targetLabel: row.clientName,
      details: decision === "approved" ? { role: actor.role, requestedFrom: row.requestedIp } : { requestedFrom: row.requestedIp },
    });
    return { clientName: row.clientName, role: actor.role, workspace: { slug: workspace.slug, name: workspace.name } };
  });
}
