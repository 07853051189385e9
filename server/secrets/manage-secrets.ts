import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { configNameSchema, secretValueSchema, type SecretView } from "../../agent/protocol/secrets";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { secrets, type Secret } from "../db/schema";
import { AppError } from "../errors";
import { encryptSecret } from "../security/secret-box";
import { usedByMap } from "./config-references";

/** Every secret of the workspace: names, who set them and when, where they are used; never a value. */
export async function listSecrets(db: Db, workspaceId: string): Promise<SecretView[]> {
  const rows = await db.select().from(secrets).where(eq(secrets.workspaceId, workspaceId)).orderBy(asc(secrets.name));
  const usedBy = await usedByMap(db, workspaceId, "secret");
  return rows.map((r) => view(r, usedBy.get(r.name) ?? []));
}

export async function getSecret(db: Db, workspaceId: string, name: string): Promise<SecretView> {
  const found = (await listSecrets(db, workspaceId)).find((s) => s.name === name);
  if (!found) throw notFound(name);
  return found;
}

/**
 * Creates the secret or replaces its value. The value is sealed before it reaches the database;
 * the audit event says who and whether it was new, never the value (nor a hash of it, which a
 * short secret could be guessed from).
 */
export async function setSecret(db: Db, workspaceId: string, actor: Actor, rawName: string, rawValue: string): Promise<SecretView> {
  const name = configNameSchema.parse(rawName);
  const sealedValue = encryptSecret(secretValueSchema.parse(rawValue));
  await db.transaction(async (tx) => {
    const [before] = await tx.select({ id: secrets.id }).from(secrets).where(and(eq(secrets.workspaceId, workspaceId), eq(secrets.name, name))).for("update");
    const [row] = await tx
      .insert(secrets)
      .values({ workspaceId, name, sealedValue, createdBy: actor.label, updatedBy: actor.label })
      .onConflictDoUpdate({ target: [secrets.workspaceId, secrets.name], set: { sealedValue, updatedBy: actor.label, updatedAt: sql`now()` } })
      .returning({ id: secrets.id });
    await recordAuditEvent(tx, workspaceId, actor, { action: before ? "secret.changed" : "secret.created", targetType: "secret", targetId: row.id, targetLabel: name });
  });
  return getSecret(db, workspaceId, name);
}

/** Deletes a secret. Deployments that use it keep their reference: their next run fails before it starts, naming it. */
export async function deleteSecret(db: Db, workspaceId: string, actor: Actor, name: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [gone] = await tx.delete(secrets).where(and(eq(secrets.workspaceId, workspaceId), eq(secrets.name, name))).returning({ id: secrets.id });
    if (!gone) throw notFound(name);
    await recordAuditEvent(tx, workspaceId, actor, { action: "secret.deleted", targetType: "secret", targetId: gone.id, targetLabel: name });
  });
}

export function notFound(name: string) {
  return new AppError("NOT_FOUND", `No secret named "${name}" in this workspace. List them with \`baton secret ls\`.`);
}

function view(r: Secret, usedBy: SecretView["usedBy"]): SecretView {
  return { name: r.name, createdBy: r.createdBy, createdAt: r.createdAt.toISOString(), updatedBy: r.updatedBy, updatedAt: r.updatedAt.toISOString(), usedBy };
}
