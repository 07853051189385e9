import type pg from "pg";
import { percentile } from "../../bench/bench-env";
import { FAULTS, type FaultKind, type FaultRecord } from "./faults";
import { CRASH_ROW, type InvariantResult } from "./invariants";
import type { JournaledAttempt } from "./journal";

export type Figures = {
  seed: number;
  /** The machine's 1-minute load average at the end: recovery times stretch with it. */
  loadAverage: number;
  runs: { total: number; byState: Record<string, number>; attempts: number };
  faults: Partial<Record<FaultKind, number>>;
  /** Agent SIGKILL → the crash in the history (Crashed, or AwaitingRetry after Crashed) of each attempt it was running. */
  crashDetection: { samples: number; p50Ms: number; maxMs: number; undetected: string[]; throughOutageMs: number[] };
  recovery: { serverHealthyMs: number[]; postgresApiOkMs: number[] };
  /** A retry due at once (AwaitingRetry) → its next claim (PENDING): how long a crashed run waits for an agent. */
  retryPickup: { samples: number; p50Ms: number; maxMs: number };
  worstOverlapMs: number;
  invariants: InvariantResult[];
};

/** For each agent kill, how long until each attempt it was running was marked Crashed. */
export async function crashDetection(db: pg.Client, journal: Map<string, JournaledAttempt[]>, faults: FaultRecord[]) {
  const kills = faults.filter((f) => f.kind === "agent-kill");
  const samples: number[] = [];
  const undetected: string[] = [];
  const throughOutage: number[] = [];
  for (const kill of kills) {
    // Alive at the kill: journaled within the last tick interval (attempts tick at least every second).
    const victims = [...journal.values()].flat().filter((a) => a.agent === kill.target && a.startMs < kill.startMs && a.lastMs > kill.startMs - 1500 && (!a.ended || a.lastMs > kill.startMs));
    for (const v of victims) {
      const { rows } = await db.query<{ ms: string }>(
        `select (extract(epoch from min(s.timestamp)) * 1000)::bigint as ms from flow_run_states s
          where s.flow_run_id = $1 and s.attempt = $2 and ${CRASH_ROW} and s.timestamp >= to_timestamp($3 / 1000.0)`,
        [v.runId, v.attempt, kill.startMs],
      );
      const crashedMs = rows[0]?.ms ? Number(rows[0].ms) : null;
      if (crashedMs === null) undetected.push(`run ${v.runId} attempt ${v.attempt} (agent ${v.agent} killed)`);
      // A server or Postgres outage before the crash was noticed delays it by design: counted apart.
      else if (faults.some((f) => !FAULTS[f.kind].onAgent && f.startMs < crashedMs && f.endMs > kill.startMs)) throughOutage.push(crashedMs - kill.startMs);
      else samples.push(crashedMs - kill.startMs);
    }
  }
  samples.sort((a, b) => a - b);
  return { samples: samples.length, p50Ms: percentile(samples, 50), maxMs: samples.at(-1) ?? NaN, undetected, throughOutageMs: throughOutage };
}

export async function retryPickup(db: pg.Client, workspaceId: string) {
  const { rows } = await db.query<{ ms: number }>(
    `select extract(epoch from next_at - s.timestamp) * 1000 as ms
       from (select s.*, lead(s.timestamp) over w as next_at, lead(s.type) over w as next_type
               from flow_run_states s where s.workspace_id = $1 window w as (partition by s.flow_run_id order by s.id)) s
      where s.name = 'AwaitingRetry' and s.next_type = 'PENDING'`,
    [workspaceId],
  );
  const ms = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  return { samples: ms.length, p50Ms: percentile(ms, 50), maxMs: ms.at(-1) ?? NaN };
}

export async function runCounts(db: pg.Client, workspaceId: string) {
  const { rows } = await db.query<{ state_type: string; n: number; attempts: number }>(
    `select state_type, count(*)::int as n, sum(attempt)::int as attempts from flow_runs where workspace_id = $1 and attempt > 0 group by 1`,
    [workspaceId],
  );
  const byState = Object.fromEntries(rows.map((r) => [r.state_type, r.n]));
  return { total: rows.reduce((s, r) => s + r.n, 0), byState, attempts: rows.reduce((s, r) => s + r.attempts, 0) };
}

const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : "n/a");
const list = (xs: number[]) => (xs.length ? xs.map(s).join(", ") : "none");

/** The figures as the report prints them. */
export function formatFigures(f: Figures): string {
  const lines = [
    `seed ${f.seed}, load average ${f.loadAverage.toFixed(1)} at the end`,
    `runs: ${f.runs.total} started (${f.runs.attempts} attempts): ${Object.entries(f.runs.byState).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `faults: ${Object.entries(f.faults).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `crash detection (agent SIGKILL → Crashed): p50 ${s(f.crashDetection.p50Ms)}, max ${s(f.crashDetection.maxMs)} over ${f.crashDetection.samples} attempts` +
      (f.crashDetection.throughOutageMs.length ? `; with a server/Postgres outage in between: ${list(f.crashDetection.throughOutageMs)}` : "") +
      (f.crashDetection.undetected.length ? `; never marked Crashed: ${f.crashDetection.undetected.length}` : ""),
    `recovery: server restart → /api/health 200: ${list(f.recovery.serverHealthyMs)}; Postgres restart → first API 200: ${list(f.recovery.postgresApiOkMs)}`,
    `retry pickup (AwaitingRetry → next claim): p50 ${s(f.retryPickup.p50Ms)}, max ${s(f.retryPickup.maxMs)} over ${f.retryPickup.samples} retries`,
    `worst overlap of two attempts of a run: ${f.worstOverlapMs} ms`,
    "invariants:",
  ];
  for (const inv of f.invariants) {
    lines.push(`  ${inv.ok ? "PASS" : "FAIL"} (${inv.id}) ${inv.name}: ${inv.summary}`);
    for (const d of inv.details) lines.push(`       - ${d}`);
  }
  return lines.join("\n");
}
