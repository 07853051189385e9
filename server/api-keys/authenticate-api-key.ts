import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiKeys, memberships, users, workspaces, type ApiKeyRole, type Role } from "../db/schema";
import { AppError } from "../errors";
import { roleAtLeast } from "../auth/roles";
import { hashApiKey, isWellFormedApiKey } from "./key-format";

export type ApiPrincipal = {
  workspace: { id: string; slug: string; name: string };
  key: { id: string; name: string; role: ApiKeyRole };
  user: { id: string; email: string; name: string | null } | null;
};

const LAST_USED_GRANULARITY_MS = 60_000;

/**
 * Resolves a bearer key in one query. No cache, so a revocation takes effect on the next request.
 * A person's key never acts above its creator's current role, and stops when they leave.
 */
export async function authenticateApiKey(db: Db, key: string): Promise<ApiPrincipal> {
  if (!isWellFormedApiKey(key)) {
    throw new AppError("UNAUTHORIZED", "Malformed API key: Baton keys are bt_ followed by 49 letters and digits. Copy it again, or create one in Settings → API keys.");
  }
  const [row] = await db
    .select({ key: apiKeys, workspace: { id: workspaces.id, slug: workspaces.slug, name: workspaces.name }, user: { id: users.id, email: users.email, name: users.name }, memberRole: memberships.role })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .leftJoin(memberships, and(eq(memberships.workspaceId, apiKeys.workspaceId), eq(memberships.userId, apiKeys.createdBy)))
    .where(eq(apiKeys.keyHash, hashApiKey(key)));
  if (!row) throw new AppError("UNAUTHORIZED", "Unknown API key. Check it was copied whole, or create a new one in Settings → API keys.");
  if (row.key.revokedAt) throw new AppError("UNAUTHORIZED", "This API key was revoked. Create a new one in Settings → API keys.");
  if (row.key.expiresAt && row.key.expiresAt.getTime() <= Date.now()) {
    throw new AppError("UNAUTHORIZED", "This API key has expired. Create a new one in Settings → API keys.");
  }
  if (!row.memberRole) throw new AppError("UNAUTHORIZED", "The person who created this API key is no longer a member. Create a new key.");
  const role = effectiveRole(row.key.role, row.memberRole);
  if (!row.key.lastUsedAt || Date.now() - row.key.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    // Best effort and off the request's path: a failed timestamp update must not fail the call.
    db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, row.key.id)).catch(() => undefined);
  }
  return { workspace: row.workspace, key: { id: row.key.id, name: row.key.name, role }, user: row.user };
}

function effectiveRole(keyRole: ApiKeyRole, creatorRole: Role): ApiKeyRole {
  if (keyRole === "agent") return "agent";
  return roleAtLeast(creatorRole, keyRole) ? keyRole : creatorRole;
}
