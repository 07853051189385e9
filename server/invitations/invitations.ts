import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { invitations, memberships, users, workspaces, type Role } from "../db/schema";
import { publicUrl } from "../env";
import { AppError } from "../errors";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import { assertPlanAllows } from "../billing/plan-limits";
import { sendEmail } from "../email/send-email";
import { hitRateLimit, minutesText } from "../security/rate-limit";
import { randomToken, sha256Hex } from "../security/secret-tokens";

const INVITE_TTL_DAYS = 7;

export async function createInvitation(db: Db, workspaceId: string, actor: Actor & { userId: string }, input: { email: string; role: Role }) {
  const email = z.email("Enter a valid email address.").parse(input.email.trim().toLowerCase());
  const limit = await hitRateLimit(db, `invite:workspace:${workspaceId}`, { limit: 50, windowSeconds: 3600 });
  if (!limit.allowed) throw new AppError("TOO_MANY_REQUESTS", `Too many invitations this hour. Try again in ${minutesText(limit.retryAfterSeconds)}.`);
  const token = randomToken();
  const { invitation, workspace, inviter } = await db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ userId: users.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.workspaceId, workspaceId), eq(users.email, email)));
    if (existing) throw new AppError("CONFLICT", `${email} is already a member of this workspace.`);
    await assertPlanAllows(tx, workspaceId, "members", { except: email });
    // A new invitation replaces any pending one for the same address.
    await tx
      .update(invitations)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
    const [invitation] = await tx
      .insert(invitations)
      .values({ workspaceId, email, role: input.role, tokenHash: sha256Hex(token), invitedBy: actor.userId, expiresAt: new Date(Date.now() + INVITE_TTL_DAYS * 86_400_000) })
      .returning();
    const [workspace] = await tx.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    const [inviter] = await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, actor.userId));
    await recordAuditEvent(tx, workspaceId, actor, { action: "invitation.created", targetType: "invitation", targetId: invitation.id, targetLabel: email, details: { role: input.role } });
    return { invitation, workspace, inviter };
  });
  await sendEmail(db, {
    to: email,
    workspaceId,
    template: "invitation",
    props: {
      inviterName: inviter?.name || inviter?.email || "A teammate",
      workspaceName: workspace.name,
      role: input.role,
      url: `${publicUrl()}/invite/${encodeURIComponent(token)}`,
      expiresInDays: INVITE_TTL_DAYS,
    },
  });
  return serialize(invitation);
}

export async function listPendingInvitations(db: Db, workspaceId: string) {
  const rows = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, sql`now()`)))
    .orderBy(desc(invitations.createdAt));
  return rows.map(serialize);
}

export async function revokeInvitation(db: Db, workspaceId: string, actor: Actor, invitationId: string) {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(invitations.id, invitationId), eq(invitations.workspaceId, workspaceId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning();
    if (!row) throw new AppError("NOT_FOUND", "Invitation not found, or already accepted or revoked.");
    await recordAuditEvent(tx, workspaceId, actor, { action: "invitation.revoked", targetType: "invitation", targetId: row.id, targetLabel: row.email });
  });
}

/** What the invitation page shows before the person accepts. */
export async function describeInvitation(db: Db, token: string) {
  const [row] = await db
    .select({ email: invitations.email, role: invitations.role, workspaceName: workspaces.name, expiresAt: invitations.expiresAt, acceptedAt: invitations.acceptedAt, revokedAt: invitations.revokedAt })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(eq(invitations.tokenHash, sha256Hex(token)));
  if (!row) return { status: "invalid" as const };
  if (row.acceptedAt) return { status: "used" as const, ...row };
  if (row.revokedAt) return { status: "revoked" as const, ...row };
  if (row.expiresAt < new Date()) return { status: "expired" as const, ...row };
  return { status: "pending" as const, ...row };
}

/**
 * Joins the signed-in user to the workspace with the invitation's role. Single use. The link is
 * the credential (like GitHub or Slack invitations), so any signed-in account may accept it; the
 * audit log records which one did.
 */
export async function acceptInvitation(db: Db, token: string, user: { id: string; email: string }, ip: string | null) {
  return db.transaction(async (tx) => {
    const [inv] = await tx
      .update(invitations)
      .set({ acceptedAt: sql`now()`, acceptedBy: user.id })
      .where(and(eq(invitations.tokenHash, sha256Hex(token)), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, sql`now()`)))
      .returning();
    if (!inv) throw new AppError("NOT_FOUND", "This invitation is invalid, used, revoked or expired. Ask for a new one.");
    const [ws] = await tx.select().from(workspaces).where(eq(workspaces.id, inv.workspaceId));
    // Just marked accepted, the invitation no longer holds a seat: the new member takes one.
    await assertPlanAllows(tx, inv.workspaceId, "members", { adding: 1, except: inv.email });
    const inserted = await tx.insert(memberships).values({ workspaceId: inv.workspaceId, userId: user.id, role: inv.role }).onConflictDoNothing().returning();
    if (inserted[0]) {
      await recordAuditEvent(tx, inv.workspaceId, { userId: user.id, label: user.email, ip }, {
        action: "invitation.accepted",
        targetType: "member",
        targetId: user.id,
        targetLabel: user.email,
        details: { role: inv.role, invitedEmail: inv.email },
      });
    }
    // The invitation reached this address, so following it verifies the address when it matches.
    if (user.email === inv.email) {
      await tx.update(users).set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` }).where(eq(users.id, user.id));
    }
    return { slug: ws.slug, role: inserted[0]?.role ?? null };
  });
}

function serialize(row: typeof invitations.$inferSelect) {
  return { id: row.id, email: row.email, role: row.role, createdAt: row.createdAt.toISOString(), expiresAt: row.expiresAt.toISOString() };
}
