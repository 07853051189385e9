import type pg from "pg";
import { withPgTransaction } from "../db/pg-transaction";
import type { DeploymentSource, SetupStep } from "../../agent/protocol/deployments";
import { LEASE_SECONDS } from "../orchestration/lease";

export type ClaimedRunRow = {
  id: string;
  name: string;
  flow_id: string;
  flow_name: string;
  deployment_id: string | null;
  deployment_name: string | null;
  kind: "flow" | "command" | null;
  entrypoint: string | null;
  command: string | null;
  python: string | null;
  source: DeploymentSource | null;
  setup: SetupStep | null;
  source_commit: string | null;
  timeout_seconds: number | null;
  /** The deployment's env as stored (references unresolved): see server/secrets/resolve-claim-env.ts. */
  env: Record<string, string> | null;
  parameters: Record<string, unknown>;
  tags: string[];
  attempt: number;
  lease_token: string;
  lease_expires_at: Date;
  scheduled_time: Date;
  claimed_at: Date;
};

/**
 * `nextDueAt` (epoch ms) is the pool's earliest run due after this claim's `now()`, read in the
 * same snapshot: a run that falls due between the claim and a later query is not missed.
 */
export type ClaimResult = { paused: boolean; runs: ClaimedRunRow[]; nextDueAt: number | null };

/**
 * The pool's earliest future run: one probe of `flow_runs_next_due_idx`, which indexes the UTC
 * wall time rather than `scheduled_time` itself on purpose: an index the claim below could use
 * too would be picked by it whenever statistics are stale, sorting every due run (140 ms per
 * claim with 100,000 due), where the (pool, priority, time) index stops after `slots` rows.
 */
const NEXT_DUE = `(select extract(epoch from min(n.scheduled_time at time zone 'UTC') at time zone 'UTC') * 1000 from flow_runs n
                     where n.work_pool_id = $1 and n.state_type = 'SCHEDULED' and (n.scheduled_time at time zone 'UTC') > (now() at time zone 'UTC'))`;

/**
 * The claiming agent's host, and the deployments of pool $1 whose runs it must leave: paused ones
 * (plus `extra`), and those whose code is a folder on another host (a local source: only an agent
 * there can run it). An array computed once, so the filter runs inside the ordered index scan.
 */
const AGENT_HOST = (agentParam: string) => `(select a.hostname from agents a where a.id = ${agentParam})`;
const leftOut = (agentParam: string, extra = "") =>
  `array(select d.id from deployments d where d.work_pool_id = $1 and (d.paused${extra} or d.source_host <> ${AGENT_HOST(agentParam)}))`;
/** For deployments that get their own pick (limited ones): those this agent may run. */
const onThisHost = (agentParam: string) => `(d.source_host is null or d.source_host = ${AGENT_HOST(agentParam)})`;

const CLAIMED = `upd as (
         update flow_runs r set
           state_type = 'PENDING', state_name = 'Pending', state_message = null, state_timestamp = now(),
           attempt = r.attempt + 1, agent_id = $2, lease_token = gen_random_uuid(),
           lease_expires_at = now() + make_interval(secs => ${LEASE_SECONDS}), claimed_at = clock_timestamp()
         from chosen where r.id = chosen.id
         returning r.*
       ), hist as (
         insert into flow_run_states (workspace_id, flow_run_id, type, name, attempt)
         select workspace_id, id, 'PENDING', 'Pending', attempt from upd
         returning 1
       ), events as (
         select pg_notify('baton_events', json_build_object('w', w, 'kind', 'flow_run', 'ids', json_agg(id))::text)
           from (select workspace_id as w, id, (row_number() over () - 1) / 100 as chunk from upd) t group by w, chunk
       ), claimed as (
         select upd.id, upd.name, upd.flow_id, f.name as flow_name, upd.deployment_id, d.name as deployment_name, d.kind,
                d.entrypoint, d.command, d.python, d.source, d.setup, upd.source_commit, d.timeout_seconds, d.env, upd.parameters, upd.tags, upd.attempt, upd.lease_token,
                upd.lease_expires_at, upd.scheduled_time, upd.claimed_at, upd.priority,
                (select count(*) from hist) as _h, (select count(*) from events) as _e
           from upd join flows f on f.id = upd.flow_id left join deployments d on d.id = upd.deployment_id
       )`;

/**
 * The common case, in one autocommit statement and without the pool lock: a pool with no
 * concurrency limit on it or its deployments, in a workspace with no limit by tag. Claimers run in parallel; SKIP LOCKED keeps them
 * off each other's runs. `open` is 0 when the pool is paused, limited or not this workspace's,
 * and the caller falls back to the serialised path.
 */
const CLAIM_UNLIMITED = `
     with gate as (
       select p.id from work_pools p
        where p.id = $1 and p.workspace_id = $4 and not p.paused and p.concurrency_limit is null
          and not exists (select 1 from deployments d where d.work_pool_id = p.id and d.concurrency_limit is not null)
          and not exists (select 1 from concurrency_limits l where l.workspace_id = $4)
     ), chosen as (
       -- The paused deployments are computed once (an array), so the filter runs inside the
       -- ordered index scan and LIMIT stops it early, whatever the planner's row estimates.
       select r.id from flow_runs r
        where r.work_pool_id = (select id from gate) and r.state_type = 'SCHEDULED' and r.scheduled_time <= now()
          and (r.deployment_id is null or r.deployment_id <> all (${leftOut("$2")}))
        order by r.priority, r.scheduled_time
        limit $3::int
        -- NO KEY UPDATE, not UPDATE: a row that only holds a KEY SHARE lock (an insert elsewhere whose
        -- foreign key names this run) is not skipped; two claims still exclude each other.
        for no key update of r skip locked
     ), ${CLAIMED}
     select (select count(*) from gate)::int as open, ${NEXT_DUE} as next_due, c.* from (select 1) one left join claimed c on true
      order by c.priority, c.scheduled_time`;

/**
 * Claims up to `slots` due runs of one pool for an agent: each moves SCHEDULED → PENDING with
 * attempt + 1, a fresh lease token and expiry, and its history row, in the same statement.
 */
export async function claimRuns(pool: pg.Pool, opts: { workspaceId: string; workPoolId: string; agentId: string; slots: number }): Promise<ClaimResult> {
  if (opts.slots > 0) {
    const { rows } = await pool.query<ClaimedRunRow & { open: number; next_due: number | null }>({
      name: "claim-unlimited",
      text: CLAIM_UNLIMITED,
      values: [opts.workPoolId, opts.agentId, opts.slots, opts.workspaceId],
    });
    if (rows[0]?.open) return { paused: false, runs: rows.filter((r) => r.id !== null), nextDueAt: toMs(rows[0].next_due) };
  }
  return claimLimited(pool, opts);
}

/**
 * Pools with limits: the pool row is locked first, so claims on it are serialised and the pool
 * and deployment limits hold even when many agents claim at once. Limits by tag span pools, so
 * their rows are locked too (in tag order, after the pool: claims of two pools cannot deadlock)
 * and claims of every pool of the workspace take turns while it has any.
 */
async function claimLimited(pool: pg.Pool, opts: { workspaceId: string; workPoolId: string; agentId: string; slots: number }): Promise<ClaimResult> {
  return withPgTransaction(pool, async (client) => {
    const locked = await client.query<{ paused: boolean; concurrency_limit: number | null }>(
      "select paused, concurrency_limit from work_pools where id = $1 and workspace_id = $2 for no key update",
      [opts.workPoolId, opts.workspaceId],
    );
    const wp = locked.rows[0];
    if (!wp) return { paused: false, runs: [], nextDueAt: null };
    // now() is the transaction's start, so this and the claim below see the same instant.
    const next = await client.query<{ next_due: number | null; tag_limits: TagLimit[] }>(
      `select ${NEXT_DUE} as next_due,
              (select coalesce(json_agg(l), '[]') from (select tag, "limit" from concurrency_limits where workspace_id = $2 order by tag for no key update) l) as tag_limits`,
      [opts.workPoolId, opts.workspaceId],
    );
    const nextDueAt = toMs(next.rows[0]?.next_due);
    if (wp.paused || opts.slots <= 0) return { paused: wp.paused, runs: [], nextDueAt };
    const tagLimits = next.rows[0]?.tag_limits ?? [];
    // The counts are read by the statements after the lock: a statement that waited for it still
    // sees the snapshot from before the claim that held it committed.
    if (tagLimits.length > 0) return { paused: false, runs: await claimWithTagLimits(client, opts, wp.concurrency_limit, tagLimits), nextDueAt };
    const { rows } = await client.query<ClaimedRunRow>(
      `with active as (
         select deployment_id, count(*)::int as n from flow_runs
          where work_pool_id = $1 and state_type in ('PENDING', 'RUNNING', 'CANCELLING', 'PAUSED')
          group by deployment_id
       ), pool_free as (
         select case when $4::int is null then $3::int
                     else greatest(0, least($3::int, $4::int - coalesce((select sum(n) from active), 0)::int)) end as n
       ), limited as (
         -- Deployments with a limit get their own pick of at most their free slots, so a capped
         -- deployment with a long backlog never crowds the others out of the candidate window.
         select d.id, greatest(0, d.concurrency_limit - coalesce(a.n, 0)) as free
           from deployments d left join active a on a.deployment_id = d.id
          where d.work_pool_id = $1 and d.concurrency_limit is not null and not d.paused and ${onThisHost("$2")}
       ), picks as (
         (select r.id from flow_runs r
           where r.work_pool_id = $1 and r.state_type = 'SCHEDULED' and r.scheduled_time <= now()
             and (r.deployment_id is null or r.deployment_id <> all (${leftOut("$2", " or d.concurrency_limit is not null")}))
           order by r.priority, r.scheduled_time
           limit $3::int)
         union all
         (select x.id from limited l cross join lateral (
            select r.id from flow_runs r
             where r.deployment_id = l.id and r.work_pool_id = $1 and r.state_type = 'SCHEDULED' and r.scheduled_time <= now()
             order by r.priority, r.scheduled_time
             limit least(l.free, $3::int)) x)
       ), chosen as (
         select r.id from flow_runs r
          where r.id in (select id from picks) and r.state_type = 'SCHEDULED'
          order by r.priority, r.scheduled_time
          limit (select n from pool_free)
          for no key update of r skip locked
       ), ${CLAIMED}
       select * from claimed order by priority, scheduled_time`,
      [opts.workPoolId, opts.agentId, opts.slots, wp.concurrency_limit],
    );
    return { paused: false, runs: rows, nextDueAt };
  });
}

type TagLimit = { tag: string; limit: number };

type Candidate = { id: string; deployment_id: string | null; tags: string[] };

// The states holding a lease (LEASED_STATES): a paused run waits in place, so it keeps its slots.
const ACTIVE = `('PENDING', 'RUNNING', 'CANCELLING', 'PAUSED')`;

/**
 * The serialised claim of a workspace with limits by tag. The slots each limit has free are
 * counted from the runs holding a lease now (nothing is stored, so nothing leaks), then each
 * kind of limit gets its own pick of candidates, as limited deployments do: runs with no limited
 * tag; per limited deployment, its runs with no limited tag; per tag with a free slot, its runs
 * that carry no full tag. A run blocked by a full tag is never a candidate, so a backlog behind a
 * full `gpu` limit cannot crowd the other runs out. Which candidates are taken is decided here in
 * order (priority, then due time), so a run with several limited tags takes a slot of each.
 */
async function claimWithTagLimits(
  client: pg.PoolClient,
  opts: { workspaceId: string; workPoolId: string; agentId: string; slots: number },
  poolLimit: number | null,
  tagLimits: TagLimit[],
): Promise<ClaimedRunRow[]> {
  const tags = tagLimits.map((t) => t.tag);
  const counts = await client.query<{ pool_taken: number; deployments: { id: string; free: number }[]; tags: { tag: string; taken: number }[] }>(
    `select (select count(*)::int from flow_runs where work_pool_id = $1 and state_type in ${ACTIVE}) as pool_taken,
            (select coalesce(json_agg(json_build_object('id', d.id, 'free', greatest(0, d.concurrency_limit - (
                select count(*) from flow_runs r where r.work_pool_id = $1 and r.deployment_id = d.id and r.state_type in ${ACTIVE})))), '[]')
               from deployments d where d.work_pool_id = $1 and d.concurrency_limit is not null and not d.paused and ${onThisHost("$4")}) as deployments,
            (${TAG_TAKEN_SQL}) as tags`,
    [opts.workPoolId, opts.workspaceId, tags, opts.agentId],
  );
  const c = counts.rows[0];
  const taken = new Map(c.tags.map((t) => [t.tag, t.taken]));
  const tagFree = new Map(tagLimits.map((t) => [t.tag, Math.max(0, t.limit - (taken.get(t.tag) ?? 0))]));
  const deploymentFree = new Map(c.deployments.map((d) => [d.id, d.free]));
  let poolFree = poolLimit === null ? opts.slots : Math.max(0, Math.min(opts.slots, poolLimit - c.pool_taken));
  if (poolFree === 0) return [];
  const openTags = tags.filter((t) => tagFree.get(t)! > 0);
  const fullTags = tags.filter((t) => tagFree.get(t) === 0);
  const openDeployments = c.deployments.filter((d) => d.free > 0);
  const fullDeployments = c.deployments.filter((d) => d.free === 0).map((d) => d.id);

  const { rows: candidates } = await client.query<Candidate>(
    `with picks as (
       (select r.id, r.priority, r.scheduled_time from flow_runs r
         where r.work_pool_id = $1 and r.state_type = 'SCHEDULED' and r.scheduled_time <= now() and not (r.tags && $3::text[])
           and (r.deployment_id is null or r.deployment_id <> all (${leftOut("$10", " or d.concurrency_limit is not null")}))
         order by r.priority, r.scheduled_time
         limit $2::int)
       union all
       (select x.* from unnest($4::uuid[], $5::int[]) l(id, free) cross join lateral (
          select r.id, r.priority, r.scheduled_time from flow_runs r
           where r.deployment_id = l.id and r.work_pool_id = $1 and r.state_type = 'SCHEDULED' and r.scheduled_time <= now() and not (r.tags && $3::text[])
           order by r.priority, r.scheduled_time
           limit least(l.free, $2::int)) x)
       union all
       (select x.* from unnest($6::text[], $7::int[]) t(tag, free) cross join lateral (
          select r.id, r.priority, r.scheduled_time from flow_runs r
           where r.work_pool_id = $1 and r.state_type = 'SCHEDULED' and r.scheduled_time <= now()
             and r.tags @> array[t.tag] and not (r.tags && $8::text[])
             and (r.deployment_id is null or r.deployment_id <> all (${leftOut("$10")}))
             and (r.deployment_id is null or r.deployment_id <> all ($9::uuid[]))
           order by r.priority, r.scheduled_time
           limit least(t.free, $2::int)) x)
     )
     select r.id, r.deployment_id, r.tags from flow_runs r
      where r.id in (select id from picks)
      order by r.priority, r.scheduled_time`,
    [
      opts.workPoolId,
      opts.slots,
      tags,
      openDeployments.map((d) => d.id),
      openDeployments.map((d) => d.free),
      openTags,
      openTags.map((t) => tagFree.get(t)!),
      fullTags,
      fullDeployments,
      opts.agentId,
    ],
  );

  const chosen: string[] = [];
  for (const r of candidates) {
    if (poolFree === 0) break;
    const limited = r.tags.filter((t) => tagFree.has(t));
    if (limited.some((t) => tagFree.get(t) === 0)) continue;
    if (r.deployment_id && deploymentFree.get(r.deployment_id) === 0) continue;
    for (const t of limited) tagFree.set(t, tagFree.get(t)! - 1);
    if (r.deployment_id && deploymentFree.has(r.deployment_id)) deploymentFree.set(r.deployment_id, deploymentFree.get(r.deployment_id)! - 1);
    poolFree--;
    chosen.push(r.id);
  }
  if (chosen.length === 0) return [];
  const { rows } = await client.query<ClaimedRunRow>(
    `with chosen as (
       select r.id from flow_runs r
        where r.id = any($3::uuid[]) and r.work_pool_id = $1 and r.state_type = 'SCHEDULED'
        for no key update of r skip locked
     ), ${CLAIMED}
     select * from claimed order by priority, scheduled_time`,
    [opts.workPoolId, opts.agentId, chosen],
  );
  return rows;
}

/**
 * Slots taken per tag ($3, the limited tags) in workspace $2: runs of the workspace's pools that
 * hold a lease. Through the pools, so it reads the small active-runs index; runs started from a
 * script (no pool) are never held back, so they take no slot either.
 */
export const TAG_TAKEN_SQL = `select coalesce(json_agg(json_build_object('tag', t.tag, 'taken', t.n)), '[]') from (
       select u.tag, count(*)::int as n
         from flow_runs r cross join unnest(r.tags) u(tag)
        where r.work_pool_id = any (array(select p.id from work_pools p where p.workspace_id = $2))
          and r.state_type in ${ACTIVE} and r.tags && $3::text[] and u.tag = any($3::text[])
        group by u.tag) t`;

const toMs = (v: number | string | null | undefined) => (v == null ? null : Number(v));
