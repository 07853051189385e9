import type { Db } from "../db/client";
import { formatDuration, formatTime } from "../alerts/message-template";
import { applyTransitions, type TransitionRequest } from "../orchestration/apply-transitions";

/** Runs read per statement: a backlog is worked off over a few statements, not one per run. */
const BATCH = 5_000;
/** Skips applied per orchestrator transaction (one lock statement and one write statement each). */
const APPLY_CHUNK = 1_000;

type Candidate = { id: string; workspace_id: string; reason: "superseded" | "late" | "lateness"; newest: Date; late_after: number; max_lateness_seconds: number | null; catch_up: string };

/**
 * The catch-up step: ends the scheduled runs that their deployment's catch-up policy or maximum
 * lateness drops, as CANCELLED/Skipped with the reason, through the orchestrator (by "server"), so
 * history rows, live events and alert outbox entries are written as for any state change.
 *
 * Only runs a schedule created that were never claimed are subject to it (state SCHEDULED named
 * Scheduled or Late, attempt 0): retries (AwaitingRetry), runs given back by an agent or retried by
 * a person (attempt > 0), and manual or API runs (no schedule) always run.
 *
 * - latest / none: of a schedule's due runs only the newest stays; older ones are skipped.
 * - none: a run more than `lateAfterSeconds` past due (Late) is skipped too.
 * - max lateness (any policy): a run not started that long after its scheduled time is skipped.
 *
 * Never in a claim's way: candidates are read FOR UPDATE SKIP LOCKED, so a run a claim holds at
 * this instant is passed over; the orchestrator then locks each candidate and its rules refuse to
 * cancel a run a claim took in between (PENDING is not SCHEDULED). Claims skip the rows this step
 * holds, and those are rows it is about to end anyway.
 */
export async function skipMissedRuns(db: Db, opts: { now: Date; lateAfterSeconds: number }): Promise<number> {
  let skipped = 0;
  for (;;) {
    // "A newer slot is due" looks at every run of the schedule (slot_time, whatever its state), so
    // a newer run that was already claimed still supersedes an older one that waits.
    const { rows } = await db.$client.query<Candidate>(
      `with doomed as (
         select r.id, r.workspace_id, r.schedule_id, r.slot_time, r.scheduled_time, d.catch_up, d.max_lateness_seconds
           from flow_runs r join deployments d on d.id = r.deployment_id
          where r.state_type = 'SCHEDULED' and r.state_name in ('Scheduled', 'Late') and r.schedule_id is not null and r.attempt = 0
            and r.scheduled_time <= $1::timestamptz
            and (d.catch_up <> 'all' or d.max_lateness_seconds is not null)
            and ((d.catch_up <> 'all' and exists (select 1 from flow_runs n where n.schedule_id = r.schedule_id and n.slot_time > r.slot_time and n.slot_time <= $1::timestamptz))
              or (d.catch_up = 'none' and r.scheduled_time < $1::timestamptz - make_interval(secs => $2::double precision))
              or (d.max_lateness_seconds is not null and r.scheduled_time < $1::timestamptz - make_interval(secs => d.max_lateness_seconds)))
          order by r.scheduled_time
          limit $3
            for update of r skip locked
       )
       select x.id, x.workspace_id, x.catch_up, x.max_lateness_seconds, $2::int as late_after, newest.slot_time as newest,
              case when x.catch_up <> 'all' and newest.slot_time > x.slot_time then 'superseded'
                   when x.catch_up = 'none' and x.scheduled_time < $1::timestamptz - make_interval(secs => $2::double precision) then 'late'
                   else 'lateness' end as reason
         from doomed x
         cross join lateral (select max(n.slot_time) as slot_time from flow_runs n where n.schedule_id = x.schedule_id and n.slot_time <= $1::timestamptz) newest
        order by x.workspace_id, x.scheduled_time`,
      [opts.now, opts.lateAfterSeconds, BATCH],
    );
    const accepted = await skip(db, rows);
    skipped += accepted;
    // Skipped runs leave the candidate set, so the next read reaches the rest of a backlog. None
    // accepted (each one claimed or cancelled in between) means nothing more to do this tick.
    if (rows.length < BATCH || accepted === 0) return skipped;
  }
}

async function skip(db: Db, rows: Candidate[]): Promise<number> {
  const byWorkspace = new Map<string, TransitionRequest[]>();
  for (const row of rows) {
    const list = byWorkspace.get(row.workspace_id) ?? [];
    list.push({ runId: row.id, by: "server", state: { type: "CANCELLED", name: "Skipped", message: skipMessage(row) } });
    byWorkspace.set(row.workspace_id, list);
  }
  let accepted = 0;
  for (const [workspaceId, requests] of byWorkspace) {
    for (let i = 0; i < requests.length; i += APPLY_CHUNK) {
      const results = await applyTransitions(db.$client, workspaceId, requests.slice(i, i + APPLY_CHUNK));
      accepted += results.filter((r) => r.status === "ACCEPT").length;
    }
  }
  return accepted;
}

/** What the run's page, the CLI and alerts show as the reason. */
function skipMessage(row: Candidate): string {
  if (row.reason === "superseded") return `Skipped: a newer run of this schedule (due ${formatTime(row.newest.toISOString())}) is due; catch-up policy ${row.catch_up}`;
  if (row.reason === "late") return `Skipped: not started within ${formatDuration(row.late_after)} of its scheduled time (Late); catch-up policy none`;
  return `Skipped: not started within ${formatDuration(row.max_lateness_seconds!)} of its scheduled time (max lateness)`;
}
