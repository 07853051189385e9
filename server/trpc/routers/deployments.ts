import { z } from "zod";
import { catchUpSchema, deploymentSchema, deploymentSourceSchema, maxLatenessSchema, scheduleInputSchema, setupStepSchema } from "../../../agent/protocol/deployments";
import { deploymentOverview, deploymentOverviewSchema } from "../../deployments/deployment-overview";
import { getDeployment, loadDeployments } from "../../deployments/get-deployment";
import { setDeploymentCatchUp, setDeploymentPaused, setDeploymentSource } from "../../deployments/manage-deployment";
import { setDeploymentSchedules } from "../../deployments/set-deployment-schedules";
import { getFlow } from "../../flows/get-flow";
import { listFlows } from "../../flows/list-flows";
import { previewSchedule, schedulePreviewInputSchema, schedulePreviewSchema } from "../../scheduling/preview-schedule";
import { requireRole, router, workspaceProcedure } from "../init";

const flowSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });

export const deploymentsRouter = router({
  list: workspaceProcedure.output(z.array(deploymentSchema)).query(({ ctx }) => loadDeployments(ctx.db, ctx.workspace.id)),

  get: workspaceProcedure.input(z.object({ deploymentId: z.uuid() })).output(deploymentSchema).query(({ ctx, input }) => getDeployment(ctx.db, ctx.workspace.id, input.deploymentId)),

  /** Next run time and last run of every deployment, for the list and the detail page. */
  overview: workspaceProcedure.output(z.array(deploymentOverviewSchema)).query(({ ctx }) => deploymentOverview(ctx.db, ctx.workspace.id)),

  setPaused: requireRole("developer")
    .input(z.object({ deploymentId: z.uuid(), paused: z.boolean() }))
    .output(deploymentSchema)
    .mutation(({ ctx, input }) => setDeploymentPaused(ctx.db, ctx.workspace.id, ctx.actor, input.deploymentId, input.paused)),

  /** The catch-up policy and maximum lateness of the deployment's scheduled runs. */
  setCatchUp: requireRole("developer")
    .input(z.object({ deploymentId: z.uuid(), catchUp: catchUpSchema, maxLatenessSeconds: maxLatenessSchema.nullable() }))
    .output(deploymentSchema)
    .mutation(({ ctx, input }) => setDeploymentCatchUp(ctx.db, ctx.workspace.id, ctx.actor, input.deploymentId, input)),

  /** Where the code is, and the setup step (the deployment page's code editor). */
  setSource: requireRole("developer")
    .input(z.object({ deploymentId: z.uuid(), source: deploymentSourceSchema.nullable(), setup: setupStepSchema.nullable() }))
    .output(deploymentSchema)
    .mutation(({ ctx, input }) => setDeploymentSource(ctx.db, ctx.workspace.id, ctx.actor, input.deploymentId, input)),

  /** The schedule editor's preview: the next times, or BAD_REQUEST with fieldErrors naming the field. */
  previewSchedule: workspaceProcedure
    .input(schedulePreviewInputSchema)
    .output(schedulePreviewSchema)
    .query(({ input }) => previewSchedule(input)),

  replaceSchedules: requireRole("developer")
    .input(z.object({ deploymentId: z.uuid(), schedules: z.array(scheduleInputSchema).max(20) }))
    .output(deploymentSchema)
    .mutation(({ ctx, input }) => setDeploymentSchedules(ctx.db, ctx.workspace.id, ctx.actor, input.deploymentId, input.schedules)),

  flows: workspaceProcedure.output(z.array(flowSchema)).query(({ ctx }) => listFlows(ctx.db, ctx.workspace.id)),

  flow: workspaceProcedure
    .input(z.object({ flowId: z.uuid() }))
    .output(flowSchema)
    .query(({ ctx, input }) => getFlow(ctx.db, ctx.workspace.id, input.flowId)),
});
