import { and, asc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { workPoolCreateSchema, workPoolUpdateSchema } from "../../agent/protocol/work-pools";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Db, Tx } from "../db/client";
import { hasPgCode } from "../db/pg-errors";
import { workPools, type WorkPool } from "../db/schema";
import { AppError } from "../errors";
import { findWorkPool } from "./find-work-pool";

export function serializeWorkPool(p: WorkPool) {
  return { id: p.id, name: p.name, description: p.description, concurrencyLimit: p.concurrencyLimit, paused: p.paused, createdAt: p.createdAt.toISOString() };
}

export async function listWorkPools(db: Db, workspaceId: string) {
  const rows = await db.select().from(workPools).where(eq(workPools.workspaceId, workspaceId)).orderBy(asc(workPools.name));
  return rows.map(serializeWorkPool);
}

export async function createWorkPool(db: Db, workspaceId: string, actor: Actor, input: z.output<typeof workPoolCreateSchema>) {
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(workPools)
        .values({ workspaceId, name: input.name, description: input.description ?? null, concurrencyLimit: input.concurrencyLimit ?? null, paused: input.paused ?? false })
        .returning();
      await recordAuditEvent(tx, workspaceId, actor, {
        action: "work_pool.created",
        targetType: "work_pool",
        targetId: row.id,
        targetLabel: row.name,
        details: { concurrencyLimit: row.concurrencyLimit, paused: row.paused },
      });
      return serializeWorkPool(row);
    });
  } catch (err) {
    if (hasPgCode(err, "23505")) throw new AppError("CONFLICT", `A work pool named "${input.name}" already exists.`);
    throw err;
  }
}

/** Changing the limit or resuming wakes the pool's long-polling agents, so freed capacity is used at once. */
export async function updateWorkPool(db: Db, workspaceId: string, actor: Actor, name: string, input: z.output<typeof workPoolUpdateSchema>) {
  const pool = await findWorkPool(db, workspaceId, name);
  return db.transaction(async (tx) => {
    // Locked, so the audit log's "from" is the value this update replaced.
    const [before] = await tx.select().from(workPools).where(and(eq(workPools.id, pool.id), eq(workPools.workspaceId, workspaceId))).for("update");
    if (!before) throw new AppError("NOT_FOUND", `Work pool "${name}" not found. It may have been deleted; reload the page.`);
    const [row] = await tx
      .update(workPools)
      .set({
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.concurrencyLimit !== undefined ? { concurrencyLimit: input.concurrencyLimit } : {}),
        ...(input.paused !== undefined ? { paused: input.paused } : {}),
      })
      .where(and(eq(workPools.id, pool.id), eq(workPools.workspaceId, workspaceId)))
      .returning();
    await recordPoolChanges(tx, workspaceId, actor, before, row);
    await tx.execute(sql`select pg_notify('baton_dispatch', ${pool.id}::text)`);
    return serializeWorkPool(row);
  });
}

/** One event per kind of change, so "who paused the pool" and "who raised its limit" each read as one line. */
async function recordPoolChanges(tx: Tx, workspaceId: string, actor: Actor, before: WorkPool, after: WorkPool) {
  const target = { targetType: "work_pool", targetId: after.id, targetLabel: after.name };
  if (before.paused !== after.paused) await recordAuditEvent(tx, workspaceId, actor, { action: after.paused ? "work_pool.paused" : "work_pool.resumed", ...target });
  if (before.concurrencyLimit !== after.concurrencyLimit) {
    await recordAuditEvent(tx, workspaceId, actor, { action: "work_pool.concurrency_limit_changed", ...target, details: { from: before.concurrencyLimit, to: after.concurrencyLimit } });
  }
  if (before.description !== after.description) await recordAuditEvent(tx, workspaceId, actor, { action: "work_pool.updated", ...target, details: { changed: ["description"] } });
}
