import type pg from "pg";
import { MAX_LOG_LINE_BYTES, type LogLine } from "../../agent/protocol/logs";
import { hasPgCode } from "../db/pg-errors";
import { AppError } from "../errors";
import { runNotFound, type RunTokenScope } from "../task-runs/resolve-run";

/** Leaves room for the marker, so a cut line is at most MAX_LOG_LINE_BYTES in all. */
const MARKER_RESERVE = 48;

/**
 * Stores a batch of log lines with one statement. The batch is checked whole first: a run that is
 * not the caller's (another workspace's, or not the run token's) refuses it all and nothing is
 * written. A line already stored (same run, attempt and seq) is skipped, so a client may re-send a
 * batch whose answer it lost. A run token sends lines of its own attempt only, and only while that
 * attempt is current and running or just ended (requireKeyOrRunToken checks before this runs).
 */
export async function writeLogs(opts: { pool: pg.Pool; workspaceId: string; runToken: RunTokenScope; lines: LogLine[] }): Promise<{ accepted: number; duplicates: number }> {
  const { pool, workspaceId, runToken } = opts;
  if (runToken) {
    const other = opts.lines.find((l) => l.runId !== runToken.runId);
    if (other) throw runNotFound(other.runId);
    const wrong = opts.lines.find((l) => l.attempt !== runToken.attempt);
    if (wrong) {
      throw new AppError("CONFLICT", `Log line ${wrong.seq} says attempt ${wrong.attempt}, but this run token is for attempt ${runToken.attempt}. Send each attempt's lines with that attempt's token.`);
    }
  }
  // A fixed order, so two batches re-sending the same lines at once take their row locks alike.
  const lines = [...opts.lines].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : a.attempt - b.attempt || a.seq - b.seq));
  const runIds = [...new Set(lines.map((l) => l.runId))];
  try {
    const { rows } = await pool.query<{ missing: string | null; accepted: number }>(
      `with runs as (
         select id from flow_runs where workspace_id = $1 and id = any($2::uuid[])
       ), missing as (
         select u.id from unnest($2::uuid[]) as u(id) where not exists (select 1 from runs where runs.id = u.id) limit 1
       ), ins as (
         insert into logs (workspace_id, flow_run_id, task_run_id, attempt, seq, level, timestamp, message)
         select $1, l.run_id, l.task_run_id, l.attempt, l.seq, l.level, l.ts, l.message
           from unnest($3::uuid[], $4::uuid[], $5::int[], $6::int[], $7::text[], $8::timestamptz[], $9::text[])
                  as l(run_id, task_run_id, attempt, seq, level, ts, message)
          where not exists (select 1 from missing)
         on conflict (flow_run_id, attempt, seq) do nothing
         returning flow_run_id
       ), events as (
         select pg_notify('baton_events', json_build_object('w', $1::text, 'kind', 'log', 'ids', json_build_array(r.flow_run_id))::text)
           from (select distinct flow_run_id from ins) r
       )
       select (select id from missing) as missing, (select count(*) from ins)::int as accepted, (select count(*) from events)::int as events`,
      [
        workspaceId,
        runIds,
        lines.map((l) => l.runId),
        lines.map((l) => l.taskRunId ?? null),
        lines.map((l) => l.attempt),
        lines.map((l) => l.seq),
        lines.map((l) => l.level),
        lines.map((l) => l.timestamp),
        lines.map((l) => storableMessage(l.message)),
      ],
    );
    if (rows[0].missing) throw runNotFound(rows[0].missing);
    return { accepted: rows[0].accepted, duplicates: lines.length - rows[0].accepted };
  } catch (err) {
    // The run was deleted between the check and the insert.
    if (hasPgCode(err, "23503")) throw new AppError("NOT_FOUND", "A flow run of this batch no longer exists; nothing was stored.");
    throw err;
  }
}

/** Postgres text cannot hold NUL; lines over the limit are cut on a character boundary with a marker. */
function storableMessage(message: string): string {
  const clean = message.includes("\u0000") ? message.replaceAll("\u0000", "\uFFFD") : message;
  // A string's UTF-8 size is at most 3 bytes per UTF-16 unit: most lines skip the encoding.
  if (clean.length * 3 <= MAX_LOG_LINE_BYTES) return clean;
  const bytes = Buffer.from(clean, "utf8");
  if (bytes.length <= MAX_LOG_LINE_BYTES) return clean;
  let keep = MAX_LOG_LINE_BYTES - MARKER_RESERVE;
  while (keep > 0 && (bytes[keep] & 0xc0) === 0x80) keep--;
  return `${bytes.toString("utf8", 0, keep)}… [truncated ${bytes.length - keep} bytes]`;
}
