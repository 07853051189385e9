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
      if (listener) {
        // A full batch may have left more due runs: pass the turn on. Otherwise arm the pool's
        // timer for the next run, so no other agent has to claim just to find out.
        if (result.runs.length === opts.slots) listener.wakeOne(opts.workPoolId);
        else armTimer(listener, opts.workPoolId, result.nextDueAt);
      }
      return result;
    }
    if (remaining <= 0 || !waiter || !listener || opts.signal?.aborted) {
      waiter?.cancel();
      return result;
    }
    // Runs already due but not claimable (limits, paused) wait for the NOTIFY that frees them;
    // a future run arms the pool's timer.
    if (!result.paused) armTimer(listener, opts.workPoolId, result.nextDueAt);
    await waiter.wait(remaining, opts.signal);
  }
}

/**
 * Sets the pool's timer for the millisecond its earliest future run is due: the claim's now() is
 * read after the timer fired, on the same clock, so it has passed the run's scheduled time. (With
 * a database on another host whose clock runs behind, the claim finds nothing yet and re-arms.)
 */
function armTimer(listener: DispatchListener, workPoolId: string, nextDueAt: number | null) {
  if (nextDueAt !== null) listener.wakeAt(workPoolId, Math.ceil(nextDueAt));
}
