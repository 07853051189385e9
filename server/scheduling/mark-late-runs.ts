import type { Db } from "../db/client";

/** Runs renamed per statement; a backlog is worked off over a few statements, not one huge one. */
const BATCH = 5_000;

/**
 * Renames SCHEDULED runs still called "Scheduled" more than `thresholdSeconds` past due to "Late"
 * (the type stays SCHEDULED, so they remain claimable), writing their history rows and live-view
 * events in the same statement.
 *
 * A run being claimed at this instant is never marked: candidates are picked FOR UPDATE SKIP
 * LOCKED, so a run whose claim holds the row lock is passed over, and a run whose claim committed
 * after this statement's snapshot is re-read under the lock (READ COMMITTED re-checks the WHERE
 * clause against the newest row version), where it is PENDING and no longer matches.
 */
export async function markLateRuns(db: Db, opts: { now: Date; thresholdSeconds: number }): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await db.$client.query<{ marked: number }>(
      `with late as (
         select id from flow_runs
          where state_type = 'SCHEDULED' and state_name = 'Scheduled'
            and scheduled_time < $1::timestamptz - make_interval(secs => $2::double precision)
          order by scheduled_time
          limit $3
          for update skip locked
       ), upd as (
         update flow_runs r set state_name = 'Late', state_timestamp = now()
           from late
          where r.id = late.id and r.state_type = 'SCHEDULED' and r.state_name = 'Scheduled'
         returning r.id, r.workspace_id, r.attempt
       ), hist as (
         insert into flow_run_states (workspace_id, flow_run_id, type, name, attempt)
         select workspace_id, id, 'SCHEDULED', 'Late', attempt from upd
         returning 1
       ), events as (
         select pg_notify('baton_events', json_build_object('w', w, 'kind', 'flow_run', 'ids', json_agg(id))::text)
           from (select workspace_id as w, id, (row_number() over (partition by workspace_id) - 1) / 100 as chunk from upd) t group by w, chunk
       )
       select (select count(*) from upd)::int as marked, (select count(*) from hist) as h, (select count(*) from events) as e`,
      [opts.now, opts.thresholdSeconds, BATCH],
    );
    total += rows[0].marked;
    if (rows[0].marked < BATCH) return total;
  }
}
