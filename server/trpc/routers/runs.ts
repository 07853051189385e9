import { z } from "zod";
import { createRunSchema, flowRunSchema, runListQuerySchema, runListSchema } from "../../../agent/protocol/runs";
import { stateTypeSchema } from "../../../agent/protocol/states";
import { artifactListSchema } from "../../../agent/protocol/artifacts";
import { logPageSchema, logQuerySchema } from "../../../agent/protocol/logs";
import { taskRunListSchema } from "../../../agent/protocol/task-runs";
import { listRunArtifacts } from "../../artifacts/list-run-artifacts";
import { listLogs } from "../../logs/list-logs";
import { listTaskRuns } from "../../task-runs/list-task-runs";
import { listTaskRunHistory } from "../../task-runs/task-run-history";
import { cancelRun, retryRun } from "../../runs/change-run-state";
import { createDeploymentRun } from "../../runs/create-run";
import { getRun, listRuns } from "../../runs/load-runs";
import { explainRunWaiting } from "../../runs/with-waiting";
import { waitingSchema } from "../../../agent/protocol/waiting";
import { runHistory } from "../../runs/run-history";
import { runLineage } from "../../runs/child-runs";
import { runLineageSchema } from "../../../agent/protocol/child-runs";
import { pauseSchema, resumeRequestSchema } from "../../../agent/protocol/pauses";
import { currentPause, resumeRun } from "../../pauses/resume-run";
import { requireRole, router, workspaceProcedure } from "../init";

export const runsRouter = router({
  list: workspaceProcedure
    .input(runListQuerySchema.omit({ limit: true }).extend({ limit: z.number().int().min(1).max(200).default(50) }))
    .output(runListSchema)
    .query(({ ctx, input }) => listRuns(ctx.db, ctx.workspace.id, input)),

  get: workspaceProcedure.input(z.object({ runId: z.uuid() })).output(flowRunSchema).query(({ ctx, input }) => getRun(ctx.db, ctx.workspace.id, input.runId)),

  waiting: workspaceProcedure
    .input(z.object({ runId: z.uuid() }))
    .output(waitingSchema.nullable())
    .query(({ ctx, input }) => explainRunWaiting(ctx.db, ctx.workspace.id, input.runId)),

  history: workspaceProcedure
    .input(z.object({ runId: z.uuid() }))
    .output(z.array(z.object({ type: stateTypeSchema, name: z.string(), message: z.string().nullable(), attempt: z.number(), timestamp: z.string(), actorLabel: z.string().nullable() })))
    .query(({ ctx, input }) => runHistory(ctx.db, ctx.workspace.id, input.runId)),

  /** Parent, children (runDeployment) and the runs automations started after this run: the run page's lineage panel. */
  lineage: workspaceProcedure.input(z.object({ runId: z.uuid() })).output(runLineageSchema).query(({ ctx, input }) => runLineage(ctx.db, ctx.workspace.id, input.runId)),

  create: requireRole("runner")
    .input(createRunSchema.extend({ deploymentId: z.uuid() }))
    .output(z.object({ run: flowRunSchema, created: z.boolean() }))
    .mutation(({ ctx, input }) => createDeploymentRun(ctx.db, ctx.workspace.id, ctx.actor, input.deploymentId, input)),

  cancel: requireRole("runner").input(z.object({ runId: z.uuid() })).output(flowRunSchema).mutation(({ ctx, input }) => cancelRun(ctx.db, ctx.workspace.id, ctx.actor, input.runId)),

  retry: requireRole("runner").input(z.object({ runId: z.uuid() })).output(flowRunSchema).mutation(({ ctx, input }) => retryRun(ctx.db, ctx.workspace.id, ctx.actor, input.runId)),

  /** What a paused run asks for (message, schema of the form), and the answer once given. */
  pause: workspaceProcedure.input(z.object({ runId: z.uuid() })).output(pauseSchema.nullable()).query(({ ctx, input }) => currentPause(ctx.db, ctx.workspace.id, input.runId)),

  resume: requireRole("runner")
    .input(resumeRequestSchema.extend({ runId: z.uuid() }))
    .output(pauseSchema)
    .mutation(({ ctx, input }) => resumeRun(ctx.db, ctx.workspace.id, ctx.actor, input.runId, input.input)),

  /** The run's task runs (every attempt, creation order) with upstream ids: the graph and the timeline. */
  taskRuns: workspaceProcedure
    .input(z.object({ runId: z.uuid(), after: z.uuid().optional() }))
    .output(taskRunListSchema)
    .query(({ ctx, input }) => listTaskRuns({ pool: ctx.db.$client, workspaceId: ctx.workspace.id, runToken: null, runId: input.runId, after: input.after, limit: 5000 })),

  taskRunHistory: workspaceProcedure
    .input(z.object({ runId: z.uuid() }))
    .output(z.array(z.object({ taskRunId: z.uuid(), type: stateTypeSchema, name: z.string(), message: z.string().nullable(), timestamp: z.string() })))
    .query(({ ctx, input }) => listTaskRunHistory({ pool: ctx.db.$client, workspaceId: ctx.workspace.id, runId: input.runId })),

  /** A page of log lines after a cursor; polling with the last cursor tails the run. */
  logs: workspaceProcedure
    .input(logQuerySchema.extend({ runId: z.uuid() }))
    .output(logPageSchema)
    .query(({ ctx, input }) => listLogs({ pool: ctx.db.$client, workspaceId: ctx.workspace.id, runToken: null, ...input })),

  artifacts: workspaceProcedure
    .input(z.object({ runId: z.uuid(), after: z.uuid().optional() }))
    .output(artifactListSchema)
    .query(({ ctx, input }) => listRunArtifacts({ pool: ctx.db.$client, workspaceId: ctx.workspace.id, runToken: null, runId: input.runId, after: input.after, limit: 500 })),
});
