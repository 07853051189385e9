import { and, asc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { deployments, flows, schedules, workPools } from "../db/schema";
import { AppError } from "../errors";
import { serializeDeployment } from "./serialize-deployment";
import { isUuid } from "../../agent/protocol/storable";

/** Deployments of a workspace with their flow, pool and schedules; by id when `ids` is given. */
export async function loadDeployments(db: Queryable, workspaceId: string, ids?: string[]) {
  const rows = await db
    .select({ d: deployments, flowName: flows.name, pool: workPools.name })
    .from(deployments)
    .innerJoin(flows, eq(flows.id, deployments.flowId))
    .innerJoin(workPools, eq(workPools.id, deployments.workPoolId))
    .where(and(eq(deployments.workspaceId, workspaceId), ids ? inArray(deployments.id, ids) : undefined))
    .orderBy(asc(flows.name), asc(deployments.name));
  if (rows.length === 0) return [];
  const scheds = await db
    .select()
    .from(schedules)
    .where(and(eq(schedules.workspaceId, workspaceId), inArray(schedules.deploymentId, rows.map((r) => r.d.id))))
    .orderBy(asc(schedules.createdAt));
  return rows.map((r) => serializeDeployment(r.d, r.flowName, r.pool, scheds.filter((s) => s.deploymentId === r.d.id)));
}

export async function getDeployment(db: Queryable, workspaceId: string, id: string) {
  if (!isUuid(id)) throw new AppError("NOT_FOUND", "Deployment not found.");
  const [d] = await loadDeployments(db, workspaceId, [id]);
  if (!d) throw new AppError("NOT_FOUND", "Deployment not found.");
  return d;
}

/** The deployment's own row (no flow, pool or schedules), for starting runs: one indexed lookup. */
export async function findDeploymentRow(db: Queryable, workspaceId: string, id: string) {
  if (!isUuid(id)) throw new AppError("NOT_FOUND", "Deployment not found.");
  const [row] = await db.select().from(deployments).where(and(eq(deployments.workspaceId, workspaceId), eq(deployments.id, id)));
  if (!row) throw new AppError("NOT_FOUND", "Deployment not found.");
  return row;
}
