import type { Db } from "../db/client";

const TERMINAL = "('COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED')";

/**
 * Deletes what is older than the retention period, in small statements so no single one holds
 * locks or bloats WAL for long: log lines by their own time (of any run), then finished runs
 * (COMPLETED, FAILED, CRASHED, CANCELLED) whose final state is older, with their history, task
 * runs, logs and artifacts by cascade; then alert deliveries that are done with. Runs not yet
 * finished and alerts not yet delivered are never touched; incoming webhooks' request log rows
 * (bodies and headers of calls) go by their own time. Stops after
 * `budgetMs`; the next tick continues where this one stopped.
 */
export async function deleteExpiredData(
  db: Db,
  opts: { now: Date; retentionDays: number; batchSize?: number; budgetMs?: number; workspaces?: { only: string[] } | { except: string[] } },
): Promise<{ runs: number; logs: number; alerts: number; webhookRequests: number; done: boolean }> {
  const cutoff = new Date(opts.now.getTime() - opts.retentionDays * 86_400_000);
  const batch = opts.batchSize ?? 1_000;
  const deadline = Date.now() + (opts.budgetMs ?? 20_000);
  const totals = { runs: 0, logs: 0, alerts: 0, webhookRequests: 0 };
  // Retention by plan (hosted) runs this once per retention period, for that period's workspaces.
  const scope = !opts.workspaces ? "" : "only" in opts.workspaces ? " and workspace_id = any($3::uuid[])" : " and workspace_id <> all($3::uuid[])";
  const params = (p: unknown[]) => (opts.workspaces ? [...p, "only" in opts.workspaces ? opts.workspaces.only : opts.workspaces.except] : p);

  // Logs first: a run's cascade then finds (almost) no log lines left, so its delete stays small.
  const steps: { key: keyof typeof totals; sql: string }[] = [
    {
      key: "logs",
      sql: `delete from logs where id in (select id from logs where timestamp < $1${scope} limit $2)`,
    },
    {
      key: "runs",
      sql: `delete from flow_runs where id in (
              select id from flow_runs where state_type in ${TERMINAL} and state_timestamp < $1${scope} limit $2 for update skip locked)`,
    },
    {
      // Alert deliveries that are done with (their attempts go by cascade); pending ones are kept,
      // except a Send test whose sender died mid-send (tests are tried once, never by the notifier).
      key: "alerts",
      sql: `delete from alert_deliveries where id in (
              select id from alert_deliveries where (status <> 'pending' or kind = 'test') and created_at < $1${scope} limit $2)`,
    },
    {
      key: "webhookRequests",
      sql: `delete from incoming_webhook_requests where id in (select id from incoming_webhook_requests where received_at < $1${scope} limit $2)`,
    },
  ];
  for (const step of steps) {
    for (;;) {
      if (Date.now() > deadline) return { ...totals, done: false };
      const { rowCount } = await db.$client.query(step.sql, params([cutoff, batch]));
      totals[step.key] += rowCount ?? 0;
      if ((rowCount ?? 0) < batch) break;
    }
  }
  return { ...totals, done: true };
}
