import type pg from "pg";
import { applyTransitions, type TransitionRequest } from "./apply-transitions";

/**
 * Runs whose agent stopped heartbeating: PENDING or RUNNING become CRASHED (and retry if their
 * deployment allows), CANCELLING becomes CANCELLED. Each decision re-checks the lease under the
 * run's row lock, so a heartbeat that lands first wins.
 */
export async function reapExpiredLeases(pool: pg.Pool, { limit = 500 } = {}): Promise<number> {
  const { rows } = await pool.query<{ id: string; workspace_id: string; state_type: string }>(
    `select id, workspace_id, state_type from flow_runs
      where state_type in ('PENDING', 'RUNNING', 'CANCELLING') and lease_expires_at < now()
      order by lease_expires_at limit $1`,
    [limit],
  );
  const byWorkspace = new Map<string, TransitionRequest[]>();
  for (const r of rows) {
    const req: TransitionRequest = {
      runId: r.id,
      by: "server",
      onlyIfLeaseExpired: true,
      state: r.state_type === "CANCELLING" ? { type: "CANCELLED", message: "Cancelled: its agent stopped heartbeating" } : { type: "CRASHED", message: "Agent stopped heartbeating" },
    };
    byWorkspace.set(r.workspace_id, [...(byWorkspace.get(r.workspace_id) ?? []), req]);
  }
  let reaped = 0;
  for (const [workspaceId, requests] of byWorkspace) {
    const results = await applyTransitions(pool, workspaceId, requests);
    reaped += results.filter((r) => r.status === "ACCEPT").length;
  }
  return reaped;
}
