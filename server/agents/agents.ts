import { and, asc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { agentRegisterSchema, heartbeatSchema } from "../../agent/protocol/work-pools";
import { billingEnabled } from "../billing/plans";
import { assertPlanAllows } from "../billing/plan-limits";
import type { Db, Queryable } from "../db/client";
import { agents, workPools } from "../db/schema";
import { AppError } from "../errors";
import { LEASE_SECONDS } from "../orchestration/lease";
import { AGENT_OFFLINE_AFTER_SECONDS } from "../../agent/protocol/leases";
import { findWorkPool } from "../work-pools/find-work-pool";
import { isUuid } from "../../agent/protocol/storable";

export { AGENT_OFFLINE_AFTER_SECONDS };

/** Registers (or re-registers, by name) an agent in a pool; returns its id for claims and heartbeats. */
export async function registerAgent(db: Db, workspaceId: string, input: z.output<typeof agentRegisterSchema>) {
  if (!billingEnabled()) return upsertAgent(db, workspaceId, input);
  return db.transaction(async (tx) => {
    await assertPlanAllows(tx, workspaceId, "agents", { except: input.name });
    return upsertAgent(tx, workspaceId, input);
  });
}

async function upsertAgent(db: Queryable, workspaceId: string, input: z.output<typeof agentRegisterSchema>) {
  const pool = await findWorkPool(db, workspaceId, input.workPool);
  const [row] = await db
    .insert(agents)
    .values({ workspaceId, workPoolId: pool.id, name: input.name, hostname: input.hostname ?? null, version: input.version ?? null, slots: input.slots ?? null })
    .onConflictDoUpdate({
      target: [agents.workspaceId, agents.name],
      set: { workPoolId: pool.id, hostname: input.hostname ?? null, version: input.version ?? null, slots: input.slots ?? null, lastHeartbeatAt: sql`now()` },
    })
    .returning();
  return { id: row.id, name: row.name, workPool: pool.name, hostname: row.hostname, version: row.version, slots: row.slots, lastHeartbeatAt: row.lastHeartbeatAt.toISOString(), online: true };
}

export async function findAgent(db: Db, workspaceId: string, agentId: string) {
  if (!isUuid(agentId)) throw new AppError("NOT_FOUND", "Agent not found. Register it first (POST /api/v1/agents).");
  const [row] = await db.select().from(agents).where(and(eq(agents.id, agentId), eq(agents.workspaceId, workspaceId)));
  if (!row) throw new AppError("NOT_FOUND", "Agent not found. Register it first (POST /api/v1/agents).");
  return row;
}

export async function listAgents(db: Db, workspaceId: string) {
  const rows = await db
    .select({ a: agents, pool: workPools.name, online: sql<boolean>`${agents.lastHeartbeatAt} > now() - make_interval(secs => ${AGENT_OFFLINE_AFTER_SECONDS})` })
    .from(agents)
    .innerJoin(workPools, eq(workPools.id, agents.workPoolId))
    .where(eq(agents.workspaceId, workspaceId))
    .orderBy(asc(agents.name));
  return rows.map(({ a, pool, online }) => ({ id: a.id, name: a.name, workPool: pool, hostname: a.hostname, version: a.version, slots: a.slots, lastHeartbeatAt: a.lastHeartbeatAt.toISOString(), online }));
}

/**
 * A heartbeat marks the agent alive and renews the leases of the runs it still holds (matching
 * attempt and lease token). It answers which of them a person cancelled, and which it lost (its
 * lease expired or the run moved on): the agent stops those without reporting.
 */
export async function heartbeat(db: Db, workspaceId: string, agentId: string, input: z.output<typeof heartbeatSchema>) {
  await findAgent(db, workspaceId, agentId);
  const { rows } = await db.$client.query<{ id: string; state_type: string; lease_expires_at: Date }>(
    `with beat as (
       update agents set last_heartbeat_at = now() where id = $1 and workspace_id = $2 returning id
     ), reported as (
       select * from unnest($3::uuid[], $4::int[], $5::uuid[]) as t(run_id, attempt, lease_token)
     )
     update flow_runs r set lease_expires_at = now() + make_interval(secs => ${LEASE_SECONDS})
       from reported t, beat
      where r.id = any($3::uuid[]) and r.id = t.run_id and r.workspace_id = $2 and r.agent_id = $1 and r.attempt = t.attempt
        and r.lease_token = t.lease_token and r.state_type in ('PENDING', 'RUNNING', 'CANCELLING', 'PAUSED')
     returning r.id, r.state_type, r.lease_expires_at`,
    [agentId, workspaceId, input.runs.map((r) => r.runId), input.runs.map((r) => r.attempt), input.runs.map((r) => r.leaseToken)],
  );
  const held = new Set(rows.map((r) => r.id));
  return {
    cancel: rows.filter((r) => r.state_type === "CANCELLING").map((r) => r.id),
    lost: input.runs.map((r) => r.runId).filter((id) => !held.has(id)),
    leaseExpiresAt: rows[0]?.lease_expires_at.toISOString() ?? null,
  };
}

/** The pool (by name) and the agent (by id) a claim names, in one query; 404 for either missing. */
export async function resolveClaimant(db: Db, workspaceId: string, poolName: string, agentId: string) {
  const valid = isUuid(agentId);
  const { rows } = await db.$client.query<{ pool_id: string; pool_name: string; agent_id: string | null; agent_name: string | null; agent_pool_id: string | null }>({
    name: "resolve-claimant",
    text: `select p.id as pool_id, p.name as pool_name, a.id as agent_id, a.name as agent_name, a.work_pool_id as agent_pool_id
             from work_pools p left join agents a on a.id = $3 and a.workspace_id = $1
            where p.workspace_id = $1 and p.name = $2`,
    values: [workspaceId, poolName, valid ? agentId : "00000000-0000-0000-0000-000000000000"],
  });
  const row = rows[0];
  if (!row) throw new AppError("NOT_FOUND", `Work pool "${poolName}" not found. Create it first (POST /api/v1/work-pools), or use "default".`);
  if (!row.agent_id) throw new AppError("NOT_FOUND", "Agent not found. Register it first (POST /api/v1/agents).");
  if (row.agent_pool_id !== row.pool_id) {
    throw new AppError("CONFLICT", `Agent "${row.agent_name}" is registered in another pool; register it again for "${row.pool_name}".`);
  }
  return { workPoolId: row.pool_id, agentId: row.agent_id };
}
