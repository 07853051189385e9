import type pg from "pg";
import { STATE_NAMES, TERMINAL_STATES, type State, type StateType } from "../../agent/protocol/states";
import { withPgTransaction } from "../db/pg-transaction";
import { AppError } from "../errors";
import type { RunTokenScope } from "./resolve-run";

export type TaskRunStateReport = { taskRunId: string; state: State; transitionId?: string; timestamp?: string };

type CurrentState = { type: StateType; name: string; message: string | null; timestamp: string };
export type TaskRunStateResult =
  | { taskRunId: string; status: "ACCEPT"; replayed?: boolean; state: CurrentState }
  | { taskRunId: string; status: "REJECT"; reason: string; state: CurrentState };

type Row = {
  id: string;
  flow_run_id: string;
  flow_run_attempt: number;
  run_attempt: number;
  state_type: StateType;
  state_name: string;
  state_message: string | null;
  state_timestamp: Date;
  attempt: number;
  started: boolean;
};

type Change = { id: string; type: StateType; name: string; message: string | null; attempt: number; started: boolean; ended: boolean; at: Date; startedAt: Date | null };

/**
 * Applies a batch of task state reports, in order, in one transaction of three round trips: lock
 * the task runs, decide in code, then one statement that updates them, writes their history and
 * notifies live views. The batch is checked whole first: a task run that is not the caller's is a
 * 404, one of an earlier flow run attempt (or reported with an earlier attempt's run token) a 409,
 * and nothing is applied. Rules: terminal states are final; any other change is allowed; a report
 * of the state the task run is already in changes nothing (a re-sent batch is harmless).
 */
export async function reportTaskRunStates(opts: { pool: pg.Pool; workspaceId: string; runToken: RunTokenScope; reports: TaskRunStateReport[] }): Promise<TaskRunStateResult[]> {
  const { workspaceId, runToken, reports } = opts;
  const ids = [...new Set(reports.map((r) => r.taskRunId))];
  return withPgTransaction(opts.pool, async (client) => {
    // Rows are locked in id order so concurrent batches cannot deadlock. The flow run is not
    // locked: task runs belong to one attempt, so a racing new attempt never shares them.
    const { rows } = await client.query<Row>(
      `select t.id, t.flow_run_id, t.flow_run_attempt, r.attempt as run_attempt, t.state_type, t.state_name, t.state_message,
              t.state_timestamp, t.attempt, t.start_time is not null as started
         from task_runs t join flow_runs r on r.id = t.flow_run_id and r.workspace_id = t.workspace_id
        where t.workspace_id = $1 and t.id = any($2::uuid[])
        order by t.id
          for update of t`,
      [workspaceId, ids],
    );
    const taskRuns = new Map(rows.map((r) => [r.id, r]));
    for (const id of ids) {
      const t = taskRuns.get(id);
      if (!t || (runToken && t.flow_run_id !== runToken.runId)) {
        throw new AppError("NOT_FOUND", `Task run ${id} not found. Check the id; a run token can only report its own run's task runs. Nothing in this batch was applied.`);
      }
      const attempt = runToken?.attempt ?? t.flow_run_attempt;
      if (attempt !== t.run_attempt || t.flow_run_attempt !== t.run_attempt) {
        throw new AppError(
          "CONFLICT",
          `Task run ${id} belongs to attempt ${t.flow_run_attempt} of flow run ${t.flow_run_id}${runToken ? ` (reported with the token of attempt ${runToken.attempt})` : ""}, but the run is on attempt ${t.run_attempt}: reports from another attempt are refused. Nothing in this batch was applied.`,
          { currentAttempt: t.run_attempt },
        );
      }
    }

    const now = new Date();
    const results: TaskRunStateResult[] = [];
    const changes = new Map<string, Change>();
    const history: { id: string; type: StateType; name: string; message: string | null; at: Date }[] = [];
    for (const report of reports) {
      const t = taskRuns.get(report.taskRunId)!;
      const current = (): CurrentState => ({ type: t.state_type, name: t.state_name, message: t.state_message, timestamp: t.state_timestamp.toISOString() });
      const type = report.state.type;
      const name = report.state.name ?? STATE_NAMES[type][0];
      if (type === t.state_type && name === t.state_name) {
        results.push({ taskRunId: t.id, status: "ACCEPT", replayed: true, state: current() });
        continue;
      }
      if (TERMINAL_STATES.includes(t.state_type)) {
        results.push({ taskRunId: t.id, status: "REJECT", reason: `The task run is already ${t.state_name}; terminal states are final.`, state: current() });
        continue;
      }
      // Running again after having run (a task retry) is a new task attempt.
      const rerun = type === "RUNNING" && t.started && t.state_type !== "RUNNING";
      // The client's time of the change (reports travel in batches), kept in order and never in the future.
      const claimed = report.timestamp ? new Date(report.timestamp) : now;
      const at = new Date(Math.min(now.getTime(), Math.max(claimed.getTime(), t.state_timestamp.getTime())));
      t.state_type = type;
      t.state_name = name;
      t.state_message = report.state.message ?? null;
      t.state_timestamp = at;
      t.attempt += rerun ? 1 : 0;
      t.started ||= type === "RUNNING";
      const previous = changes.get(t.id);
      changes.set(t.id, {
        id: t.id,
        type,
        name,
        message: t.state_message,
        attempt: t.attempt,
        started: (previous?.started ?? false) || type === "RUNNING",
        ended: TERMINAL_STATES.includes(type),
        at,
        startedAt: previous?.startedAt ?? (type === "RUNNING" ? at : null),
      });
      history.push({ id: t.id, type, name, message: t.state_message, at });
      results.push({ taskRunId: t.id, status: "ACCEPT", state: current() });
    }
    if (changes.size > 0) await writeChanges(client, workspaceId, [...changes.values()], history);
    return results;
  });
}

async function writeChanges(client: pg.PoolClient, workspaceId: string, changes: Change[], history: { id: string; type: StateType; name: string; message: string | null; at: Date }[]) {
  const col = <K extends keyof Change>(k: K) => changes.map((c) => c[k]);
  await client.query(
    `with c as (
       select * from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bool[], $8::bool[], $9::timestamptz[], $14::timestamptz[])
         as c(id, type, name, message, attempt, started, ended, at, started_at)
     ), upd as (
       update task_runs t set
         state_type = c.type, state_name = c.name, state_message = c.message, state_timestamp = c.at, attempt = c.attempt,
         start_time = case when c.started then coalesce(t.start_time, c.started_at, c.at) else t.start_time end,
         end_time = case when c.ended then c.at when c.started then null else t.end_time end
       from c where t.id = c.id and t.workspace_id = $1
       returning t.flow_run_id
     ), hist as (
       insert into task_run_states (workspace_id, task_run_id, type, name, message, timestamp)
       select $1, h.id, h.type, h.name, h.message, h.at
         from unnest($10::uuid[], $11::text[], $12::text[], $13::text[], $15::timestamptz[]) with ordinality as h(id, type, name, message, at, ord)
        order by h.ord
       returning 1
     ), events as (
       select pg_notify('baton_events', json_build_object('w', $1::text, 'kind', 'task_run', 'ids', json_build_array(f.flow_run_id))::text)
         from (select distinct flow_run_id from upd) f
     )
     select (select count(*) from upd) as updated, (select count(*) from hist) as written, (select count(*) from events) as events`,
    [
      workspaceId,
      col("id"),
      col("type"),
      col("name"),
      col("message"),
      col("attempt"),
      col("started"),
      col("ended"),
      col("at"),
      history.map((h) => h.id),
      history.map((h) => h.type),
      history.map((h) => h.name),
      history.map((h) => h.message),
      col("startedAt"),
      history.map((h) => h.at),
    ],
  );
}
