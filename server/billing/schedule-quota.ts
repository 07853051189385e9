import type pg from "pg";
import type { PlanId } from "../db/schema";
import type { Plan } from "./plans";
import { usageMonth } from "./run-quota";
import { effectivePlan } from "./workspace-plan";

export type QuotaGroup = { workspaceId: string; month: string; plan: Plan; runsBefore: number; kept: number };

/**
 * Decides which schedule slots fit in their workspace's run quota, inside the scheduler's
 * transaction: each (workspace, month) counter row is locked, and only the earliest slots that
 * fit are kept. Slots over quota are skipped for good (the schedule moves past them), and the
 * month is marked so the UI shows a banner. The caller's insert then adds what it inserted to
 * the counters (`COUNT_SCHEDULED_RUNS`), under the same locks, so the count stays exact.
 */
export async function fitSlotsToQuota(client: pg.PoolClient, scheduleIds: string[], slotTimes: Date[], now: Date) {
  const { rows: owners } = await client.query<{ id: string; workspace_id: string }>("select id, workspace_id from schedules where id = any($1::uuid[])", [
    [...new Set(scheduleIds)],
  ]);
  const workspaceOf = new Map(owners.map((r) => [r.id, r.workspace_id]));
  const keyOf = (i: number) => `${workspaceOf.get(scheduleIds[i])}|${usageMonth(slotTimes[i])}`;
  const groups = new Map<string, { workspaceId: string; month: string; slots: number[] }>();
  scheduleIds.forEach((id, i) => {
    const workspaceId = workspaceOf.get(id);
    if (!workspaceId) return;
    const key = keyOf(i);
    const g = groups.get(key) ?? { workspaceId, month: usageMonth(slotTimes[i]), slots: [] };
    g.slots.push(i);
    groups.set(key, g);
  });
  const list = [...groups.values()].sort((a, b) => (a.workspaceId + a.month).localeCompare(b.workspaceId + b.month));
  const ws = list.map((g) => g.workspaceId);
  const months = list.map((g) => g.month);
  await client.query(
    `insert into workspace_usage (workspace_id, month) select * from unnest($1::uuid[], $2::date[]) order by 1, 2 on conflict do nothing`,
    [ws, months],
  );
  const { rows: counters } = await client.query<{ workspace_id: string; month: string; runs: number }>(
    `select workspace_id, to_char(month, 'YYYY-MM-DD') as month, runs from workspace_usage
      where (workspace_id, month) in (select * from unnest($1::uuid[], $2::date[]))
      order by workspace_id, month for no key update`,
    [ws, months],
  );
  const { rows: billing } = await client.query<{ workspace_id: string; plan: PlanId; past_due_since: Date | null }>(
    "select workspace_id, plan, past_due_since from workspace_billing where workspace_id = any($1::uuid[])",
    [[...new Set(ws)]],
  );
  const planOf = new Map(billing.map((b) => [b.workspace_id, effectivePlan({ plan: b.plan, pastDueSince: b.past_due_since }, now).plan]));
  const runsOf = new Map(counters.map((c) => [`${c.workspace_id}|${c.month}`, c.runs]));

  const keep = scheduleIds.map(() => true);
  const result: QuotaGroup[] = [];
  const over: { ws: string[]; months: string[] } = { ws: [], months: [] };
  for (const g of list) {
    const plan = planOf.get(g.workspaceId) ?? effectivePlan(null, now).plan;
    const runsBefore = runsOf.get(`${g.workspaceId}|${g.month}`) ?? 0;
    const room = Math.max(0, plan.limits.runsPerMonth - runsBefore);
    const ordered = [...g.slots].sort((a, b) => slotTimes[a].getTime() - slotTimes[b].getTime());
    ordered.slice(room).forEach((i) => (keep[i] = false));
    if (ordered.length > room) {
      over.ws.push(g.workspaceId);
      over.months.push(g.month);
    }
    result.push({ workspaceId: g.workspaceId, month: g.month, plan, runsBefore, kept: Math.min(room, ordered.length) });
  }
  if (over.ws.length) {
    await client.query(
      `update workspace_usage u set limit_hit_at = coalesce(u.limit_hit_at, now())
         from unnest($1::uuid[], $2::date[]) as o(workspace_id, month) where u.workspace_id = o.workspace_id and u.month = o.month`,
      [over.ws, over.months],
    );
  }
  return { keep, groups: result };
}

/** A CTE for the scheduler's insert statement: adds the runs it inserted (`ins`) to their months' counters. */
export const COUNT_SCHEDULED_RUNS = `, counted as (
       update workspace_usage u set runs = u.runs + c.n
         from (select workspace_id, date_trunc('month', scheduled_time at time zone 'UTC')::date as month, count(*)::int as n from ins group by 1, 2) c
        where u.workspace_id = c.workspace_id and u.month = c.month
       returning 1
     )`;
