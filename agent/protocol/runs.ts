import { z } from "zod";
import { isoTimestampSchema } from "./storable";
import { stateOutSchema, stateSchema, stateTypeSchema } from "./states";
import { waitingSchema } from "./waiting";
import { commitShaSchema } from "./deployments";

const parameters = z.record(z.string(), z.unknown());

/**
 * What started a run when no person did. An automation's "run a deployment" action names the
 * automation and the event (and the run whose event it was, also in `triggeredByRunId`); an
 * incoming webhook names its endpoint and the request in its log. `depth` counts automation hops
 * in a chain (A's completion started B, whose completion started C …), bounded so a loop stops.
 */
export const runOriginSchema = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("automation"),
      automationId: z.string(),
      automationName: z.string(),
      event: z.string().meta({ description: "Completed, Failed, …, or the trigger's own event" }),
      runId: z.string().nullable(),
      runName: z.string().nullable(),
      depth: z.number().int(),
    }),
    z.object({ kind: z.literal("webhook"), endpointId: z.string(), endpointName: z.string(), requestId: z.string() }),
  ])
  .meta({ id: "RunOrigin" });
export type RunOrigin = z.infer<typeof runOriginSchema>;

export const flowRunSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    flowId: z.uuid(),
    flowName: z.string(),
    deploymentId: z.uuid().nullable(),
    deploymentName: z.string().nullable(),
    workPool: z.string().nullable(),
    parameters,
    tags: z.array(z.string()),
    state: stateOutSchema,
    scheduledTime: z.string(),
    startTime: z.string().nullable(),
    endTime: z.string().nullable(),
    attempt: z.number(),
    agentId: z.uuid().nullable(),
    idempotencyKey: z.string().nullable(),
    sourceCommit: z.string().nullable().meta({ description: "The commit of its deployment's git source the run runs (null: not a git source, or not claimed yet)" }),
    createdBy: z.string().nullable(),
    parentRunId: z.uuid().nullable().meta({ description: "The run whose flow started this one (runDeployment): this run is its child" }),
    origin: runOriginSchema.nullable().meta({ description: "What started it when no person did: an automation or an incoming webhook" }),
    triggeredByRunId: z.uuid().nullable().meta({ description: "The run whose event fired the automation that started this one" }),
    createdAt: z.string(),
    waiting: waitingSchema
      .nullable()
      .optional()
      .meta({ description: "GET /flow-runs and GET /flow-runs/{id}: why a SCHEDULED run has not started (null for other states)" }),
  })
  .meta({ id: "FlowRun" });

export type FlowRun = z.infer<typeof flowRunSchema>;

export const createRunSchema = z
  .object({
    parameters: parameters.default({}),
    idempotencyKey: z.string().min(1).max(200).optional().meta({ description: "The same key again returns the run it created" }),
    scheduledTime: isoTimestampSchema.optional().meta({ description: "When it should start; default now" }),
    tags: z.array(z.string().min(1).max(100)).max(50).optional(),
    name: z.string().min(1).max(200).optional(),
    sourceCommit: commitShaSchema
      .optional()
      .meta({ description: "Run this commit of the deployment's git source instead of what its ref points at (\"Run again with the same code\")" }),
  })
  .meta({ id: "CreateRun" });

/** What an agent tells of a run of a git source once it resolved the ref (first write wins). */
export const sourceCommitReportSchema = z.object({ commit: commitShaSchema }).meta({ id: "SourceCommitReport" });

export const createAdhocRunSchema = z
  .object({
    flowName: z.string().trim().min(1).max(200),
    parameters: parameters.default({}),
    tags: z.array(z.string().min(1).max(100)).max(50).default([]),
    idempotencyKey: z.string().min(1).max(200).optional(),
    name: z.string().min(1).max(200).optional(),
  })
  .meta({ id: "CreateAdhocRun", description: "A flow run started by the SDK outside an agent: it begins RUNNING" });

export const runListQuerySchema = z.object({
  state: z.union([stateTypeSchema, z.array(stateTypeSchema)]).optional(),
  deployment: z.uuid().optional(),
  flow: z.uuid().optional(),
  tag: z.string().optional(),
  parentRunId: z.uuid().optional().meta({ description: "Only the children this run started (runDeployment / run_deployment)" }),
  from: isoTimestampSchema.optional(),
  to: isoTimestampSchema.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const runListSchema = z.object({ runs: z.array(flowRunSchema), nextCursor: z.string().nullable() }).meta({ id: "FlowRunList" });

export const stateReportSchema = z
  .object({
    runId: z.uuid(),
    state: stateSchema,
    transitionId: z.uuid().meta({ description: "Made by the client; the same id again changes nothing and returns the current state" }),
    attempt: z.number().int().min(1),
    leaseToken: z.uuid().optional().meta({ description: "Required from agents; a run token carries its own attempt" }),
  })
  .meta({ id: "StateReport" });

export const stateReportBatchSchema = z.object({ reports: z.array(stateReportSchema).min(1).max(1000) }).meta({ id: "StateReportBatch" });

export const transitionResultSchema = z
  .object({
    runId: z.uuid(),
    status: z.enum(["ACCEPT", "REJECT", "WAIT", "CONFLICT", "NOT_FOUND"]),
    reason: z.string().optional(),
    waitSeconds: z.number().optional(),
    replayed: z.boolean().optional(),
    attempt: z.number().optional(),
    state: stateOutSchema.optional(),
    runToken: z.string().optional().meta({ description: "A new run token when the transition started a new attempt" }),
  })
  .meta({ id: "TransitionResult" });

export const stateReportResultSchema = z.object({ results: z.array(transitionResultSchema) }).meta({ id: "StateReportResults" });

export const userStateSchema = z.object({ state: stateSchema, transitionId: z.uuid().optional() }).meta({ id: "SetState" });

/** The answer to a run's own heartbeat (`POST /flow-runs/{id}/heartbeat` with its run token: ad-hoc runs of the SDKs). */
export const runHeartbeatResponseSchema = z
  .object({
    cancel: z.boolean().meta({ description: "A person cancelled the run: stop it and report CANCELLED" }),
    lost: z.boolean().meta({ description: "The run is no longer this attempt's (its lease expired, or it ended): stop reporting" }),
    leaseExpiresAt: z.string().nullable(),
  })
  .meta({ id: "RunHeartbeatResponse" });
