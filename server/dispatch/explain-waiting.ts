import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { SlotHolder } from "../../agent/protocol/concurrency-limits";
import { LEASED_STATES } from "../../agent/protocol/states";
import type { Waiting, WaitingReason } from "../../agent/protocol/waiting";
import { AGENT_OFFLINE_AFTER_SECONDS } from "../../agent/protocol/leases";
import { readTagSlots } from "../concurrency-limits/slot-holders";
import type { Queryable } from "../db/client";
import { agents, concurrencyLimits, deployments, flowRuns, workPools } from "../db/schema";

const ACTIVE = LEASED_STATES;
const HOLDERS_SHOWN = 20;

/**
 * Why each SCHEDULED run of `runIds` (Scheduled, Late, AwaitingRetry) has not started, from the
 * conditions the claim (server/dispatch/claim-runs.ts) checks: due, pool not paused, deployment
 * not paused, a free slot of the pool's, the deployment's and each limited tag's limit. Then
 * whether an agent is there to claim it. Runs in another state get no entry. A page of runs costs
 * five queries, whatever its size.
 *
 * The plan's run quota is not a reason: it is taken when a run is created (server/billing/
 * run-quota.ts), and the claim never checks it, so it cannot hold back a run that exists.
 */
export async function explainWaitingRuns(db: Queryable, workspaceId: string, runIds: string[]): Promise<Map<string, Waiting>> {
  const out = new Map<string, Waiting>();
  if (runIds.length === 0) return out;
  const runs = await db
    .select({
      id: flowRuns.id,
      due: sql<boolean>`${flowRuns.scheduledTime} <= now()`,
      scheduledTime: flowRuns.scheduledTime,
      fenced: sql<boolean>`${flowRuns.fenceUntil} > now() and ${flowRuns.fenceUntil} >= ${flowRuns.scheduledTime}`,
      tags: flowRuns.tags,
      poolId: flowRuns.workPoolId,
      pool: workPools.name,
      poolPaused: workPools.paused,
      poolLimit: workPools.concurrencyLimit,
      deploymentId: flowRuns.deploymentId,
      deployment: deployments.name,
      deploymentPaused: deployments.paused,
      deploymentLimit: deployments.concurrencyLimit,
      source: deployments.source,
    })
    .from(flowRuns)
    .leftJoin(workPools, eq(workPools.id, flowRuns.workPoolId))
    .leftJoin(deployments, eq(deployments.id, flowRuns.deploymentId))
    .where(and(eq(flowRuns.workspaceId, workspaceId), inArray(flowRuns.id, runIds), eq(flowRuns.stateType, "SCHEDULED")));
  if (runs.length === 0) return out;

  const poolIds = [...new Set(runs.map((r) => r.poolId).filter((p): p is string => p !== null))];
  const [agentRows, activeRows, limitRows] = await Promise.all([
    poolIds.length === 0
      ? []
      : db
          .select({
            poolId: agents.workPoolId,
            online: sql<number>`count(*) filter (where ${agents.lastHeartbeatAt} > now() - make_interval(secs => ${AGENT_OFFLINE_AFTER_SECONDS}))::int`,
            onlineSlots: sql<number | null>`sum(${agents.slots}) filter (where ${agents.lastHeartbeatAt} > now() - make_interval(secs => ${AGENT_OFFLINE_AFTER_SECONDS}))::int`,
            unknownSlots: sql<boolean>`coalesce(bool_or(${agents.slots} is null) filter (where ${agents.lastHeartbeatAt} > now() - make_interval(secs => ${AGENT_OFFLINE_AFTER_SECONDS})), false)`,
            lastSeenAt: sql<string | null>`max(${agents.lastHeartbeatAt})::text`,
            onlineHosts: sql<string[]>`coalesce(array_agg(distinct ${agents.hostname}) filter (where ${agents.lastHeartbeatAt} > now() - make_interval(secs => ${AGENT_OFFLINE_AFTER_SECONDS}) and ${agents.hostname} is not null), '{}')`,
            lastAgent: sql<string | null>`(array_agg(${agents.name} order by ${agents.lastHeartbeatAt} desc))[1]`,
          })
          .from(agents)
          .where(and(eq(agents.workspaceId, workspaceId), inArray(agents.workPoolId, poolIds)))
          .groupBy(agents.workPoolId),
    // The runs holding a lease in these pools, as the claim counts them (the active-runs index).
    poolIds.length === 0
      ? []
      : db
          .select({ id: flowRuns.id, name: flowRuns.name, type: flowRuns.stateType, stateName: flowRuns.stateName, poolId: flowRuns.workPoolId, deploymentId: flowRuns.deploymentId })
          .from(flowRuns)
          .where(and(inArray(flowRuns.workPoolId, poolIds), inArray(flowRuns.stateType, [...ACTIVE])))
          .orderBy(asc(flowRuns.claimedAt), asc(flowRuns.id)),
    db
      .select({ tag: concurrencyLimits.tag, limit: concurrencyLimits.limit })
      .from(concurrencyLimits)
      .where(and(eq(concurrencyLimits.workspaceId, workspaceId), inArray(concurrencyLimits.tag, [...new Set(runs.flatMap((r) => r.tags))]))),
  ]);
  const tagSlots = await readTagSlots(db, workspaceId, limitRows.map((l) => l.tag));
  const tagLimits = new Map(limitRows.map((l) => [l.tag, l.limit]));
  const agentsByPool = new Map(agentRows.map((a) => [a.poolId, a]));
  const poolName = new Map(runs.map((r) => [r.poolId, r.pool]));
  const holder = (a: (typeof activeRows)[number]): SlotHolder => ({ id: a.id, name: a.name, state: { type: a.type, name: a.stateName }, workPool: poolName.get(a.poolId) ?? null });
  const inPool = (poolId: string) => activeRows.filter((a) => a.poolId === poolId);
  const inDeployment = (deploymentId: string) => activeRows.filter((a) => a.deploymentId === deploymentId);

  for (const r of runs) {
    const reasons: WaitingReason[] = [];
    // A retry due at the fence: its previous attempt lost its lease and may still be stopping
    // itself on its machine (docs/states.md, "Leases"). The claim's condition is the same (due).
    if (!r.due && r.fenced) {
      reasons.push({
        kind: "fenced",
        dueAt: r.scheduledTime.toISOString(),
        message: `Waiting until ${r.scheduledTime.toISOString()}: its previous attempt lost its lease, and the retry starts only once that attempt's process has certainly stopped itself.`,
      });
    } else if (!r.due) reasons.push({ kind: "not_due", dueAt: r.scheduledTime.toISOString(), message: `Not due yet: it is scheduled for ${r.scheduledTime.toISOString()}.` });
    if (r.poolId === null || r.pool === null) {
      reasons.push({ kind: "no_pool", message: "It has no work pool (its deployment was deleted), so no agent will claim it. Cancel it, or run the flow again from a deployment." });
      out.set(r.id, done(reasons));
      continue;
    }
    if (r.poolPaused) reasons.push({ kind: "pool_paused", pool: r.pool, message: `Work pool "${r.pool}" is paused: its agents claim nothing. Resume it on the Work pools page.` });
    if (r.deploymentPaused && r.deployment) {
      reasons.push({ kind: "deployment_paused", deployment: r.deployment, message: `Deployment "${r.deployment}" is paused. Resume it on its page or with \`baton deployments resume\`.` });
    }
    if (r.poolLimit !== null) {
      const held = inPool(r.poolId);
      if (held.length >= r.poolLimit) {
        reasons.push({ kind: "pool_limit_full", pool: r.pool, limit: r.poolLimit, holders: held.slice(0, HOLDERS_SHOWN).map(holder), message: `Work pool "${r.pool}" is at its concurrency limit (${held.length} of ${r.poolLimit}), held by ${names(held)}.` });
      }
    }
    if (r.deploymentLimit !== null && r.deploymentId && r.deployment) {
      const held = inDeployment(r.deploymentId);
      if (held.length >= r.deploymentLimit) {
        reasons.push({ kind: "deployment_limit_full", deployment: r.deployment, limit: r.deploymentLimit, holders: held.slice(0, HOLDERS_SHOWN).map(holder), message: `Deployment "${r.deployment}" is at its concurrency limit (${held.length} of ${r.deploymentLimit}), held by ${names(held)}.` });
      }
    }
    for (const tag of r.tags) {
      const limit = tagLimits.get(tag);
      const slots = tagSlots.get(tag);
      if (limit === undefined || !slots || slots.taken < limit) continue;
      const by = slots.holders.length > 0 ? `, held by ${names(slots.holders)}` : limit === 0 ? ": the limit is 0, which holds every run with the tag" : "";
      reasons.push({ kind: "tag_limit_full", tag, limit, holders: slots.holders.slice(0, HOLDERS_SHOWN), message: `Tag "${tag}" is at its concurrency limit (${slots.taken} of ${limit})${by}.` });
    }
    const a = agentsByPool.get(r.poolId);
    // A local source: the claim leaves the run to agents on the folder's host (claim-runs.ts).
    if (r.source?.kind === "local" && a && a.online > 0 && !a.onlineHosts.includes(r.source.host)) {
      const others = a.onlineHosts.length > 0 ? ` (its online agents run on ${a.onlineHosts.join(", ")})` : "";
      reasons.push({
        kind: "no_agent_on_host",
        pool: r.pool,
        host: r.source.host,
        message: `Its code is the folder ${r.source.path} on ${r.source.host}: only an agent of pool "${r.pool}" on that machine runs it, and none is online there${others}. Start one there (baton agent start --pool ${r.pool}), or deploy it with a git source.`,
      });
    }
    const claimable = reasons.length === 0;
    if (!a || a.online === 0) {
      const since = a?.lastSeenAt ? `; the last one, "${a.lastAgent}", was seen at ${new Date(a.lastSeenAt).toISOString()}` : "; none has ever joined it";
      reasons.push({
        kind: "no_agent_online",
        pool: r.pool,
        lastSeenAt: a?.lastSeenAt ? new Date(a.lastSeenAt).toISOString() : null,
        lastAgent: a?.lastAgent ?? null,
        message: `No agent of pool "${r.pool}" is online${since}. Start one: baton agent start --pool ${r.pool}`,
      });
    } else if (claimable) {
      const busy = !a.unknownSlots && a.onlineSlots !== null && inPool(r.poolId).length >= a.onlineSlots;
      reasons.push({
        kind: "waiting_for_claim",
        pool: r.pool,
        onlineAgents: a.online,
        slotsBusy: busy,
        message: `Due; waiting for an agent of pool "${r.pool}" to claim it (${a.online} online, ${busy ? "all slots busy" : "claiming"}).`,
      });
    }
    out.set(r.id, { claimable, summary: reasons[0].message, reasons });
  }
  return out;
}

function done(reasons: WaitingReason[]): Waiting {
  return { claimable: false, summary: reasons[0].message, reasons };
}

function names(held: { name: string }[]): string {
  const shown = held.slice(0, 3).map((h) => h.name).join(", ");
  return held.length > 3 ? `${shown} and ${held.length - 3} more` : shown;
}
