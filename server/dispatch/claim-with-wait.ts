import type pg from "pg";
import { claimRuns, type ClaimResult } from "./claim-runs";
import type { DispatchListener } from "./dispatch-listener";

/**
 * Long poll: claim now, or wait until a run of the pool becomes due (a NOTIFY, or a timer on the
 * pool's earliest scheduled run) and claim then, until `waitMs` has passed.
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
    if (result.runs.length > 0 || remaining <= 0 || !waiter || opts.signal?.aborted) {
      waiter?.cancel();
      return result;
    }
    // Runs already due but not claimable (limits, paused) wait for a NOTIFY that frees them; a
    // future run gets a timer a little after its due time (`now()` in the claim must pass it).
    const next = result.paused ? null : await nextDueIn(pool, opts.workPoolId);
    await waiter.wait(next !== null && next > 0 ? Math.min(remaining, next + 2) : remaining, opts.signal);
  }
}

async function nextDueIn(pool: pg.Pool, workPoolId: string): Promise<number | null> {
  const { rows } = await pool.query<{ ms: number | null }>(
    `select extract(epoch from (min(scheduled_time) - clock_timestamp())) * 1000 as ms
       from flow_runs where work_pool_id = $1 and state_type = 'SCHEDULED'`,
    [workPoolId],
  );
  return rows[0]?.ms === null || rows[0]?.ms === undefined ? null : Number(rows[0].ms);
}
