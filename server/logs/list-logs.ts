import type pg from "pg";
import { LOG_LEVELS, type Log, type LogLevel } from "../../agent/protocol/logs";
import { AppError } from "../errors";
import { resolveRun, type RunTokenScope } from "../task-runs/resolve-run";

type Row = { flow_run_id: string; task_run_id: string | null; attempt: number; seq: number; level: LogLevel; timestamp: Date; message: string };

/**
 * A page of a run's log lines in (attempt, seq) order, after a cursor. The next cursor is the last
 * line's position, or the given one when nothing new arrived, so polling with it tails the run.
 * `level` is a minimum: warning returns warning, error and critical.
 */
export async function listLogs(opts: {
  pool: pg.Pool;
  workspaceId: string;
  runToken: RunTokenScope;
  runId: string;
  after?: string;
  limit: number;
  level?: LogLevel;
}): Promise<{ logs: Log[]; nextCursor: string | null; hasMore: boolean }> {
  const { pool, workspaceId } = opts;
  const run = await resolveRun(pool, { workspaceId, runId: opts.runId, runToken: opts.runToken });
  const [afterAttempt, afterSeq] = opts.after ? parseCursor(opts.after) : [-1, -1];
  const levels = LOG_LEVELS.slice(LOG_LEVELS.indexOf(opts.level ?? "debug"));
  const { rows } = await pool.query<Row>(
    `select flow_run_id, task_run_id, attempt, seq, level, timestamp, message
       from logs
      where workspace_id = $1 and flow_run_id = $2 and (attempt, seq) > ($3, $4) and level = any($5::text[])
      order by attempt, seq
      limit $6`,
    [workspaceId, run.id, afterAttempt, afterSeq, levels, opts.limit + 1],
  );
  const hasMore = rows.length > opts.limit;
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return {
    logs: page.map((r) => ({ runId: r.flow_run_id, taskRunId: r.task_run_id, attempt: r.attempt, seq: r.seq, level: r.level, timestamp: r.timestamp.toISOString(), message: r.message })),
    nextCursor: last ? `${last.attempt}:${last.seq}` : (opts.after ?? null),
    hasMore,
  };
}

function parseCursor(cursor: string): [number, number] {
  const m = /^(\d{1,7}):(\d{1,10})$/.exec(cursor);
  if (!m) throw new AppError("BAD_REQUEST", "The cursor is not valid; pass the nextCursor of an earlier page.");
  return [Number(m[1]), Number(m[2])];
}
