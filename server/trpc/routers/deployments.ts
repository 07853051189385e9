import { z } from "zod";
import { deploymentSchema } from "../../../agent/protocol/deployments";
import { getDeployment, loadDeployments } from "../../deployments/get-deployment";
import { setDeploymentPaused } from "../../deployments/manage-deployment";
import { listFlows } from "../../flows/list-flows";
import { requireRole, router, workspaceProcedure } from "../init";

export const deploymentsRouter = router({
  list: workspaceProcedure.output(z.array(deploymentSchema)).query(({ ctx }) => loadDeployments(ctx.db, ctx.workspace.id)),

  get: workspaceProcedure.input(z.object({ deploymentId: z.uuid() })).output(deploymentSchema).query(({ ctx, input }) => getDeployment(ctx.db, ctx.workspace.id, input.deploymentId)),

  setPaused: requireRole("developer")
    .input(z.object({ deploymentId: z.uuid(), paused: z.boolean() }))
    .output(deploymentSchema)
    .mutation(({ ctx, input }) => setDeploymentPaused(ctx.db, ctx.workspace.id, input.deploymentId, input.paused)),

  flows: workspaceProcedure
    .output(z.array(z.object({ id: z.string(), name: z.string(), createdAt: z.string() })))
    .query(({ ctx }) => listFlows(ctx.db, ctx.workspace.id)),
});
