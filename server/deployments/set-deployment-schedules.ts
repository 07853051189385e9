import { and, eq, sql } from "drizzle-orm";
import type { ScheduleInput } from "../../agent/protocol/deployments";
import type { Db } from "../db/client";
import { deployments } from "../db/schema";
import { AppError } from "../errors";
import { replaceSchedules } from "../scheduling/replace-schedules";
import { getDeployment } from "./get-deployment";
import { isUuid } from "../../agent/protocol/storable";

/**
 * Makes the deployment's schedules exactly `schedules` (the schedule editor's Save): unchanged ones
 * keep their future runs, changed and removed ones lose their unstarted runs, in one transaction.
 */
export async function setDeploymentSchedules(db: Db, workspaceId: string, deploymentId: string, schedules: ScheduleInput[]) {
  if (!isUuid(deploymentId)) throw new AppError("NOT_FOUND", "Deployment not found.");
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: deployments.id })
      .from(deployments)
      .where(and(eq(deployments.workspaceId, workspaceId), eq(deployments.id, deploymentId)))
      .for("update");
    if (!row) throw new AppError("NOT_FOUND", "Deployment not found.");
    const result = await replaceSchedules(tx, { workspaceId, deploymentId, schedules });
    if (result.changed) await tx.update(deployments).set({ updatedAt: sql`now()` }).where(eq(deployments.id, deploymentId));
  });
  return getDeployment(db, workspaceId, deploymentId);
}
