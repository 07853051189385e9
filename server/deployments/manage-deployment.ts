import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { deployments } from "../db/schema";
import { AppError } from "../errors";
import { notifyLive } from "../live/notify-live";
import { removeFutureRuns } from "../scheduling/replace-schedules";
import { getDeployment } from "./get-deployment";
import { isUuid } from "../../agent/protocol/storable";

/** Pausing removes the deployment's future scheduled runs; resuming lets the scheduler refill them. */
export async function setDeploymentPaused(db: Db, workspaceId: string, id: string, paused: boolean) {
  await getDeployment(db, workspaceId, id);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(deployments)
      .set({ paused, updatedAt: sql`now()` })
      .where(and(eq(deployments.id, id), eq(deployments.workspaceId, workspaceId)))
      .returning({ workPoolId: deployments.workPoolId });
    if (paused) await removeFutureRuns(tx, { workspaceId, deploymentId: id });
    // Runs that waited while it was paused are claimable again: wake the pool's agents.
    else await tx.execute(sql`select pg_notify('baton_dispatch', ${row.workPoolId}::text)`);
    await notifyLive(tx, workspaceId, "deployment", [id]);
  });
  return getDeployment(db, workspaceId, id);
}

/** Deletes the deployment and its future runs; runs that already happened stay in history. */
export async function deleteDeployment(db: Db, workspaceId: string, id: string) {
  if (!isUuid(id)) throw new AppError("NOT_FOUND", "Deployment not found.");
  await db.transaction(async (tx) => {
    await removeFutureRuns(tx, { workspaceId, deploymentId: id });
    const rows = await tx.delete(deployments).where(and(eq(deployments.id, id), eq(deployments.workspaceId, workspaceId))).returning({ id: deployments.id });
    if (!rows[0]) throw new AppError("NOT_FOUND", "Deployment not found.");
    await notifyLive(tx, workspaceId, "deployment", [id]);
  });
}
