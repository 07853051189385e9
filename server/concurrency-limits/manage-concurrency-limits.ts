import { and, asc, eq, sql } from "drizzle-orm";
import type { ConcurrencyLimitView } from "../../agent/protocol/concurrency-limits";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Db, Tx } from "../db/client";
import { concurrencyLimits } from "../db/schema";
import { AppError } from "../errors";
import { readTagSlots } from "./slot-holders";

/** Every limit by tag of the workspace, with the slots taken now and the runs taking them. */
export async function listConcurrencyLimits(db: Db, workspaceId: string): Promise<ConcurrencyLimitView[]> {
  const rows = await db.select().from(concurrencyLimits).where(eq(concurrencyLimits.workspaceId, workspaceId)).orderBy(asc(concurrencyLimits.tag));
  const slots = await readTagSlots(db, workspaceId, rows.map((r) => r.tag));
  return rows.map((r) => ({ tag: r.tag, limit: r.limit, ...slots.get(r.tag)!, updatedBy: r.updatedBy, updatedAt: r.updatedAt.toISOString() }));
}

/**
 * Creates or changes the limit of a tag. Runs already holding more slots than a lowered limit
 * keep running; no new run with the tag starts until they are under it. Every pool's long poll is
 * woken: a raised limit may let a waiting run of any pool start at once.
 */
export async function setConcurrencyLimit(db: Db, workspaceId: string, actor: Actor, tag: string, limit: number): Promise<ConcurrencyLimitView> {
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(concurrencyLimits)
      .where(and(eq(concurrencyLimits.workspaceId, workspaceId), eq(concurrencyLimits.tag, tag)))
      .for("update");
    if (before?.limit === limit) return;
    await tx
      .insert(concurrencyLimits)
      .values({ workspaceId, tag, limit, updatedBy: actor.label })
      .onConflictDoUpdate({ target: [concurrencyLimits.workspaceId, concurrencyLimits.tag], set: { limit, updatedBy: actor.label, updatedAt: sql`now()` } });
    await recordAuditEvent(tx, workspaceId, actor, { action: "concurrency_limit.set", targetType: "concurrency_limit", targetId: tag, targetLabel: tag, details: { from: before?.limit ?? null, to: limit } });
    await wakeWorkspacePools(tx, workspaceId);
  });
  return (await listConcurrencyLimits(db, workspaceId)).find((l) => l.tag === tag)!;
}

/** Removes the limit of a tag: its waiting runs become claimable like any other. */
export async function removeConcurrencyLimit(db: Db, workspaceId: string, actor: Actor, tag: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [gone] = await tx.delete(concurrencyLimits).where(and(eq(concurrencyLimits.workspaceId, workspaceId), eq(concurrencyLimits.tag, tag))).returning();
    if (!gone) throw new AppError("NOT_FOUND", `No concurrency limit for tag "${tag}". List them with \`baton concurrency ls\`.`);
    await recordAuditEvent(tx, workspaceId, actor, { action: "concurrency_limit.removed", targetType: "concurrency_limit", targetId: tag, targetLabel: tag, details: { limit: gone.limit } });
    await wakeWorkspacePools(tx, workspaceId);
  });
}

async function wakeWorkspacePools(tx: Tx, workspaceId: string) {
  await tx.execute(sql`select pg_notify('baton_dispatch', id::text) from work_pools where workspace_id = ${workspaceId}`);
}
