import { and, eq, sql } from "drizzle-orm";
import type { ScheduleInput } from "../../agent/protocol/deployments";
import type { Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { deployments, flows } from "../db/schema";
import { AppError } from "../errors";
import { replaceSchedules } from "../scheduling/replace-schedules";
import { getDeployment } from "./get-deployment";
import { isUuid } from "../../agent/protocol/storable";
import { deploymentLabel } from "./manage-deployment";

/**
 * Makes the deployment's schedules exactly `schedules` (the schedule editor's Save): unchanged ones
 * keep their future runs, changed and removed ones lose their unstarted runs, in one transaction.
 */
export async function setDeploymentSchedules(db: Db, workspaceId: string, actor: Actor, deploymentId: string, schedules: ScheduleInput[]) {
  if (!isUuid(deploymentId)) throw new AppError("NOT_FOUND", "Deployment not found.");
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: deployments.id, name: deployments.name, flowName: flows.name })
      .from(deployments)
      .innerJoin(flows, eq(flows.id, deployments.flowId))
      .where(and(eq(deployments.workspaceId, workspaceId), eq(deployments.id, deploymentId)))
      .for("update", { of: deployments });
    if (!row) throw new AppError("NOT_FOUND", "Deployment not found.");
    const result = await replaceSchedules(tx, { workspaceId, deploymentId, schedules, actor, deploymentLabel: deploymentLabel(row.flowName, row.name) });
    if (result.changed) await tx.update(deployments).set({ updatedAt: sql`now()` }).where(eq(deployments.id, deploymentId));
  });
  return getDeployment(db, workspaceId, deploymentId);
}
