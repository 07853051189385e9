import { z } from "zod";
import { isoTimestampSchema } from "./storable";
import { stateOutSchema, taskStateSchema } from "./states";

export const taskRunCreateSchema = z
  .object({
    runId: z.uuid(),
    flowRunAttempt: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: "The flow run attempt the task belongs to: defaults to the run token's attempt, or the run's current attempt with an API key" }),
    taskKey: z.string().min(1).max(500).meta({ description: "Identifies the task in the flow's code, e.g. module:function" }),
    dynamicKey: z.string().max(200).default("").meta({ description: "Tells apart calls of the same task in one run (e.g. a counter)" }),
    name: z.string().min(1).max(200).optional().meta({ description: "Defaults to the task key" }),
    upstreamTaskRunIds: z.array(z.uuid()).max(1000).default([]).meta({ description: "Task runs of the same flow run whose results this one uses" }),
    cacheKey: z.string().min(1).max(500).nullable().optional(),
    state: taskStateSchema.optional().meta({ description: "Initial state; default PENDING" }),
  })
  .meta({
    id: "TaskRunCreate",
    description: "Idempotent on (run, flow run attempt, taskKey, dynamicKey): the same again returns the existing task run unchanged",
  });

export type TaskRunCreate = z.input<typeof taskRunCreateSchema>;

export const taskRunSchema = z
  .object({
    id: z.uuid(),
    runId: z.uuid(),
    flowRunAttempt: z.number(),
    taskKey: z.string(),
    dynamicKey: z.string(),
    name: z.string(),
    state: stateOutSchema,
    cacheKey: z.string().nullable(),
    attempt: z.number().meta({ description: "Task attempt: goes up each time the task starts running again" }),
    upstreamTaskRunIds: z.array(z.uuid()),
    startTime: z.string().nullable(),
    endTime: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: "TaskRun" });

export type TaskRun = z.infer<typeof taskRunSchema>;

export const taskRunStateReportSchema = z
  .object({
    taskRunId: z.uuid(),
    state: taskStateSchema,
    transitionId: z.uuid().optional().meta({ description: "Made by the client. Re-sent reports are safe either way: a report of the state the task run is already in changes nothing" }),
    timestamp: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: "When it happened on the client (reports travel in batches); default the server's time. Never later than now nor earlier than the task run's previous state" }),
  })
  .meta({ id: "TaskRunStateReport" });

export const taskRunStateReportBatchSchema = z
  .object({ reports: z.array(taskRunStateReportSchema).min(1).max(1000) })
  .meta({
    id: "TaskRunStateReportBatch",
    description: "Applied in order in one transaction. A task run that is not the caller's refuses the whole batch (404); one of an older flow run attempt, 409.",
  });

export const taskRunStateResultSchema = z
  .object({
    taskRunId: z.uuid(),
    status: z.enum(["ACCEPT", "REJECT"]),
    replayed: z.boolean().optional().meta({ description: "The task run was already in this state (a re-sent report); nothing changed" }),
    reason: z.string().optional(),
    state: stateOutSchema,
  })
  .meta({ id: "TaskRunStateResult" });

export const taskRunStateResultsSchema = z.object({ results: z.array(taskRunStateResultSchema) }).meta({ id: "TaskRunStateResults" });

export const taskRunListQuerySchema = z.object({
  attempt: z.coerce.number().int().min(0).optional().meta({ description: "Only task runs of this flow run attempt" }),
  after: z.uuid().optional().meta({ description: "The nextCursor of an earlier page" }),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

export const taskRunListSchema = z
  .object({ taskRuns: z.array(taskRunSchema).meta({ description: "In creation order" }), nextCursor: z.string().nullable() })
  .meta({ id: "TaskRunList" });

export const taskRunBatchCreateSchema = z
  .object({
    runId: z.uuid(),
    flowRunAttempt: z.number().int().min(0).optional().meta({ description: "As for a single create" }),
    taskRuns: z
      .array(
        z.object({
          id: z.uuid().meta({ description: "Made by the client (UUIDv7 recommended), so it can report states and name upstreams before the answer" }),
          taskKey: z.string().min(1).max(500),
          dynamicKey: z.string().max(200).default(""),
          name: z.string().min(1).max(200).optional(),
          upstreamTaskRunIds: z.array(z.uuid()).max(1000).default([]),
          cacheKey: z.string().min(1).max(500).nullable().optional(),
          state: taskStateSchema.optional(),
          timestamp: isoTimestampSchema.optional().meta({ description: "When it was created on the client; default the server's time, never later" }),
        }),
      )
      .min(1)
      .max(1000),
  })
  .meta({
    id: "TaskRunBatchCreate",
    description:
      "Creates many task runs of one flow run in one statement. Idempotent like a single create: a (taskKey, dynamicKey) that exists keeps its row, and its id is returned. Upstreams may name task runs of the same batch.",
  });

export const taskRunBatchResultSchema = z
  .object({
    taskRuns: z.array(z.object({ id: z.uuid(), requestedId: z.uuid(), created: z.boolean() })).meta({ description: "In request order; `id` differs from `requestedId` when the task run already existed" }),
  })
  .meta({ id: "TaskRunBatchResult" });
