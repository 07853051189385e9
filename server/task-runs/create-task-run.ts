import type pg from "pg";
import type { z } from "zod";
import { STATE_NAMES, TERMINAL_STATES } from "../../agent/protocol/states";
import type { TaskRun, taskRunCreateSchema } from "../../agent/protocol/task-runs";
import { uuidv7 } from "../db/uuidv7";
import { AppError } from "../errors";
import { resolveRun, type RunTokenScope } from "./resolve-run";
import { TASK_RUN_COLUMNS, toTaskRun, type TaskRunRow } from "./task-run-row";

/**
 * Creates a task run of a flow run attempt, with its first history row, in one statement.
 * Idempotent on (run, attempt, taskKey, dynamicKey): asking again returns the existing task run
 * unchanged (`created: false`), so the SDK may retry after a lost answer. Upstream task runs must
 * be task runs of the same flow run.
 */
export async function createTaskRun(opts: {
  pool: pg.Pool;
  workspaceId: string;
  runToken: RunTokenScope;
  input: z.output<typeof taskRunCreateSchema>;
}): Promise<{ taskRun: TaskRun; created: boolean }> {
  const { pool, workspaceId, runToken, input } = opts;
  if (runToken && input.flowRunAttempt !== undefined && input.flowRunAttempt !== runToken.attempt) {
    throw new AppError("CONFLICT", `This run token is for attempt ${runToken.attempt}, not attempt ${input.flowRunAttempt}.`);
  }
  const run = await resolveRun(pool, { workspaceId, runId: input.runId, runToken, writeAsAttempt: runToken?.attempt ?? input.flowRunAttempt });
  const upstream = [...new Set(input.upstreamTaskRunIds)];
  if (upstream.length > 0) {
    const { rows } = await pool.query<{ id: string }>("select id from task_runs where workspace_id = $1 and flow_run_id = $2 and id = any($3::uuid[])", [
      workspaceId,
      run.id,
      upstream,
    ]);
    const found = new Set(rows.map((r) => r.id));
    const missing = upstream.find((id) => !found.has(id));
    if (missing) throw new AppError("NOT_FOUND", `Upstream task run ${missing} is not a task run of flow run ${run.id}.`);
  }

  const type = input.state?.type ?? "PENDING";
  const { rows } = await pool.query<TaskRunRow>(
    `with ins as (
       insert into task_runs (id, workspace_id, flow_run_id, flow_run_attempt, task_key, dynamic_key, name, state_type, state_name, state_message,
                              cache_key, upstream_task_run_ids, start_time, end_time)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::uuid[], case when $13 then now() end, case when $14 then now() end)
       on conflict (flow_run_id, flow_run_attempt, task_key, dynamic_key) do nothing
       returning *
     ), hist as (
       insert into task_run_states (workspace_id, task_run_id, type, name, message, timestamp)
       select workspace_id, id, state_type, state_name, state_message, state_timestamp from ins
       returning 1
     )
     select ${TASK_RUN_COLUMNS}, (select count(*) from hist) as written,
            pg_notify('baton_events', json_build_object('w', $2::text, 'kind', 'task_run', 'ids', json_build_array($3::text))::text) as notified
       from ins`,
    [
      uuidv7(),
      workspaceId,
      run.id,
      run.attempt,
      input.taskKey,
      input.dynamicKey,
      input.name ?? input.taskKey,
      type,
      input.state?.name ?? STATE_NAMES[type][0],
      input.state?.message ?? null,
      input.cacheKey ?? null,
      upstream,
      type === "RUNNING",
      TERMINAL_STATES.includes(type),
    ],
  );
  if (rows[0]) return { taskRun: toTaskRun(rows[0]), created: true };

  const existing = await pool.query<TaskRunRow>(
    `select ${TASK_RUN_COLUMNS} from task_runs
      where workspace_id = $1 and flow_run_id = $2 and flow_run_attempt = $3 and task_key = $4 and dynamic_key = $5`,
    [workspaceId, run.id, run.attempt, input.taskKey, input.dynamicKey],
  );
  return { taskRun: toTaskRun(existing.rows[0]), created: false };
}
