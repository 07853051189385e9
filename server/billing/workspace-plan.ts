import type pg from "pg";
import type { Db } from "../db/client";
import type { PlanId, WorkspaceBilling } from "../db/schema";
import { PLANS, type Plan } from "./plans";

/** After a payment fails, the paid plan stays this long while Stripe retries the card. */
export const GRACE_DAYS = 7;

type Queryable = Pick<pg.Pool, "query"> | Pick<pg.PoolClient, "query">;

export type BillingRow = Pick<WorkspaceBilling, "plan" | "pastDueSince">;

/** The plan whose limits apply now: the subscribed one, or Hobby once a failed payment's grace period is over. */
export function effectivePlan(row: BillingRow | null, now: Date): { plan: Plan; graceEndsAt: Date | null } {
  if (!row) return { plan: PLANS.hobby, graceEndsAt: null };
  const subscribed = PLANS[row.plan];
  if (!row.pastDueSince || row.plan === "hobby") return { plan: subscribed, graceEndsAt: null };
  const graceEndsAt = new Date(row.pastDueSince.getTime() + GRACE_DAYS * 86_400_000);
  return { plan: now < graceEndsAt ? subscribed : PLANS.hobby, graceEndsAt };
}

export async function loadBillingRow(q: Queryable, workspaceId: string): Promise<BillingRow | null> {
  const { rows } = await q.query<{ plan: PlanId; past_due_since: Date | null }>(
    "select plan, past_due_since from workspace_billing where workspace_id = $1",
    [workspaceId],
  );
  return rows[0] ? { plan: rows[0].plan, pastDueSince: rows[0].past_due_since } : null;
}

export async function workspacePlan(db: Db | Queryable, workspaceId: string, now = new Date()): Promise<Plan> {
  const q = "$client" in db ? db.$client : db;
  return effectivePlan(await loadBillingRow(q, workspaceId), now).plan;
}
