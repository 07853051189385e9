import type pg from "pg";
import { LEASE_SECONDS } from "../../agent/protocol/leases";
import { applyTransitions, type TransitionRequest } from "./apply-transitions";

/**
 * Runs whose agent (or ad-hoc script) stopped heartbeating: PENDING or RUNNING become CRASHED (and
 * retry if their deployment allows, no sooner than the fence), CANCELLING becomes CANCELLED. Each
 * decision re-checks the lease under the run's row lock, so a heartbeat that lands first wins.
 *
 * `hearingSince` is since when the server has heard agents without a break
 * (`clusterHearingSince`): until that stretch has lasted a full lease period, nothing is reaped,
 * because an agent that met the outage kept its runs going and has not had a chance to renew yet.
 */
export async function reapExpiredLeases(pool: pg.Pool, { hearingSince, limit = 500 }: { hearingSince: Date | null; limit?: number }): Promise<number> {
  if (!hearingSince) return 0;
  const { rows } = await pool.query<{ id: string; workspace_id: string; state_type: string; deployment_id: string | null }>(
    `select id, workspace_id, state_type, deployment_id from flow_runs
      where state_type in ('PENDING', 'RUNNING', 'CANCELLING', 'PAUSED') and lease_expires_at < now()
        and $1::timestamptz <= now() - make_interval(secs => $3)
      order by lease_expires_at limit $2`,
    [hearingSince, limit, LEASE_SECONDS],
  );
  const byWorkspace = new Map<string, TransitionRequest[]>();
  for (const r of rows) {
    const req: TransitionRequest = {
      runId: r.id,
      by: "server",
      reap: { hearingSince },
      state:
        r.state_type === "CANCELLING"
          ? { type: "CANCELLED", message: `Cancelled: its ${r.deployment_id ? "agent" : "process"} stopped heartbeating` }
          : { type: "CRASHED", message: r.deployment_id ? "Agent stopped heartbeating" : "Its process stopped heartbeating (killed, or cut off from Baton)" },
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
