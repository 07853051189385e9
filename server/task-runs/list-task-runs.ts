import type pg from "pg";
import type { TaskRun } from "../../agent/protocol/task-runs";
import { AppError } from "../errors";
import { resolveRun, type RunTokenScope } from "./resolve-run";
import { TASK_RUN_COLUMNS, toTaskRun, type TaskRunRow } from "./task-run-row";
import { isUuid } from "../../agent/protocol/storable";


/** A flow run's task runs in creation order (ids are UUIDv7), with state and upstream ids: the run's graph. */
export async function listTaskRuns(opts: {
  pool: pg.Pool;
  workspaceId: string;
  runToken: RunTokenScope;
  runId: string;
  attempt?: number;
  after?: string;
  limit: number;
}): Promise<{ taskRuns: TaskRun[]; nextCursor: string | null }> {
  const { pool, workspaceId } = opts;
  const run = await resolveRun(pool, { workspaceId, runId: opts.runId, runToken: opts.runToken });
  if (opts.after && !isUuid(opts.after)) throw new AppError("BAD_REQUEST", "The cursor is not valid; pass the nextCursor of an earlier page.");
  const { rows } = await pool.query<TaskRunRow>(
    `select ${TASK_RUN_COLUMNS} from task_runs
      where workspace_id = $1 and flow_run_id = $2
        and ($3::int is null or flow_run_attempt = $3) and ($4::uuid is null or id > $4)
      order by id
      limit $5`,
    [workspaceId, run.id, opts.attempt ?? null, opts.after ?? null, opts.limit + 1],
  );
  const page = rows.slice(0, opts.limit);
  return { taskRuns: page.map(toTaskRun), nextCursor: rows.length > opts.limit ? page[page.length - 1].id : null };
}
