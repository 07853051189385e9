import type pg from "pg";
import { claimRuns, type ClaimResult } from "./claim-runs";
import type { DispatchListener } from "./dispatch-listener";

/**
 * Long poll: claim now, or wait until a run of the pool becomes due (a NOTIFY, or the pool's
 * timer on its earliest scheduled run) and claim then, until `waitMs` has passed.
 */
export async function claimWithWait(
  pool: pg.Pool,
  listener: DispatchListener | null,
  opts: { workspaceId: string; workPoolId: string; agentId: string; slots: number; waitMs: number; signal?: AbortSignal },
): Promise<ClaimResult> {
  const deadline = Date.now() + opts.waitMs;
  for (;;) {
    const waiter = listener?.register(opts.workPoolId);
    const result = await claimRuns(pool, opts);
    const remaining = deadline - Date.now();
    if (result.runs.length > 0) {
      waiter?.cancel();
      // There may be more due runs than this agent had slots for: pass the turn on.
      listener?.wakeOne(opts.workPoolId);
      return result;
    }
    if (remaining <= 0 || !waiter || !listener || opts.signal?.aborted) {
      waiter?.cancel();
      return result;
    }
    // Runs already due but not claimable (limits, paused) wait for the NOTIFY that frees them;
    // a future run arms the pool's timer a little after its due time (the claim's now() must pass it).
    const next = result.paused ? null : await nextDueAt(pool, opts.workPoolId);
    if (next !== null && next > Date.now()) listener.wakeAt(opts.workPoolId, next + 2);
    await waiter.wait(remaining, opts.signal);
  }
}

async function nextDueAt(pool: pg.Pool, workPoolId: string): Promise<number | null> {
  const { rows } = await pool.query<{ at: number | null }>(
    "select extract(epoch from min(scheduled_time)) * 1000 as at from flow_runs where work_pool_id = $1 and state_type = 'SCHEDULED'",
    [workPoolId],
  );
  return rows[0]?.at == null ? null : Number(rows[0].at);
}
