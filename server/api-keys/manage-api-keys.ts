import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "../db/client";
import { API_KEY_ROLES, apiKeys, users, type ApiKeyKind, type ApiKeyRole, type Role } from "../db/schema";
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

type KeyCreator = Actor & { userId: string; role: Role };

/** Returns the key itself once; only its hash is stored. `db` may be an open transaction (`baton login` makes keys inside one). */
export async function createApiKey(db: Queryable, workspaceId: string, actor: KeyCreator, input: z.input<typeof createApiKeyInput>) {
  const parsed = createApiKeyInput.parse(input);
  if (!canGrantKeyRole(actor.role, parsed.role)) {
    throw new AppError("FORBIDDEN", `You are a ${actor.role} here, so you cannot create a key with the ${parsed.role} role.`);
  }
  return insertKey(db, workspaceId, actor, "personal", parsed);
}

/**
 * A key of the workspace rather than of a person (agents and CI that must outlive whoever set
 * them up): any role, owners only. Its creator is kept for the audit log, nothing else.
 */
export async function createServiceAccountKey(db: Queryable, workspaceId: string, actor: KeyCreator, input: z.input<typeof createApiKeyInput>) {
  if (actor.role !== "owner") throw new AppError("FORBIDDEN", `Only owners create service accounts; you are a ${actor.role} here. Ask an owner, or create a personal key.`);
  return insertKey(db, workspaceId, actor, "service_account", createApiKeyInput.parse(input));
}

async function insertKey(db: Queryable, workspaceId: string, actor: KeyCreator, kind: ApiKeyKind, input: z.output<typeof createApiKeyInput>) {
  const { name, role, expiresAt } = input;
  if (expiresAt && expiresAt.getTime() <= Date.now()) throw new AppError("BAD_REQUEST", "The expiry date must be in the future.");
  const key = generateApiKey();
  const row = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({ workspaceId, name, role, kind, prefix: displayPrefix(key), keyHash: hashApiKey(key), createdBy: actor.userId, expiresAt: expiresAt ?? null })
      .returning();
    await recordAuditEvent(tx, workspaceId, actor, {
      action: kind === "service_account" ? "service_account.created" : "api_key.created",
      targetType: "api_key",
      targetId: row.id,
      targetLabel: name,
      details: { role, kind, prefix: row.prefix },
    });
    return row;
  });
  return { key, apiKey: { id: row.id, name: row.name, role: row.role, kind: row.kind, prefix: row.prefix, expiresAt: row.expiresAt?.toISOString() ?? null } };
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
    kind: k.kind,
    prefix: k.prefix,
    createdBy: creatorEmail,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    expired: k.expiresAt !== null && k.expiresAt.getTime() <= Date.now(),
  }));
}

/**
 * Revoking is capped like creating: you may revoke your own personal keys and any key whose role
 * you could grant; only owners revoke service accounts' keys and keys above your role.
 */
export function canRevokeKey(actor: { userId: string | null; role: Role }, key: { role: ApiKeyRole; kind: ApiKeyKind; createdBy: string | null }): boolean {
  if (actor.role === "owner") return true;
  if (key.kind === "service_account") return false;
  return key.createdBy === actor.userId || canGrantKeyRole(actor.role, key.role);
}

export async function revokeApiKey(db: Db, workspaceId: string, actor: Actor & { role: Role }, keyId: string) {
  await withKeyChange(db, workspaceId, async (tx) => {
    const [key] = await tx
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)))
      .for("update");
    if (!key) throw new AppError("NOT_FOUND", "API key not found or already revoked.");
    if (!canRevokeKey(actor, key)) {
      const what = key.kind === "service_account" ? "a service account's key" : `a key with the ${key.role} role that someone else created`;
      throw new AppError("FORBIDDEN", `You are a ${actor.role} here, so you cannot revoke ${what}. Ask an owner to revoke it.`);
    }
    await tx.update(apiKeys).set({ revokedAt: sql`now()` }).where(eq(apiKeys.id, key.id));
    await recordAuditEvent(tx, workspaceId, actor, {
      action: key.kind === "service_account" ? "service_account.revoked" : "api_key.revoked",
      targetType: "api_key",
      targetId: key.id,
      targetLabel: key.name,
      details: { role: key.role, kind: key.kind, prefix: key.prefix },
    });
  });
}
