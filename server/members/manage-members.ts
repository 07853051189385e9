import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "../db/client";
import { apiKeys, memberships, users, type Role } from "../db/schema";
import { AppError } from "../errors";
import { withKeyChange } from "../api-keys/with-key-change";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";

export async function listMembers(db: Db, workspaceId: string) {
  const rows = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(users.email));
  return rows.map((r) => ({ ...r, joinedAt: r.joinedAt.toISOString() }));
}

/** Locks the workspace's owner rows so two concurrent demotions cannot remove the last owner. */
async function lockMember(tx: Tx, workspaceId: string, userId: string) {
  const owners = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, "owner")))
    .for("update");
  const [member] = await tx
    .select({ role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
    .for("update", { of: memberships });
  if (!member) throw new AppError("NOT_FOUND", "Member not found.");
  return { member, ownerCount: owners.length };
}

export async function changeMemberRole(db: Db, workspaceId: string, actor: Actor, userId: string, role: Role) {
  return withKeyChange(db, workspaceId, async (tx) => {
    const { member, ownerCount } = await lockMember(tx, workspaceId, userId);
    if (member.role === role) return { role };
    if (member.role === "owner" && ownerCount <= 1) {
      throw new AppError("CONFLICT", "This is the workspace's last owner. Make someone else an owner first.");
    }
    await tx.update(memberships).set({ role }).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    await recordAuditEvent(tx, workspaceId, actor, {
      action: "member.role_changed",
      targetType: "member",
      targetId: userId,
      targetLabel: member.email,
      details: { from: member.role, to: role },
    });
    return { role };
  });
}

/** Removes a member (or the actor leaving). The last owner can do neither. */
export async function removeMember(db: Db, workspaceId: string, actor: Actor, userId: string) {
  await withKeyChange(db, workspaceId, async (tx) => {
    const { member, ownerCount } = await lockMember(tx, workspaceId, userId);
    if (member.role === "owner" && ownerCount <= 1) {
      throw new AppError("CONFLICT", "The last owner cannot leave or be removed. Make someone else an owner first.");
    }
    await tx.delete(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    // Personal keys act for their creator: a person who left must not keep access through them.
    // Service accounts' keys belong to the workspace and stay.
    await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.createdBy, userId), eq(apiKeys.kind, "personal"), isNull(apiKeys.revokedAt)));
    await recordAuditEvent(tx, workspaceId, actor, {
      action: actor.userId === userId ? "member.left" : "member.removed",
      targetType: "member",
      targetId: userId,
      targetLabel: member.email,
      details: { role: member.role },
    });
  });
}
