import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "../db/client";
import { API_KEY_ROLES, apiKeys, users, type ApiKeyRole, type Role } from "../db/schema";
import { AppError } from "../errors";
import { roleAtLeast } from "../auth/roles";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import { displayPrefix, generateApiKey, hashApiKey } from "./key-format";
import { withKeyChange } from "./with-key-change";

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1, "Give the key a name.").max(100, "Use at most 100 characters."),
  role: z.enum(API_KEY_ROLES),
  expiresAt: z.coerce.date().optional(),
});

/** A key carries at most its creator's role; the `agent` role (claim, heartbeat, report) any developer may give. */
export function canGrantKeyRole(creatorRole: Role, keyRole: ApiKeyRole): boolean {
  return keyRole === "agent" ? roleAtLeast(creatorRole, "developer") : roleAtLeast(creatorRole, keyRole);
}

/** Returns the key itself once; only its hash is stored. `db` may be an open transaction (`baton login` makes keys inside one). */
export async function createApiKey(db: Queryable, workspaceId: string, actor: Actor & { userId: string; role: Role }, input: z.input<typeof createApiKeyInput>) {
  const { name, role, expiresAt } = createApiKeyInput.parse(input);
  if (!canGrantKeyRole(actor.role, role)) {
    throw new AppError("FORBIDDEN", `You are a ${actor.role} here, so you cannot create a key with the ${role} role.`);
  }
  if (expiresAt && expiresAt.getTime() <= Date.now()) throw new AppError("BAD_REQUEST", "The expiry date must be in the future.");
  const key = generateApiKey();
  const row = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({ workspaceId, name, role, prefix: displayPrefix(key), keyHash: hashApiKey(key), createdBy: actor.userId, expiresAt: expiresAt ?? null })
      .returning();
    await recordAuditEvent(tx, workspaceId, actor, { action: "api_key.created", targetType: "api_key", targetId: row.id, targetLabel: name, details: { role, prefix: row.prefix } });
    return row;
  });
  return { key, apiKey: { id: row.id, name: row.name, role: row.role, prefix: row.prefix, expiresAt: row.expiresAt?.toISOString() ?? null } };
}

export async function listApiKeys(db: Db, workspaceId: string) {
  const rows = await db
    .select({ key: apiKeys, creatorEmail: users.email })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .where(and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(({ key: k, creatorEmail }) => ({
    id: k.id,
    name: k.name,
    role: k.role,
    prefix: k.prefix,
    createdBy: creatorEmail,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    expired: k.expiresAt !== null && k.expiresAt.getTime() <= Date.now(),
  }));
}

export async function revokeApiKey(db: Db, workspaceId: string, actor: Actor, keyId: string) {
  await withKeyChange(db, workspaceId, async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)))
      .returning();
    if (!row) throw new AppError("NOT_FOUND", "API key not found or already revoked.");
    await recordAuditEvent(tx, workspaceId, actor, { action: "api_key.revoked", targetType: "api_key", targetId: row.id, targetLabel: row.name, details: { prefix: row.prefix } });
  });
}
