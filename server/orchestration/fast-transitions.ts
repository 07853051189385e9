import type pg from "pg";
import { STATE_NAMES, type StateType } from "../../agent/protocol/states";
import { hasPgCode } from "../db/pg-errors";
import { tagSlotWakePools } from "../dispatch/tag-slot-wake";
import type { TransitionRequest, TransitionResult } from "./apply-transitions";
import { LEASE_SECONDS } from "./lease";
import { simpleAcceptFrom } from "./rules";

type Row = { id: string; state_type: StateType; state_name: string; state_message: string | null; state_timestamp: Date; attempt: number; scheduled_time: Date };

/**
 * The hot path of agents' reports (RUNNING, COMPLETED) in one autocommit statement: the rule
 * table's from-states, the fence (attempt + lease token) and the transitionId check are all in
 * the UPDATE's WHERE, so a report that passes them is applied with its history row and
 * notifications in one round trip. Whatever does not pass (or is not this simple) is left for
 * the full path, which reads the run and says exactly why. A person's action always takes the
 * full path, which names them in the history and the audit log.
 */
export async function applySimpleTransitions(pool: pg.Pool, workspaceId: string, requests: TransitionRequest[]): Promise<Map<number, TransitionResult>> {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.runId, (counts.get(r.runId) ?? 0) + 1);
  const eligible = requests
    .map((r, index) => ({ r, index, from: simpleAcceptFrom(r.state.type, r.by) }))
    .filter(({ r, from }) => from && !r.person && r.fence?.leaseToken && r.transitionId && counts.get(r.runId) === 1 && (!r.state.name || r.state.name === STATE_NAMES[r.state.type][0]));
  const results = new Map<number, TransitionResult>();
  if (eligible.length === 0) return results;
  const col = <T>(f: (e: (typeof eligible)[number]) => T) => eligible.map(f);
  let rows: Row[];
  try {
    ({ rows } = await pool.query<Row>({
      // Named: prepared once per connection, so Postgres does not plan it again on every report.
      name: "fast-transitions",
      text: `with i as (
         select * from unnest($2::uuid[], $3::int[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[])
           as i(run_id, attempt, lease_token, transition_id, type, message, allowed_from)
       ), upd as (
         update flow_runs r set
           state_type = i.type, state_name = case i.type when 'RUNNING' then 'Running' else 'Completed' end,
           state_message = i.message, state_timestamp = now(),
           lease_token = case when i.type = 'RUNNING' then r.lease_token end,
           lease_expires_at = case when i.type = 'RUNNING' then now() + make_interval(secs => ${LEASE_SECONDS}) end,
           start_time = coalesce(r.start_time, now()),
           end_time = case when i.type = 'COMPLETED' then now() else r.end_time end
         from i
         -- r.id = any(...) makes the plan a primary-key lookup per report, whatever the estimates.
         where r.id = any($2::uuid[]) and r.id = i.run_id and r.workspace_id = $1 and r.attempt = i.attempt and r.lease_token = i.lease_token
           and r.state_type = any(string_to_array(i.allowed_from, ','))
           and not exists (select 1 from flow_run_states s where s.flow_run_id = r.id and s.transition_id = i.transition_id)
         returning r.id, r.work_pool_id, r.state_type, r.state_name, r.state_message, r.state_timestamp, r.attempt, r.scheduled_time, r.tags
       ), hist as (
         insert into flow_run_states (workspace_id, flow_run_id, type, name, message, attempt, transition_id)
         select $1, upd.id, upd.state_type, upd.state_name, upd.state_message, upd.attempt, i.transition_id from upd join i on i.run_id = upd.id
         returning 1
       ), events as (
         select pg_notify('baton_events', json_build_object('w', $1::text, 'kind', 'flow_run', 'ids', json_agg(id))::text)
           from (select id, (row_number() over () - 1) / 100 as chunk from upd) t group by chunk
       ), wake as (
         -- A completed run frees a slot: wake a long poll of its pool, but only where a concurrency
         -- limit can be holding runs back. Without one nothing waits for a slot, and the wake would
         -- only cost a claim that finds nothing. A limit by tag spans pools: its freed slot wakes
         -- the pools whose due runs carry the tag.
         select pg_notify('baton_dispatch', w.id::text) from (
           select p.id from work_pools p
            where p.id in (select work_pool_id from upd where state_type = 'COMPLETED')
              and (p.concurrency_limit is not null
                   or exists (select 1 from deployments d where d.work_pool_id = p.id and d.concurrency_limit is not null))
           union
           ${tagSlotWakePools("(select tags from upd where state_type = 'COMPLETED')")}) w
       )
       select upd.id, upd.state_type, upd.state_name, upd.state_message, upd.state_timestamp, upd.attempt, upd.scheduled_time,
              (select count(*) from hist) as _h, (select count(*) from events) as _e, (select count(*) from wake) as _w
         from upd`,
      values: [
        workspaceId,
        col((e) => e.r.runId),
        col((e) => e.r.fence!.attempt),
        col((e) => e.r.fence!.leaseToken!),
        col((e) => e.r.transitionId!),
        col((e) => e.r.state.type),
        col((e) => e.r.state.message ?? null),
        col((e) => e.from!.join(",")),
      ],
    }));
  } catch (err) {
    // Two identical reports racing: the history's unique transitionId refuses one; the full path sorts it out.
    if (hasPgCode(err, "23505")) return results;
    throw err;
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const { r, index } of eligible) {
    const row = byId.get(r.runId);
    if (!row) continue;
    results.set(index, {
      runId: row.id,
      status: "ACCEPT",
      replayed: false,
      attempt: row.attempt,
      scheduledTime: row.scheduled_time.toISOString(),
      state: { type: row.state_type, name: row.state_name, message: row.state_message, timestamp: row.state_timestamp.toISOString() },
    });
  }
  return results;
}
