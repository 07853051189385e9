import { z } from "zod";
import { deploymentSourceSchema, retryDelaySchema, setupStepSchema } from "./deployments";

export const workPoolSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    concurrencyLimit: z.number().nullable(),
    paused: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: "WorkPool" });

export const workPoolCreateSchema = z
  .object({
    name: z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, "Use letters, digits, dots, dashes or underscores (up to 63)"),
    description: z.string().max(500).optional(),
    concurrencyLimit: z.number().int().min(0).max(100_000).nullable().optional(),
    paused: z.boolean().optional(),
  })
  .meta({ id: "WorkPoolCreate" });

export const workPoolUpdateSchema = workPoolCreateSchema.omit({ name: true }).meta({ id: "WorkPoolUpdate" });

export const agentRegisterSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    workPool: z.string().min(1).max(100).default("default"),
    hostname: z.string().max(255).optional(),
    version: z.string().max(50).optional(),
    slots: z.number().int().min(1).max(10_000).optional(),
  })
  .meta({ id: "AgentRegister" });

export const agentSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    workPool: z.string(),
    hostname: z.string().nullable(),
    version: z.string().nullable(),
    slots: z.number().nullable(),
    lastHeartbeatAt: z.string(),
    online: z.boolean(),
  })
  .meta({ id: "Agent" });

export const claimRequestSchema = z
  .object({
    agentId: z.uuid(),
    slots: z.number().int().min(1).max(1000).meta({ description: "Free slots: the most runs to hand out" }),
    waitSeconds: z.number().min(0).max(30).default(0).meta({ description: "Long poll: wait up to this long for a run to become due" }),
  })
  .meta({ id: "ClaimRequest" });

export const claimedRunSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    flowName: z.string(),
    deployment: z
      .object({
        id: z.uuid(),
        name: z.string(),
        kind: z.enum(["flow", "command"]),
        entrypoint: z.string().nullable(),
        command: z.string().nullable(),
        python: z.string().nullable(),
        source: deploymentSourceSchema.nullable(),
        setup: setupStepSchema.nullable(),
        timeoutSeconds: z.number().nullable(),
      })
      .nullable(),
    parameters: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()),
    attempt: z.number(),
    leaseToken: z.uuid(),
    leaseExpiresAt: z.string(),
    runToken: z.string(),
    sourceCommit: z.string().nullable().meta({ description: "The commit of a git source this run is pinned to (a re-run with the same code, or an earlier attempt's); null: the agent resolves the ref" }),
    scheduledTime: z.string(),
    env: z
      .record(z.string(), z.string())
      .default({})
      .meta({ description: "The run's environment, its deployment's env with secrets and variables resolved: for this claim only, never stored with the run" }),
    secretEnv: z.array(z.string()).default([]).meta({ description: "The env names whose values are secrets: the agent masks those values in the logs it sends" }),
    sourceCredentials: z
      .string()
      .nullable()
      .default(null)
      .meta({ description: "The token of a git source's `credentials` secret, for this claim only: the agent gives it to git, never to the run's environment, and masks it in logs" }),
  })
  .meta({ id: "ClaimedRun" });

export const claimResponseSchema = z.object({ runs: z.array(claimedRunSchema), paused: z.boolean() }).meta({ id: "ClaimResponse" });

export const heartbeatSchema = z
  .object({ runs: z.array(z.object({ runId: z.uuid(), attempt: z.number().int(), leaseToken: z.uuid() })).max(10_000).default([]) })
  .meta({ id: "Heartbeat" });

export const heartbeatResponseSchema = z
  .object({
    cancel: z.array(z.uuid()).meta({ description: "Runs a person cancelled: stop them and report CANCELLED" }),
    lost: z.array(z.uuid()).meta({ description: "Runs this agent no longer holds (lease expired or taken): stop them, report nothing" }),
    leaseExpiresAt: z.string().nullable(),
  })
  .meta({ id: "HeartbeatResponse" });

export { retryDelaySchema };
