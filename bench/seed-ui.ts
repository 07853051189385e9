/**
 * Fills one workspace with `runs` flow runs over the last 30 days (ids UUIDv7 in creation order,
 * a realistic mix of states, 2 history rows each), plus task runs and log lines for the newest
 * 2,000 runs, then VACUUM ANALYZEs. Used by `npm run bench:ui`.
 */
import type { Db } from "../server/db/client";

export async function seedUiWorkspace(db: Db, workspaceId: string, flowIds: string[], deploymentIds: string[], runs: number) {
  const pool = db.$client;
  const day = 86_400_000;
  const start = Date.now() - 30 * day;
  // UUIDv7 from the creation time: 48 bits of ms, version 7, random rest.
  await pool.query(
    `insert into flow_runs (id, workspace_id, flow_id, deployment_id, name, state_type, state_name, state_message, scheduled_time, start_time, end_time, attempt, tags, parameters, created_at)
     select (lpad(to_hex(t_ms), 12, '0') || '7' || substr(md5(g::text), 1, 3) || '8' || substr(md5(g::text), 4, 15))::uuid,
            $1, ($2::uuid[])[1 + g % array_length($2::uuid[], 1)], ($3::uuid[])[1 + g % array_length($3::uuid[], 1)],
            'run-' || g, st.t, st.n, case when st.t = 'FAILED' then 'Exit code 1: ValueError in train.py' end,
            to_timestamp(t_ms / 1000.0), case when st.t <> 'SCHEDULED' then to_timestamp(t_ms / 1000.0) end,
            case when st.t in ('COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED') then to_timestamp(t_ms / 1000.0 + 30 + g % 600) end,
            case when st.t = 'SCHEDULED' then 0 else 1 end, case when g % 10 = 0 then array['ml'] else array['etl'] end,
            jsonb_build_object('n', g % 100), to_timestamp(t_ms / 1000.0)
       from generate_series(1, $4::int) g
       cross join lateral (select ($5::float8 + (g::float8 / $4::float8) * 30 * 86400000)::bigint as t_ms) t
       cross join lateral (select case when g % 50 = 0 then 'FAILED' when g % 333 = 0 then 'CRASHED' when g % 97 = 0 then 'CANCELLED'
                                        when g > $4 - 20 then 'RUNNING' else 'COMPLETED' end as t) s0
       cross join lateral (select s0.t as t, initcap(lower(s0.t)) as n) st`,
    [workspaceId, flowIds, deploymentIds, runs, start],
  );
  await pool.query(
    `insert into flow_run_states (workspace_id, flow_run_id, type, name, attempt, timestamp)
     select workspace_id, id, 'SCHEDULED', 'Scheduled', 0, scheduled_time from flow_runs where workspace_id = $1
     union all
     select workspace_id, id, state_type, state_name, attempt, coalesce(end_time, start_time, scheduled_time) from flow_runs where workspace_id = $1`,
    [workspaceId],
  );
  await pool.query(
    `with recent as (select id, workspace_id, start_time from flow_runs where workspace_id = $1 order by id desc limit 2000)
     insert into task_runs (id, workspace_id, flow_run_id, flow_run_attempt, task_key, dynamic_key, name, state_type, state_name, start_time, end_time)
     select gen_random_uuid(), workspace_id, id, 1, 'task-' || k, '0', 'task-' || k, 'COMPLETED', 'Completed', start_time + make_interval(secs => k), start_time + make_interval(secs => k + 1)
       from recent, generate_series(1, 10) k`,
    [workspaceId],
  );
  await pool.query(
    `with recent as (select id, workspace_id, start_time from flow_runs where workspace_id = $1 order by id desc limit 2000)
     insert into logs (workspace_id, flow_run_id, attempt, seq, level, timestamp, message)
     select workspace_id, id, 1, s, case when s % 20 = 0 then 'warning' else 'info' end, start_time + make_interval(secs => s), 'step ' || s || ' of the training loop: loss ' || round(random()::numeric, 4)
       from recent, generate_series(0, 99) s`,
    [workspaceId],
  );
  // As autovacuum would have left a steady-state database: statistics and the visibility map.
  await pool.query("vacuum analyze");
}
