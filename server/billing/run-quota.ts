import type pg from "pg";
import type { Db } from "../db/client";
import { withPgTransaction } from "../db/pg-transaction";
import { AppError } from "../errors";
import { formatCount, type Plan } from "./plans";
import { notifyUsageThresholds } from "./usage-emails";
import { workspacePlan } from "./workspace-plan";

/** The quota month a run counts in: the calendar month (UTC) of its scheduled time, as 'YYYY-MM-01'. */
export function usageMonth(t: Date): string {
  return `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, "0")}-01`;
}

export function runLimitMessage(plan: Plan): string {
  return `Plan limit reached: ${formatCount(plan.limits.runsPerMonth)} runs this month on ${plan.name}. Upgrade in Settings → Billing.`;
}

/**
 * Inserts a run only if the workspace's quota for the run's month has room, in one transaction:
 * the month's counter row is incremented under its row lock (`… where runs < limit`), so
 * concurrent creations at the edge never exceed it. `insert` returns null when the run already
 * existed (idempotency key): the reservation is given back. Over quota: 402 `plan_limit`, unless
 * the idempotency key names a run created earlier (a retry gets that run, as without a quota).
 */
export async function insertWithinRunQuota(
  db: Db,
  run: { workspaceId: string; scheduledTime: Date; idempotencyKey: string | null },
  insert: (client: pg.PoolClient) => Promise<string | null>,
): Promise<string | null> {
  const plan = await workspacePlan(db, run.workspaceId);
  const month = usageMonth(run.scheduledTime);
  const limit = plan.limits.runsPerMonth;
  const outcome = await withPgTransaction(db.$client, async (client) => {
    const { rows } = await client.query<{ runs: number }>(
      `insert into workspace_usage (workspace_id, month, runs) values ($1, $2, 1)
       on conflict (workspace_id, month) do update set runs = workspace_usage.runs + 1 where workspace_usage.runs < $3
       returning runs`,
      [run.workspaceId, month, limit],
    );
    if (!rows.length) {
      if (run.idempotencyKey) {
        const existing = await client.query("select 1 from flow_runs where workspace_id = $1 and idempotency_key = $2", [run.workspaceId, run.idempotencyKey]);
        if (existing.rowCount) return { id: null, runs: null };
      }
      await client.query("update workspace_usage set limit_hit_at = coalesce(limit_hit_at, now()) where workspace_id = $1 and month = $2", [run.workspaceId, month]);
      return { refused: true as const };
    }
    const id = await insert(client);
    if (!id) await client.query("update workspace_usage set runs = runs - 1 where workspace_id = $1 and month = $2", [run.workspaceId, month]);
    return { id, runs: id ? rows[0].runs : null };
  });
  if ("refused" in outcome) throw new AppError("PLAN_LIMIT", runLimitMessage(plan), { limit, plan: plan.id });
  if (outcome.runs !== null && outcome.runs >= Math.ceil(limit * 0.8)) {
    void notifyUsageThresholds(db, run.workspaceId, month, plan).catch((err: unknown) => console.error("[billing] usage email failed:", err));
  }
  return outcome.id;
}
