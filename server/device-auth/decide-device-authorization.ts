import { and, eq, gt } from "drizzle-orm";
import { formatUserCode, normalizeUserCode } from "../../agent/protocol/device-auth";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { canGrantKeyRole } from "../api-keys/manage-api-keys";
import { deviceAuthorizations, type ApiKeyRole, type Role, type Workspace } from "../db/schema";
import { AppError } from "../errors";
import { findPendingAuthorization } from "./find-pending-authorization";

/**
 * What the browser shows before a person decides: the name the CLI gave itself (its own words,
 * so not to be trusted alone) and where and when the request was started, which a phishing
 * request cannot fake.
 */
export async function lookupDeviceAuthorization(db: Db, userId: string, userCode: string) {
  const row = await findPendingAuthorization(db, userId, userCode);
  return {
    userCode: formatUserCode(normalizeUserCode(userCode)!),
    clientName: row.clientName,
    requestedAt: row.createdAt.toISOString(),
    requestedIp: row.requestedIp,
    requestedUserAgent: row.requestedUserAgent,
    expiresAt: row.expiresAt.toISOString(),
  };
}

/**
 * The role the approval page offers first: developer, the lowest that serves what `baton login`
 * is for (deploy needs it; run and whoami need less). A machine that only runs an agent should get
 * `agent`, and the page offers it. A member below developer gets their own role.
 */
export function defaultCliKeyRole(memberRole: Role): ApiKeyRole {
  return canGrantKeyRole(memberRole, "developer") ? "developer" : memberRole;
}

type Decision = { decision: "approved"; keyRole: ApiKeyRole } | { decision: "denied" };

/**
 * A member approves (or denies) a login request into one of their workspaces, picking the key's
 * role. Any member may approve, with a role they could give a key themselves (canGrantKeyRole).
 * The key itself is made when the CLI collects it (see pollDeviceToken).
 */
export async function decideDeviceAuthorization(
  db: Db,
  input: { workspace: Workspace; actor: Actor & { userId: string; role: Role }; userCode: string } & Decision,
) {
  const { workspace, actor, decision } = input;
  const keyRole = input.decision === "approved" ? input.keyRole : null;
  if (keyRole && !canGrantKeyRole(actor.role, keyRole)) {
    throw new AppError("FORBIDDEN", `You are a ${actor.role} in ${workspace.name}, so the CLI cannot get a ${keyRole} key from you. Pick a lower role.`);
  }
  const pending = await findPendingAuthorization(db, actor.userId, input.userCode);
  return db.transaction(async (tx) => {
    // Guarded by status and expiry: of two people approving at once, one wins and the other gets 404.
    const [row] = await tx
      .update(deviceAuthorizations)
      .set({ status: decision, workspaceId: workspace.id, decidedBy: actor.userId, decidedAt: new Date(), keyRole })
      .where(and(eq(deviceAuthorizations.id, pending.id), eq(deviceAuthorizations.status, "pending"), gt(deviceAuthorizations.expiresAt, new Date())))
      .returning();
    if (!row) throw new AppError("NOT_FOUND", "This code was used or expired a moment ago. Run `baton login` again for a new code.");
    await recordAuditEvent(tx, workspace.id, actor, {
      action: `cli_login.${decision}`,
      targetType: "cli_login",
      targetId: row.id,
      targetLabel: row.clientName,
      details: keyRole ? { role: keyRole, requestedFrom: row.requestedIp } : { requestedFrom: row.requestedIp },
    });
    return { clientName: row.clientName, role: keyRole, workspace: { slug: workspace.slug, name: workspace.name } };
  });
}
