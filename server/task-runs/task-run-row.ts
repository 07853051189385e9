import type { TaskRun } from "../../agent/protocol/task-runs";
import type { StateType } from "../../agent/protocol/states";

/** The task_runs columns every task-run query returns, for `toTaskRun`. */
export const TASK_RUN_COLUMNS = `id, flow_run_id, flow_run_attempt, task_key, dynamic_key, name, state_type, state_name, state_message,
  state_timestamp, cache_key, attempt, upstream_task_run_ids, start_time, end_time, created_at`;

export type TaskRunRow = {
  id: string;
  flow_run_id: string;
  flow_run_attempt: number;
  task_key: string;
  dynamic_key: string;
  name: string;
  state_type: StateType;
  state_name: string;
  state_message: string | null;
  state_timestamp: Date;
  cache_key: string | null;
  attempt: number;
  upstream_task_run_ids: string[];
  start_time: Date | null;
  end_time: Date | null;
  created_at: Date;
};

export function toTaskRun(r: TaskRunRow): TaskRun {
  return {
    id: r.id,
    runId: r.flow_run_id,
    flowRunAttempt: r.flow_run_attempt,
    taskKey: r.task_key,
    dynamicKey: r.dynamic_key,
    name: r.name,
    state: { type: r.state_type, name: r.state_name, message: r.state_message, timestamp: r.state_timestamp.toISOString() },
    cacheKey: r.cache_key,
    attempt: r.attempt,
    upstreamTaskRunIds: r.upstream_task_run_ids,
    startTime: r.start_time?.toISOString() ?? null,
    endTime: r.end_time?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
  };
}
