import type pg from "pg";
import type Stripe from "stripe";
import type { PlanId } from "../db/schema";
import { planForPrice } from "./plans";
import { stripeClient } from "./stripe-client";

/** Statuses in which a subscription still grants its plan (past_due and unpaid: during the grace period). */
const LIVE = new Set(["active", "trialing", "past_due", "unpaid"]);
const FAILING = new Set(["past_due", "unpaid"]);

/** The customer's current subscription as Stripe reports it now: the newest live one, else the newest of any. */
export async function readCurrentSubscription(customerId: string): Promise<Stripe.Subscription | null> {
  const list = await stripeClient().subscriptions.list({ customer: customerId, status: "all", limit: 10 });
  const byNewest = [...list.data].sort((a, b) => b.created - a.created);
  return byNewest.find((s) => LIVE.has(s.status)) ?? byNewest[0] ?? null;
}

export type Converged = { plan: PlanId; previousPlan: PlanId; paymentFailureStarted: boolean; pastDueSince: Date | null };

/**
 * Makes the workspace's billing row say what Stripe says, whatever event prompted it: the plan of
 * the live subscription's price (Hobby when none), its status and period, and when payment
 * started failing. The caller holds the row lock, so concurrent events converge one at a time
 * and the last one to commit read Stripe last.
 */
export async function convergeWorkspaceBilling(
  client: pg.PoolClient,
  row: { workspace_id: string; plan: PlanId; past_due_since: Date | null },
  sub: Stripe.Subscription | null,
  now: Date,
): Promise<Converged> {
  const live = sub && LIVE.has(sub.status) ? sub : null;
  const item = live?.items.data[0];
  const plan: PlanId = live ? (planForPrice(item?.price.id) ?? "hobby") : "hobby";
  const failing = Boolean(live && FAILING.has(live.status) && plan !== "hobby");
  const pastDueSince = failing ? (row.past_due_since ?? now) : null;
  await client.query(
    `update workspace_billing set plan = $2, stripe_subscription_id = $3, subscription_status = $4, current_period_end = $5,
            cancel_at_period_end = $6, past_due_since = $7, updated_at = now()
      where workspace_id = $1`,
    [
      row.workspace_id,
      plan,
      sub?.id ?? null,
      sub?.status ?? null,
      item?.current_period_end ? new Date(item.current_period_end * 1000) : null,
      Boolean(live?.cancel_at_period_end),
      pastDueSince,
    ],
  );
  if (plan !== row.plan) {
    // The scheduler skipped slots over the old plan's quota for good; re-plan from now so the
    // slots ahead are made again under the new plan (existing ones are kept: slots are unique).
    await client.query("update schedules set filled_until = $2 where workspace_id = $1 and filled_until > $2", [row.workspace_id, now]);
  }
  return { plan, previousPlan: row.plan, paymentFailureStarted: failing && !row.past_due_since, pastDueSince };
}
