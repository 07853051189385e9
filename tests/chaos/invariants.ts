import type pg from "pg";
import { FAULTS, type FaultRecord } from "./faults";
import type { JournaledAttempt, OverlapViolation } from "./journal";
import type { IdempotencyRecord } from "./workload";

export type InvariantResult = { id: number; name: string; ok: boolean; summary: string; details: string[] };

/** What the checks read: the database (through `db`), the journal, the faults, the API's answers. */
export type Evidence = {
  db: pg.Client;
  workspaceId: string;
  journal: Map<string, JournaledAttempt[]>;
  violations: OverlapViolation[];
  faults: FaultRecord[];
  keys: Map<string, IdempotencyRecord>;
  scheduleIntervalSeconds: number;
  /** A SCHEDULED run due longer ago than this, once things settled, is stuck. */
  dueGraceSeconds: number;
  /** A run PENDING, RUNNING or CANCELLING for longer than this (its longest attempt plus a lease and its fence) is stuck. */
  activeGraceSeconds: number;
};

const MAX_DETAILS = 15;

/**
 * A crash in a run's history: a CRASHED row, or (when a retry was left) the AwaitingRetry row the
 * crash became directly ("Retry 1 of 3 after Crashed: …", server/orchestration/rules.ts).
 */
export const CRASH_ROW = `(s.type = 'CRASHED' or (s.name = 'AwaitingRetry' and s.message like 'Retry % after Crashed%'))`;
const result = (id: number, name: string, problems: string[], summary: string): InvariantResult => ({
  id,
  name,
  ok: problems.length === 0,
  summary,
  details: problems.length > MAX_DETAILS ? [...problems.slice(0, MAX_DETAILS), `… and ${problems.length - MAX_DETAILS} more`] : problems,
});

/** (1) No two attempts of a run were alive together: no flock refusal, journal intervals disjoint. */
export function noOverlappingAttempts(e: Evidence): InvariantResult & { worstOverlapMs: number } {
  let worst = 0;
  const problems = e.violations.map((v) => {
    // The lock holder was alive when the later attempt was refused, and journaled until lastMs.
    const holder = (e.journal.get(v.runId) ?? []).filter((a) => a.startMs <= v.atMs).sort((a, b) => b.lastMs - a.lastMs)[0];
    const alive = holder ? Math.max(0, holder.lastMs - v.atMs) : 0;
    worst = Math.max(worst, alive);
    const who = holder ? `attempt ${holder.attempt} (${holder.agent}), which kept running ${alive} ms longer` : "an earlier attempt";
    return `run ${v.runId}: attempt ${v.attempt} on ${v.agent} was started while ${who}`;
  });
  for (const [runId, attempts] of e.journal) {
    const sorted = [...attempts].sort((a, b) => a.startMs - b.startMs);
    for (let i = 0; i < sorted.length; i++)
      for (let j = i + 1; j < sorted.length; j++) {
        const overlap = Math.min(sorted[i].lastMs, sorted[j].lastMs) - sorted[j].startMs;
        if (overlap <= 0) continue;
        worst = Math.max(worst, overlap);
        problems.push(`run ${runId}: attempt ${sorted[i].attempt} (${sorted[i].agent}) and attempt ${sorted[j].attempt} (${sorted[j].agent}) both journaled for ${overlap} ms`);
      }
  }
  const summary = `${e.violations.length} lock refusals, worst overlap ${worst} ms`;
  return { ...result(1, "no two attempts of a run overlap", problems, summary), worstOverlapMs: worst };
}

/** (2) Every line a completed attempt printed is stored exactly once. */
export async function logLinesStoredOnce(e: Evidence): Promise<InvariantResult> {
  const { rows } = await e.db.query<{ id: string; attempt: number; lines: number; message: string | null; n: number }>(
    `select r.id, r.attempt, coalesce((r.parameters->>'lines')::int, 3) as lines, l.message, count(l.id)::int as n
       from flow_runs r left join logs l on l.flow_run_id = r.id and l.attempt = r.attempt and l.message like 'chaos-line %'
      where r.workspace_id = $1 and r.state_type = 'COMPLETED'
      group by 1, 2, 3, 4`,
    [e.workspaceId],
  );
  const runs = new Map<string, { attempt: number; lines: number; seen: Map<string, number> }>();
  for (const r of rows) {
    const run = runs.get(r.id) ?? { attempt: r.attempt, lines: r.lines, seen: new Map() };
    if (r.message) run.seen.set(r.message, r.n);
    runs.set(r.id, run);
  }
  const problems: string[] = [];
  let stored = 0;
  for (const [id, run] of runs) {
    for (let i = 1; i <= run.lines; i++) {
      const n = run.seen.get(`chaos-line ${i}/${run.lines}`) ?? 0;
      stored += n;
      if (n !== 1) problems.push(`run ${id} attempt ${run.attempt}: line ${i}/${run.lines} stored ${n} times`);
    }
  }
  return result(2, "every line of a completed attempt stored exactly once", problems, `${runs.size} completed runs, ${stored} lines checked`);
}

/** (3) One run per idempotency key (and the API named that run to every sender); one per schedule slot, none missing. */
export async function noDuplicateRuns(e: Evidence): Promise<InvariantResult> {
  const problems: string[] = [];
  const { rows } = await e.db.query<{ key: string; ids: string[] }>(
    `select idempotency_key as key, array_agg(id::text) as ids from flow_runs where workspace_id = $1 and idempotency_key is not null group by 1`,
    [e.workspaceId],
  );
  const inDb = new Map(rows.map((r) => [r.key, r.ids]));
  let answered = 0;
  for (const rec of e.keys.values()) {
    const ids = inDb.get(rec.key) ?? [];
    if (rec.runIds.size) answered++;
    if (ids.length > 1) problems.push(`key ${rec.key}: ${ids.length} runs in the database`);
    if (rec.runIds.size > 1) problems.push(`key ${rec.key}: the API answered ${rec.sends} sends with ${rec.runIds.size} different runs`);
    for (const id of rec.runIds) if (!ids.includes(id)) problems.push(`key ${rec.key}: the API answered run ${id}, which the database does not hold under that key`);
  }
  const slots = await e.db.query<{ schedule_id: string; slot_ms: string; n: number }>(
    `select schedule_id, (extract(epoch from slot_time) * 1000)::bigint as slot_ms, count(*)::int as n
       from flow_runs where workspace_id = $1 and schedule_id is not null group by 1, 2 order by 1, 2`,
    [e.workspaceId],
  );
  let previous = null as { schedule: string; ms: number } | null;
  for (const s of slots.rows) {
    const ms = Number(s.slot_ms);
    if (s.n > 1) problems.push(`schedule ${s.schedule_id} slot ${new Date(ms).toISOString()}: ${s.n} runs`);
    if (previous?.schedule === s.schedule_id && ms - previous.ms !== e.scheduleIntervalSeconds * 1000)
      problems.push(`schedule ${s.schedule_id}: no run for the slot(s) between ${new Date(previous.ms).toISOString()} and ${new Date(ms).toISOString()}`);
    previous = { schedule: s.schedule_id, ms };
  }
  const summary = `${e.keys.size} keys (${answered} answered, ${[...e.keys.values()].filter((k) => k.sends > 1).length} sent twice at once), ${slots.rows.length} schedule slots`;
  return result(3, "no duplicate runs from idempotency keys or schedule slots", problems, summary);
}

/**
 * (4) Once faults stopped and things settled, every run is terminal or scheduled ahead. The
 * interval schedule keeps going, so a run just claimed (PENDING for a moment) or due a second ago
 * is healthy; one that stayed so longer than any attempt and lease could is stuck.
 */
export async function nothingStuck(e: Evidence): Promise<InvariantResult> {
  const { rows } = await e.db.query<{ id: string; state_type: string; state_name: string; attempt: number; since: string }>(
    `select id, state_type, state_name, attempt, state_timestamp::text as since from flow_runs
      where workspace_id = $1 and ((state_type in ('PENDING', 'RUNNING', 'CANCELLING') and state_timestamp < now() - make_interval(secs => $3))
         or (state_type = 'SCHEDULED' and scheduled_time < now() - make_interval(secs => $2)))`,
    [e.workspaceId, e.dueGraceSeconds, e.activeGraceSeconds],
  );
  const problems = rows.map((r) => `run ${r.id}: ${r.state_name} (${r.state_type}) attempt ${r.attempt} since ${r.since}`);
  const summary = `${rows.length} runs active for over ${e.activeGraceSeconds} s or due over ${e.dueGraceSeconds} s ago`;
  return result(4, "nothing stuck after settling", problems, summary);
}

/**
 * (5) A run whose first attempt was running (or finishing) through a control-plane outage, with
 * no fault on its own agent meanwhile, completed once: one attempt, one COMPLETED, no CRASHED.
 */
export async function healthyRunsSurviveOutages(e: Evidence): Promise<InvariantResult & { candidates: number }> {
  const outages = e.faults.filter((f) => !FAULTS[f.kind].onAgent);
  const agentFaults = e.faults.filter((f) => FAULTS[f.kind].onAgent);
  const { rows } = await e.db.query<{ id: string; state_type: string; attempt: number; completed: number; crashed: number; first_end_ms: string | null; crash_message: string | null }>(
    `select r.id, r.state_type, r.attempt,
            count(*) filter (where s.type = 'COMPLETED')::int as completed,
            count(*) filter (where ${CRASH_ROW})::int as crashed,
            (extract(epoch from min(s.timestamp) filter (where s.attempt = 1 and (s.type in ('COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED') or s.name = 'AwaitingRetry'))) * 1000)::bigint as first_end_ms,
            min(s.message) filter (where ${CRASH_ROW}) as crash_message
       from flow_runs r join flow_run_states s on s.flow_run_id = r.id
      where r.workspace_id = $1 group by r.id`,
    [e.workspaceId],
  );
  const problems: string[] = [];
  let candidates = 0;
  for (const r of rows) {
    const first = e.journal.get(r.id)?.find((a) => a.attempt === 1);
    if (!first) continue;
    const endMs = r.first_end_ms === null ? Infinity : Number(r.first_end_ms);
    const outage = outages.find((o) => first.startMs < o.endMs && endMs > o.startMs);
    if (!outage) continue;
    const until = Math.min(endMs, Date.now());
    if (agentFaults.some((f) => f.target === first.agent && f.startMs < until && f.endMs > first.startMs)) continue;
    candidates++;
    const wrong: string[] = [];
    if (r.attempt !== 1) wrong.push(`${r.attempt} attempts`);
    if (r.state_type !== "COMPLETED") wrong.push(`ended ${r.state_type}`);
    if (r.completed !== 1) wrong.push(`${r.completed} COMPLETED states`);
    if (r.crashed > 0) wrong.push(`${r.crashed} crash(es) in its history ("${r.crash_message}")`);
    if (wrong.length) problems.push(`run ${r.id} (on ${first.agent}, through the ${outage.kind} at ${clock(outage.startMs)}): ${wrong.join(", ")}`);
  }
  const summary = `${candidates} runs healthy through ${outages.length} control-plane outages, ${problems.length} not completed exactly once`;
  return { ...result(5, "every run healthy through a control-plane outage completed exactly once", problems, summary), candidates };
}

/** HH:MM:SS.mmm (UTC), to match a fault in the run's log. */
export const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);
