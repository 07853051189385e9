import { randomBytes } from "node:crypto";
import type { Db } from "../../server/db/client";
import { users, type Role } from "../../server/db/schema";
import { hashPassword } from "../../server/auth/password";
import { createUserSession } from "../../server/auth/user-sessions";
import { createWorkspace } from "../../server/workspaces/create-workspace";
import { createInvitation, acceptInvitation } from "../../server/invitations/invitations";
import { createCaller } from "../../server/trpc/root";
import { sha256Hex } from "../../server/security/secret-tokens";
import { invitations } from "../../server/db/schema";
import { eq } from "drizzle-orm";

export const PASSWORD = "correct horse battery";

/** Who a test's direct service calls act as, where the test is not about who. */
export const TEST_ACTOR = { userId: null, label: "test" };

export function uniqueEmail(tag = "user") {
  return `${tag}-${randomBytes(4).toString("hex")}@example.com`;
}

/** A real user row with a password and a live session, and a tRPC caller acting as them. */
export async function createUser(db: Db, opts: { email?: string; verified?: boolean } = {}) {
  const email = opts.email ?? uniqueEmail();
  const [user] = await db
    .insert(users)
    .values({ email, passwordHash: await hashPassword(PASSWORD), emailVerifiedAt: opts.verified === false ? null : new Date() })
    .returning();
  const sessionId = await createUserSession(db, user.id, {});
  const caller = createCaller({ db, session: { userId: user.id, sessionId }, ip: "127.0.0.1" });
  return { user, sessionId, caller };
}

/** A workspace owned by a new user, plus members with the given roles (joined through real invitations). */
export async function createWorkspaceWithMembers(db: Db, roles: Role[] = []) {
  const owner = await createUser(db);
  const ws = await createWorkspace(db, { userId: owner.user.id, label: owner.user.email }, { name: `Team ${randomBytes(3).toString("hex")}` });
  const members: Record<string, Awaited<ReturnType<typeof createUser>>> = {};
  for (const role of roles) {
    const m = await createUser(db);
    await addMember(db, ws.id, owner.user.id, m.user, role);
    members[role] = m;
  }
  return { ws, owner, members };
}

export async function addMember(db: Db, workspaceId: string, inviterId: string, user: { id: string; email: string }, role: Role) {
  const inv = await createInvitation(db, workspaceId, { userId: inviterId, label: "test" }, { email: user.email, role });
  // The emailed token is not returned by the service; mint a known one for the test.
  const token = randomBytes(16).toString("hex");
  await db.update(invitations).set({ tokenHash: sha256Hex(token) }).where(eq(invitations.id, inv.id));
  await acceptInvitation(db, token, user, null);
}
