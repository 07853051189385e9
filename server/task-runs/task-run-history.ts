import type pg from "pg";
import type { StateType } from "../../agent/protocol/states";
import { resolveRun } from "./resolve-run";

export type TaskRunStateEntry = { taskRunId: string; type: StateType; name: string; message: string | null; timestamp: string };

/**
 * Every state each task run of a flow run has been in, oldest first: the timeline and the task
 * panel show retries (AwaitingRetry, Retrying) from it.
 */
export async function listTaskRunHistory(opts: { pool: pg.Pool; workspaceId: string; runId: string }): Promise<TaskRunStateEntry[]> {
  const run = await resolveRun(opts.pool, { workspaceId: opts.workspaceId, runId: opts.runId, runToken: null });
  const { rows } = await opts.pool.query<{ task_run_id: string; type: StateType; name: string; message: string | null; timestamp: Date }>(
    `select s.task_run_id, s.type, s.name, s.message, s.timestamp
       from task_run_states s join task_runs t on t.id = s.task_run_id
      where t.workspace_id = $1 and t.flow_run_id = $2 and s.workspace_id = $1
      order by s.id
      limit 20000`,
    [opts.workspaceId, run.id],
  );
  return rows.map((r) => ({ taskRunId: r.task_run_id, type: r.type, name: r.name, message: r.message, timestamp: r.timestamp.toISOString() }));
}
