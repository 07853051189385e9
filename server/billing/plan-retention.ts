import type { Db } from "../db/client";
import type { PlanId } from "../db/schema";
import { deleteExpiredData } from "../services/retention";
import { PLANS } from "./plans";
import { GRACE_DAYS } from "./workspace-plan";

/**
 * Hosted retention: each workspace keeps finished runs and logs for its plan's period (Hobby 7
 * days, Pro 30, Team 90). Paid workspaces are listed by plan; everything else, including
 * workspaces that never checked out and those past a failed payment's grace period, is Hobby.
 */
export async function deleteExpiredDataByPlan(db: Db, opts: { now: Date; budgetMs?: number }) {
  const { rows } = await db.$client.query<{ workspace_id: string; plan: PlanId }>(
    `select workspace_id, plan from workspace_billing
      where plan <> 'hobby' and (past_due_since is null or past_due_since > $1::timestamptz - make_interval(days => $2))`,
    [opts.now, GRACE_DAYS],
  );
  const paid = rows.map((r) => r.workspace_id);
  const totals = { runs: 0, logs: 0, alerts: 0, done: true };
  const groups: { days: number; workspaces: { only: string[] } | { except: string[] } }[] = [
    { days: PLANS.hobby.limits.retentionDays, workspaces: { except: paid } },
    ...(["pro", "team"] as const).map((p) => ({ days: PLANS[p].limits.retentionDays, workspaces: { only: rows.filter((r) => r.plan === p).map((r) => r.workspace_id) } })),
  ];
  const deadline = Date.now() + (opts.budgetMs ?? 20_000);
  for (const g of groups) {
    if ("only" in g.workspaces && !g.workspaces.only.length) continue;
    const r = await deleteExpiredData(db, { now: opts.now, retentionDays: g.days, workspaces: g.workspaces, budgetMs: Math.max(0, deadline - Date.now()) });
    totals.runs += r.runs;
    totals.logs += r.logs;
    totals.alerts += r.alerts;
    if (!r.done) return { ...totals, done: false };
  }
  return totals;
}
