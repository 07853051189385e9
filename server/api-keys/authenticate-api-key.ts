import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiKeys, type ApiKeyKind, type ApiKeyRole, type Role } from "../db/schema";
import type { Actor } from "../audit/record-audit-event";
import { AppError } from "../errors";
import { roleAtLeast } from "../auth/roles";
import { cachedPrincipal, cachePrincipal } from "./key-cache";
import { hashApiKey, isWellFormedApiKey } from "./key-format";

export type ApiPrincipal = {
  workspace: { id: string; slug: string; name: string };
  key: { id: string; name: string; role: ApiKeyRole; kind: ApiKeyKind };
  /** The person a personal key acts for; null for a service account's key (and a run token). */
  user: { id: string; email: string; name: string | null } | null;
};

/** Who a key acts as in the audit log and on runs it starts: its creator, or the service account (or the key itself) when no person. */
export const principalActor = (p: ApiPrincipal): Actor => {
  if (p.key.kind === "service_account") return { userId: null, label: `service:${p.key.name}` };
  return { userId: p.user?.id ?? null, label: p.user?.email ?? `key:${p.key.name}` };
};

const LAST_USED_GRANULARITY_MS = 60_000;

type KeyRow = {
  id: string;
  name: string;
  role: ApiKeyRole;
  kind: ApiKeyKind;
  revoked_at: Date | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  workspace_id: string;
  workspace_slug: string;
  workspace_name: string;
  user_id: string | null;
  user_email: string | null;
  user_name: string | null;
  member_role: Role | null;
};

const KEY_QUERY = `
  select k.id, k.name, k.role, k.kind, k.revoked_at, k.expires_at, k.last_used_at,
         w.id as workspace_id, w.slug as workspace_slug, w.name as workspace_name,
         u.id as user_id, u.email as user_email, u.name as user_name, m.role as member_role
    from api_keys k
    join workspaces w on w.id = k.workspace_id
    left join users u on u.id = k.created_by
    left join memberships m on m.workspace_id = k.workspace_id and m.user_id = k.created_by
   where k.key_hash = $1`;

/**
 * Resolves a bearer key: from the key cache, or in one query. Revocations and member changes
 * clear the cache (see key-cache.ts), so they take effect on the next request.
 * A person's key never acts above its creator's current role, and stops when they leave; a
 * service account's key has its own role and belongs to the workspace.
 */
export async function authenticateApiKey(db: Db, key: string): Promise<ApiPrincipal> {
  if (!isWellFormedApiKey(key)) {
    throw new AppError("UNAUTHORIZED", "Malformed API key: Baton keys are bt_ followed by 49 letters and digits. Copy it again, or create one in Settings → API keys.");
  }
  const keyHash = hashApiKey(key);
  const cached = cachedPrincipal(keyHash);
  if (cached) {
    touchLastUsed(db, cached);
    return cached.principal;
  }
  // Plain SQL with a named (prepared) statement: this runs whenever the cache has no answer.
  const { rows } = await db.$client.query<KeyRow>({ name: "authenticate-api-key", text: KEY_QUERY, values: [keyHash] });
  const row = rows[0];
  if (!row) throw new AppError("UNAUTHORIZED", "Unknown API key. Check it was copied whole, or create a new one in Settings → API keys.");
  if (row.revoked_at) throw new AppError("UNAUTHORIZED", "This API key was revoked. Create a new one in Settings → API keys.");
  if (row.expires_at && row.expires_at.getTime() <= Date.now()) {
    throw new AppError("UNAUTHORIZED", "This API key has expired. Create a new one in Settings → API keys.");
  }
  const serviceAccount = row.kind === "service_account";
  const principal: ApiPrincipal = {
    workspace: { id: row.workspace_id, slug: row.workspace_slug, name: row.workspace_name },
    key: { id: row.id, name: row.name, role: serviceAccount ? row.role : creatorBoundRole(row), kind: row.kind },
    user: !serviceAccount && row.user_id ? { id: row.user_id, email: row.user_email!, name: row.user_name } : null,
  };
  cachePrincipal(keyHash, principal, row.expires_at, row.last_used_at);
  touchLastUsed(db, cachedPrincipal(keyHash)!);
  return principal;
}

/** Records "last used" at most once a minute per key; best effort, off the request's path. */
function touchLastUsed(db: Db, entry: { principal: ApiPrincipal; lastUsedAt: number }) {
  if (Date.now() - entry.lastUsedAt < LAST_USED_GRANULARITY_MS) return;
  entry.lastUsedAt = Date.now();
  db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, entry.principal.key.id)).catch(() => undefined);
}

/**
 * A personal key acts at most with its creator's current role. The agent role is no rank below
 * developer but a narrow power only developers may give, so it lapses (403) while its creator is
 * below developer: it would otherwise keep claiming runs and writing reports for someone who may
 * no longer do either. It comes back if they are made developer again.
 */
function creatorBoundRole(row: KeyRow): ApiKeyRole {
  const creatorRole = row.member_role;
  if (!creatorRole) throw new AppError("UNAUTHORIZED", "The person who created this API key is no longer a member. Create a new key.");
  if (row.role !== "agent") return roleAtLeast(creatorRole, row.role) ? row.role : creatorRole;
  if (roleAtLeast(creatorRole, "developer")) return "agent";
  throw new AppError(
    "FORBIDDEN",
    `This agent key acts for ${row.user_email}, who is now a ${creatorRole} in this workspace; agent keys work only while their creator is a developer or owner. ` +
      "Ask an owner to create an agent key as a service account (Settings → API keys), or to make its creator a developer again.",
  );
}
