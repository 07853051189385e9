import { and, eq } from "drizzle-orm";
import type pg from "pg";
import { LEASE_SECONDS } from "../../agent/protocol/leases";
import type { z } from "zod";
import type { createAdhocRunSchema, createRunSchema, RunOrigin } from "../../agent/protocol/runs";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { flowRuns } from "../db/schema";
import { uuidv7 } from "../db/uuidv7";
import { withPgTransaction } from "../db/pg-transaction";
import { billingEnabled } from "../billing/plans";
import { insertWithinRunQuota } from "../billing/run-quota";
import { findDeploymentRow } from "../deployments/get-deployment";
import { validateParameters } from "../deployments/validate-parameters";
import { upsertFlow } from "../flows/upsert-flow";
import { issueRunToken } from "../orchestration/run-token";
import { generateRunName } from "./run-names";
import { getRun } from "./load-runs";
import { AppError } from "../errors";

type NewRun = {
  workspaceId: string;
  flowId: string;
  deploymentId: string | null;
  workPoolId: string | null;
  name: string;
  parameters: Record<string, unknown>;
  tags: string[];
  state: { type: "SCHEDULED" | "RUNNING"; name: string };
  scheduledTime: Date;
  attempt: number;
  idempotencyKey: string | null;
  /** A git source's commit the run is pinned to ("Run again with the same code"). */
  sourceCommit?: string | null;
  /** runDeployment from inside a flow: the run that started it. */
  parentRunId?: string | null;
  /** What started it when no person did (an automation, a webhook). */
  origin?: RunOrigin | null;
  triggeredByRunId?: string | null;
  /** The person (or key) who started it: on the run, on its first history row and in the audit log. */
  actor: Actor;
  /** What the audit log says besides the run's name. */
  auditDetails: Record<string, unknown>;
};

/** Inserts a run and its first history row (naming who started it), and wakes the pool's agents, in one statement. Null when the idempotency key was used. */
async function insertRun(q: Pick<pg.Pool, "query">, run: NewRun): Promise<string | null> {
  const id = uuidv7();
  const { rows } = await q.query<{ id: string }>(
    `with ins as (
       insert into flow_runs (id, workspace_id, flow_id, deployment_id, work_pool_id, name, parameters, tags, state_type, state_name,
                              scheduled_time, attempt, start_time, idempotency_key, created_by, source_commit, parent_run_id, origin, triggered_by_run_id,
                              lease_token, lease_expires_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, case when $9 = 'RUNNING' then now() end, $13, $14, $15, $16, $17, $18,
               -- An ad-hoc run starts RUNNING: its process holds a lease from the start (and heartbeats it).
               case when $9 = 'RUNNING' then gen_random_uuid() end, case when $9 = 'RUNNING' then now() + make_interval(secs => ${LEASE_SECONDS}) end)
       on conflict (workspace_id, idempotency_key) where idempotency_key is not null do nothing
       returning id, workspace_id, work_pool_id, attempt, state_type, state_name
     ), hist as (
       insert into flow_run_states (workspace_id, flow_run_id, type, name, attempt, actor_label)
       select workspace_id, id, state_type, state_name, attempt, $14 from ins returning 1
     ), notes as (
       select pg_notify('baton_events', json_build_object('w', workspace_id, 'kind', 'flow_run', 'ids', json_build_array(id))::text),
              case when work_pool_id is not null then pg_notify('baton_dispatch', work_pool_id::text) end
         from ins
     )
     select id, (select count(*) from hist) as h, (select count(*) from notes) as n from ins`,
    [id, run.workspaceId, run.flowId, run.deploymentId, run.workPoolId, run.name, JSON.stringify(run.parameters), run.tags, run.state.type, run.state.name, run.scheduledTime, run.attempt, run.idempotencyKey, run.actor.label, run.sourceCommit ?? null,
     run.parentRunId ?? null, run.origin ? JSON.stringify(run.origin) : null, run.triggeredByRunId ?? null],
  );
  return rows[0]?.id ?? null;
}

/**
 * The run and its audit event commit together. With billing on, the run counts against the
 * workspace's monthly quota (402 `plan_limit` when used up).
 */
function insertCountedRun(db: Db, run: NewRun): Promise<string | null> {
  const insert = async (client: pg.PoolClient) => {
    const id = await insertRun(client, run);
    if (id) await recordAuditEvent(client, run.workspaceId, run.actor, { action: "run.created", targetType: "flow_run", targetId: id, targetLabel: run.name, details: run.auditDetails });
    return id;
  };
  if (!billingEnabled()) return withPgTransaction(db.$client, insert);
  return insertWithinRunQuota(db, run, insert);
}

async function existingByKey(db: Db, workspaceId: string, key: string) {
  const [row] = await db.select({ id: flowRuns.id }).from(flowRuns).where(and(eq(flowRuns.workspaceId, workspaceId), eq(flowRuns.idempotencyKey, key)));
  return row.id;
}

/** Where a run came from when a person did not start it by hand (a parent run, an automation, a webhook). */
export type RunLineage = { parentRunId?: string | null; origin?: RunOrigin | null; triggeredByRunId?: string | null };

/**
 * A run of a deployment: its default parameters overlaid with the given ones and checked against
 * its JSON Schema (422 with per-field errors). With an idempotency key, asking again returns the
 * first run (`created: false`).
 */
export async function createDeploymentRun(db: Db, workspaceId: string, actor: Actor, deploymentId: string, input: z.output<typeof createRunSchema>, lineage?: RunLineage) {
  const d = await findDeploymentRow(db, workspaceId, deploymentId);
  const parameters = { ...d.parameters, ...input.parameters };
  validateParameters(d.parameterSchema, parameters);
  if (input.sourceCommit && d.source?.kind !== "git") {
    throw new AppError("BAD_REQUEST", `sourceCommit pins the commit of a git source, and deployment "${d.name}" has ${d.source ? "a local folder" : "no source"}: leave sourceCommit out.`);
  }
  const scheduledTime = input.scheduledTime ? new Date(input.scheduledTime) : new Date();
  const id = await insertCountedRun(db, {
    workspaceId,
    flowId: d.flowId,
    deploymentId: d.id,
    workPoolId: d.workPoolId,
    name: input.name ?? generateRunName(),
    parameters,
    tags: input.tags ?? d.tags,
    state: { type: "SCHEDULED", name: "Scheduled" },
    scheduledTime,
    attempt: 0,
    idempotencyKey: input.idempotencyKey ?? null,
    sourceCommit: input.sourceCommit ?? null,
    parentRunId: lineage?.parentRunId ?? null,
    origin: lineage?.origin ?? null,
    triggeredByRunId: lineage?.triggeredByRunId ?? null,
    actor,
    auditDetails: { deployment: d.name, ...(input.scheduledTime ? { scheduledTime: input.scheduledTime } : {}), ...(input.sourceCommit ? { sourceCommit: input.sourceCommit } : {}) },
  });
  if (id) return { run: await getRun(db, workspaceId, id), created: true };
  return { run: await getRun(db, workspaceId, await existingByKey(db, workspaceId, input.idempotencyKey!)), created: false };
}

/** A flow run the SDK starts outside an agent: it begins RUNNING on attempt 1, with a run token for its reports. */
export async function createAdhocRun(db: Db, workspaceId: string, actor: Actor, input: z.output<typeof createAdhocRunSchema>) {
  const flow = await upsertFlow(db, workspaceId, input.flowName);
  const id = await insertCountedRun(db, {
    workspaceId,
    flowId: flow.id,
    deploymentId: null,
    workPoolId: null,
    name: input.name ?? generateRunName(),
    parameters: input.parameters,
    tags: input.tags,
    state: { type: "RUNNING", name: "Running" },
    scheduledTime: new Date(),
    attempt: 1,
    idempotencyKey: input.idempotencyKey ?? null,
    actor,
    auditDetails: { flow: input.flowName },
  });
  const runId = id ?? (await existingByKey(db, workspaceId, input.idempotencyKey!));
  const run = await getRun(db, workspaceId, runId);
  return { run, created: Boolean(id), runToken: issueRunToken({ workspaceId, runId, attempt: run.attempt }) };
}
