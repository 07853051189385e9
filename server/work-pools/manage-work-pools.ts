import { and, asc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { workPoolCreateSchema, workPoolUpdateSchema } from "../../agent/protocol/work-pools";
import type { Db } from "../db/client";
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

export async function createWorkPool(db: Db, workspaceId: string, input: z.output<typeof workPoolCreateSchema>) {
  try {
    const [row] = await db
      .insert(workPools)
      .values({ workspaceId, name: input.name, description: input.description ?? null, concurrencyLimit: input.concurrencyLimit ?? null, paused: input.paused ?? false })
      .returning();
    return serializeWorkPool(row);
  } catch (err) {
    if (hasPgCode(err, "23505")) throw new AppError("CONFLICT", `A work pool named "${input.name}" already exists.`);
    throw err;
  }
}

/** Changing the limit or resuming wakes the pool's long-polling agents, so freed capacity is used at once. */
export async function updateWorkPool(db: Db, workspaceId: string, name: string, input: z.output<typeof workPoolUpdateSchema>) {
  const pool = await findWorkPool(db, workspaceId, name);
  const [row] = await db
    .update(workPools)
    .set({
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.concurrencyLimit !== undefined ? { concurrencyLimit: input.concurrencyLimit } : {}),
      ...(input.paused !== undefined ? { paused: input.paused } : {}),
    })
    .where(and(eq(workPools.id, pool.id), eq(workPools.workspaceId, workspaceId)))
    .returning();
  await db.execute(sql`select pg_notify('baton_dispatch', ${pool.id}::text)`);
  return serializeWorkPool(row);
}
