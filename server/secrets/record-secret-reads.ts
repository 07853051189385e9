import type pg from "pg";

/**
 * Records that runs read secrets: one `secret_reads` row per run and secret, and an audit event
 * only for the rows that are new, so a run that reads a secret a thousand times (or is claimed
 * again after a retry) logs it once. Reads at claim time are recorded by the claim's own
 * statement (resolve-claim-env.ts).
 */
export async function recordRunSecretReads(pool: pg.Pool | pg.PoolClient, workspaceId: string, reads: { runId: string; secret: string }[], via: "code") {
  if (reads.length === 0) return;
  await pool.query(
    `with ins as (
       insert into secret_reads (flow_run_id, secret_name, workspace_id)
       select r, s, $1 from unnest($2::uuid[], $3::text[]) t(r, s)
       on conflict do nothing
       returning flow_run_id, secret_name
     )
     insert into audit_events (workspace_id, actor_id, actor_label, action, target_type, target_id, target_label, details)
     select $1, null, 'run ' || fr.name, 'secret.read', 'secret', s.id::text, ins.secret_name, json_build_object('runId', fr.id, 'via', $4::text)
       from ins join flow_runs fr on fr.id = ins.flow_run_id
       left join secrets s on s.workspace_id = $1 and s.name = ins.secret_name`,
    [workspaceId, reads.map((r) => r.runId), reads.map((r) => r.secret), via],
  );
}
