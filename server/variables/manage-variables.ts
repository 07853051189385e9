import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { configNameSchema, variableValueSchema, type VariableView } from "../../agent/protocol/secrets";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { variables, type Variable } from "../db/schema";
import { AppError } from "../errors";
import { usedByMap } from "../secrets/config-references";

export async function listVariables(db: Db, workspaceId: string): Promise<VariableView[]> {
  const rows = await db.select().from(variables).where(eq(variables.workspaceId, workspaceId)).orderBy(asc(variables.name));
  const usedBy = await usedByMap(db, workspaceId, "variable");
  return rows.map((r) => view(r, usedBy.get(r.name) ?? []));
}

export async function getVariable(db: Db, workspaceId: string, name: string): Promise<VariableView> {
  const found = (await listVariables(db, workspaceId)).find((v) => v.name === name);
  if (!found) throw variableNotFound(name);
  return found;
}

/** Creates or changes a variable; the audit event keeps the old and new value (variables are not secret). */
export async function setVariable(db: Db, workspaceId: string, actor: Actor, rawName: string, rawValue: unknown): Promise<VariableView> {
  const name = configNameSchema.parse(rawName);
  const value = variableValueSchema.parse(rawValue);
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(variables).where(and(eq(variables.workspaceId, workspaceId), eq(variables.name, name))).for("update");
    if (before && JSON.stringify(before.value) === JSON.stringify(value)) return;
    const [row] = await tx
      .insert(variables)
      .values({ workspaceId, name, value, createdBy: actor.label, updatedBy: actor.label })
      .onConflictDoUpdate({ target: [variables.workspaceId, variables.name], set: { value, updatedBy: actor.label, updatedAt: sql`now()` } })
      .returning({ id: variables.id });
    await recordAuditEvent(tx, workspaceId, actor, {
      action: before ? "variable.changed" : "variable.created",
      targetType: "variable",
      targetId: row.id,
      targetLabel: name,
      details: before ? { from: before.value, to: value } : { value },
    });
  });
  return getVariable(db, workspaceId, name);
}

/** Deletes a variable. Deployments that use it keep their reference: their next run fails before it starts, naming it. */
export async function deleteVariable(db: Db, workspaceId: string, actor: Actor, name: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [gone] = await tx.delete(variables).where(and(eq(variables.workspaceId, workspaceId), eq(variables.name, name))).returning();
    if (!gone) throw variableNotFound(name);
    await recordAuditEvent(tx, workspaceId, actor, { action: "variable.deleted", targetType: "variable", targetId: gone.id, targetLabel: name, details: { value: gone.value } });
  });
}

export function variableNotFound(name: string) {
  return new AppError("NOT_FOUND", `No variable named "${name}" in this workspace. List them with \`baton variable ls\`.`);
}

function view(r: Variable, usedBy: VariableView["usedBy"]): VariableView {
  return { name: r.name, value: r.value, createdBy: r.createdBy, createdAt: r.createdAt.toISOString(), updatedBy: r.updatedBy, updatedAt: r.updatedAt.toISOString(), usedBy };
}
