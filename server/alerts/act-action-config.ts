import "server-only";
import { and, eq } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { deployments, flows, workPools } from "../db/schema";
import { AppError } from "../errors";
import { validateParameterTemplate } from "../deployments/validate-parameters";
import { templatedKeys } from "../runs/parameter-template";
import type { ActActionInput, ActionConfig } from "../../agent/protocol/automations";

/**
 * Saving an action that acts (run / pause / resume a deployment, cancel runs, pause / resume a
 * work pool): its target must exist in the workspace, and a run's parameter template must fit the
 * target deployment's schema (checked again, with the real values, when it fires). The shape and
 * the template's placeholders were checked by validateAutomationShape. Throws BAD_REQUEST with the
 * sentence for the action's field.
 */
export async function prepareActActionConfig(
  db: Queryable,
  workspaceId: string,
  action: ActActionInput,
): Promise<{ config: ActionConfig; target: string }> {
  switch (action.kind) {
    case "run_deployment": {
      const d = await findTargetDeployment(db, workspaceId, action.deploymentId);
      try {
        validateParameterTemplate(d.row.parameterSchema, d.row.parameters, action.parameters, templatedKeys(action.parameters));
      } catch (err) {
        if (err instanceof AppError && err.code === "UNPROCESSABLE") throw new AppError("BAD_REQUEST", err.message, err.details);
        throw err;
      }
      return { config: { kind: action.kind, deploymentId: d.row.id, parameters: action.parameters }, target: `run ${d.label}` };
    }
    case "pause_deployment":
    case "resume_deployment": {
      const verb = action.kind === "pause_deployment" ? "pause" : "resume";
      if (!action.deploymentId) return { config: { kind: action.kind, deploymentId: null }, target: `${verb} the run's deployment` };
      const d = await findTargetDeployment(db, workspaceId, action.deploymentId);
      return { config: { kind: action.kind, deploymentId: d.row.id }, target: `${verb} ${d.label}` };
    }
    case "cancel_runs":
      return {
        config: { kind: action.kind, which: action.which },
        target: action.which === "triggering" ? "cancel the run" : "cancel the deployment's other active runs",
      };
    case "pause_work_pool":
    case "resume_work_pool": {
      const verb = action.kind === "pause_work_pool" ? "pause" : "resume";
      if (!action.workPoolId) return { config: { kind: action.kind, workPoolId: null }, target: `${verb} the run's work pool` };
      const [pool] = await db
        .select({ id: workPools.id, name: workPools.name })
        .from(workPools)
        .where(and(eq(workPools.workspaceId, workspaceId), eq(workPools.id, action.workPoolId)));
      if (!pool) throw new AppError("BAD_REQUEST", "The chosen work pool does not exist in this workspace (it may have been deleted). Choose it again.");
      return { config: { kind: action.kind, workPoolId: pool.id }, target: `${verb} pool ${pool.name}` };
    }
  }
}

async function findTargetDeployment(db: Queryable, workspaceId: string, id: string) {
  const [found] = await db
    .select({ row: deployments, flowName: flows.name })
    .from(deployments)
    .innerJoin(flows, eq(flows.id, deployments.flowId))
    .where(and(eq(deployments.workspaceId, workspaceId), eq(deployments.id, id)));
  if (!found) throw new AppError("BAD_REQUEST", "The chosen deployment does not exist in this workspace (it may have been deleted). Choose it again.");
  return { row: found.row, label: `${found.flowName}/${found.row.name}` };
}
