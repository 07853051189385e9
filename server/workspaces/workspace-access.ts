import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { memberships, workspaces, type Role, type Workspace } from "../db/schema";
import { AppError } from "../errors";

export type WorkspaceAccess = { workspace: Workspace; role: Role };

/**
 * The workspace a signed-in user may see, by slug. A workspace that does not exist and one the
 * user is not a member of look the same: 404.
 */
export async function resolveWorkspaceAccess(db: Db, slug: string, userId: string): Promise<WorkspaceAccess> {
  const rows = await db
    .select({ workspace: workspaces, role: memberships.role })
    .from(workspaces)
    .innerJoin(memberships, and(eq(memberships.workspaceId, workspaces.id), eq(memberships.userId, userId)))
    .where(eq(workspaces.slug, slug.toLowerCase()));
  if (!rows[0]) throw new AppError("NOT_FOUND", `Workspace "${slug}" not found.`);
  return rows[0];
}

export async function listWorkspacesForUser(db: Db, userId: string) {
  return db
    .select({ id: workspaces.id, slug: workspaces.slug, name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(workspaces.name));
}

/** Whether the user is (still) a member of the workspace, by id. */
export async function isWorkspaceMember(db: Db, workspaceId: string, userId: string): Promise<boolean> {
  const rows = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  return rows.length > 0;
}
