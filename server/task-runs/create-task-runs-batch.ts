import type pg from "pg";
import type { z } from "zod";
import { STATE_NAMES, TERMINAL_STATES } from "../../agent/protocol/states";
import type { taskRunBatchCreateSchema } from "../../agent/protocol/task-runs";
import { AppError } from "../errors";
import { resolveRun, type RunTokenScope } from "./resolve-run";

/**
 * Creates up to 1,000 task runs of one flow run attempt, with their first history rows, in one
 * statement: what lets the SDK report a task in microseconds (it names ids itself and sends them
 * in the background). Idempotent on (run, attempt, taskKey, dynamicKey), like `createTaskRun`.
 */
export async function createTaskRunsBatch(opts: {
  pool: pg.Pool;
  workspaceId: string;
  runToken: RunTokenScope;
  input: z.output<typeof taskRunBatchCreateSchema>;
}): Promise<{ id: string; requestedId: string; created: boolean }[]> {
  const { pool, workspaceId, runToken, input } = opts;
  if (runToken && input.flowRunAttempt !== undefined && input.flowRunAttempt !== runToken.attempt) {
    throw new AppError("CONFLICT", `This run token is for attempt ${runToken.attempt}, not attempt ${input.flowRunAttempt}.`);
  }
  const run = await resolveRun(pool, { workspaceId, runId: input.runId, runToken, writeAsAttempt: runToken?.attempt ?? input.flowRunAttempt });
  const keys = new Set(input.taskRuns.map((t) => JSON.stringify([t.taskKey, t.dynamicKey])));
  if (keys.size !== input.taskRuns.length) throw new AppError("BAD_REQUEST", "Each (taskKey, dynamicKey) may appear once per batch.");
  const inBatch = new Set(input.taskRuns.map((t) => t.id));
  const outside = [...new Set(input.taskRuns.flatMap((t) => t.upstreamTaskRunIds).filter((id) => !inBatch.has(id)))];
  if (outside.length > 0) {
    const { rows } = await pool.query<{ id: string }>("select id from task_runs where workspace_id = $1 and flow_run_id = $2 and id = any($3::uuid[])", [
      workspaceId,
      run.id,
      outside,
    ]);
    const found = new Set(rows.map((r) => r.id));
    const missing = outside.find((id) => !found.has(id));
    if (missing) throw new AppError("NOT_FOUND", `Upstream task run ${missing} is not a task run of flow run ${run.id}. Nothing in this batch was created.`);
  }

  const t = input.taskRuns;
  const types = t.map((x) => x.state?.type ?? "PENDING");
  const { rows } = await pool.query<{ requested_id: string; id: string; created: boolean }>(
    `with input as (
       select x.*, least(coalesce(x.ts, now()), now()) as at
         from unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $14::timestamptz[])
                 with ordinality as x(id, task_key, dynamic_key, name, state_type, state_name, state_message, cache_key, upstream, ts, ord)
     ), ins as (
       insert into task_runs (id, workspace_id, flow_run_id, flow_run_attempt, task_key, dynamic_key, name, state_type, state_name, state_message,
                              state_timestamp, cache_key, upstream_task_run_ids, start_time, end_time, created_at)
       select id, $1, $2, $3, task_key, dynamic_key, name, state_type, state_name, state_message, at, cache_key,
              array(select jsonb_array_elements_text(upstream::jsonb))::uuid[],
              case when state_type <> 'PENDING' then at end,
              case when state_type = any($13::text[]) then at end,
              at
         from input order by ord
       on conflict (flow_run_id, flow_run_attempt, task_key, dynamic_key) do nothing
       returning id, workspace_id, state_type, state_name, state_message, state_timestamp
     ), hist as (
       insert into task_run_states (workspace_id, task_run_id, type, name, message, timestamp)
       select workspace_id, id, state_type, state_name, state_message, state_timestamp from ins
       returning 1
     ), notified as (
       select pg_notify('baton_events', json_build_object('w', $1::text, 'kind', 'task_run', 'ids', json_build_array($2::text))::text)
        where exists (select 1 from ins)
     )
     select i.id as requested_id, coalesce(n.id, e.id) as id, n.id is not null as created,
            (select count(*) from hist) as _h, (select count(*) from notified) as _n
       from input i
       left join ins n on n.id = i.id
       left join task_runs e on n.id is null and e.flow_run_id = $2 and e.flow_run_attempt = $3 and e.task_key = i.task_key and e.dynamic_key = i.dynamic_key
      order by i.ord`,
    [
      workspaceId,
      run.id,
      run.attempt,
      t.map((x) => x.id),
      t.map((x) => x.taskKey),
      t.map((x) => x.dynamicKey),
      t.map((x) => x.name ?? x.taskKey),
      types,
      t.map((x, i) => x.state?.name ?? STATE_NAMES[types[i]][0]),
      t.map((x) => x.state?.message ?? null),
      t.map((x) => x.cacheKey ?? null),
      t.map((x) => JSON.stringify(x.upstreamTaskRunIds)),
      TERMINAL_STATES,
      t.map((x) => x.timestamp ?? null),
    ],
  );
  return rows.map((r) => ({ id: r.id, requestedId: r.requested_id, created: r.created }));
}
