import type { Db } from "../db/client";
import { LEASE_SECONDS } from "../../agent/protocol/leases";
import type { RunTokenClaims } from "./run-token";

/**
 * A run's own heartbeat, with its run token (ad-hoc runs, which no agent holds): renews the lease
 * of that attempt while it is RUNNING, PAUSED or CANCELLING, and says whether a person cancelled it or
 * whether it was lost (the lease expired and Baton ended the attempt).
 */
export async function renewRunLease(db: Db, claims: RunTokenClaims) {
  const { rows } = await db.$client.query<{ state_type: string; lease_expires_at: Date }>(
    `update flow_runs set lease_expires_at = now() + make_interval(secs => ${LEASE_SECONDS})
      where id = $1 and workspace_id = $2 and attempt = $3 and state_type in ('RUNNING', 'CANCELLING', 'PAUSED')
      returning state_type, lease_expires_at`,
    [claims.runId, claims.workspaceId, claims.attempt],
  );
  const row = rows[0];
  return { cancel: row?.state_type === "CANCELLING", lost: !row, leaseExpiresAt: row?.lease_expires_at.toISOString() ?? null };
}
