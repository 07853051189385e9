import type { Db } from "../db/client";
import type { PlanId } from "../db/schema";
import { AGENT_OFFLINE_AFTER_SECONDS } from "../agents/agents";
import { AppError } from "../errors";
import { billingEnabled, PLANS, priceIdFor } from "./plans";
import { usageMonth } from "./run-quota";
import { effectivePlan } from "./workspace-plan";

const hasLiveSubscription = (status: string | null) => status !== null && !["canceled", "incomplete_expired"].includes(status);

/** Settings → Billing: the plan, this month's usage against each limit, renewal and payment state. */
export async function billingOverview(db: Db, workspaceId: string, now = new Date()) {
  if (!billingEnabled()) throw new AppError("NOT_FOUND", "Billing is not enabled on this server.");
  const month = usageMonth(now);
  const { rows } = await db.$client.query<{
    plan: PlanId | null;
    subscription_status: string | null;
    current_period_end: Date | null;
    cancel_at_period_end: boolean | null;
    past_due_since: Date | null;
    has_customer: boolean;
    runs: number;
    alert_emails: number;
    limit_hit_at: Date | null;
    members: number;
    agents: number;
    deployments: number;
  }>(
    `select b.plan, b.subscription_status, b.current_period_end, b.cancel_at_period_end, b.past_due_since,
            b.stripe_customer_id is not null as has_customer,
            coalesce((select runs from workspace_usage where workspace_id = $1 and month = $2), 0) as runs,
            coalesce((select alert_emails from workspace_usage where workspace_id = $1 and month = $2), 0) as alert_emails,
            (select limit_hit_at from workspace_usage where workspace_id = $1 and month = $2) as limit_hit_at,
            (select count(*)::int from memberships where workspace_id = $1)
              + (select count(*)::int from invitations where workspace_id = $1 and accepted_at is null and revoked_at is null and expires_at > now()) as members,
            (select count(*)::int from agents where workspace_id = $1 and last_heartbeat_at > now() - make_interval(secs => $3)) as agents,
            (select count(*)::int from deployments where workspace_id = $1) as deployments
       from (select 1) one left join workspace_billing b on b.workspace_id = $1`,
    [workspaceId, month, AGENT_OFFLINE_AFTER_SECONDS],
  );
  const r = rows[0];
  const { plan, graceEndsAt } = effectivePlan(r.plan ? { plan: r.plan, pastDueSince: r.past_due_since } : null, now);
  return {
    plan: { id: plan.id, name: plan.name },
    subscribedPlan: r.plan ?? "hobby",
    status: r.subscription_status,
    renewsAt: r.current_period_end?.toISOString() ?? null,
    cancelAtPeriodEnd: Boolean(r.cancel_at_period_end),
    pastDue: Boolean(r.past_due_since),
    graceEndsAt: graceEndsAt?.toISOString() ?? null,
    hasCustomer: r.has_customer,
    month,
    limitHit: Boolean(r.limit_hit_at),
    usage: [
      { key: "runs", label: "Runs this month", used: r.runs, limit: plan.limits.runsPerMonth },
      // Past the allowance alert emails are skipped (each skip is listed in the automation's deliveries).
      { key: "alertEmails", label: "Alert emails this month", used: r.alert_emails, limit: plan.limits.alertEmailsPerMonth },
      { key: "members", label: "Members and pending invitations", used: r.members, limit: plan.limits.members },
      { key: "agents", label: "Agents online", used: r.agents, limit: plan.limits.agents },
      { key: "deployments", label: "Deployments", used: r.deployments, limit: plan.limits.deployments },
    ],
    retentionDays: plan.limits.retentionDays,
    // With a live subscription, plan changes go through the Customer Portal (Stripe prorates there).
    upgrades: (["pro", "team"] as const)
      .filter((p) => priceIdFor(p) && !hasLiveSubscription(r.subscription_status))
      .map((p) => ({ id: p, name: PLANS[p].name, runsPerMonth: PLANS[p].limits.runsPerMonth, members: PLANS[p].limits.members, agents: PLANS[p].limits.agents, retentionDays: PLANS[p].limits.retentionDays })),
  };
}

/** What every member sees as a banner: quota reached this month, or a failed payment. Null when nothing to say. */
export async function billingBanner(db: Db, workspaceId: string, now = new Date()) {
  if (!billingEnabled()) return null;
  const { rows } = await db.$client.query<{ plan: PlanId | null; past_due_since: Date | null; limit_hit_at: Date | null }>(
    `select b.plan, b.past_due_since, u.limit_hit_at
       from (select 1) one left join workspace_billing b on b.workspace_id = $1
       left join workspace_usage u on u.workspace_id = $1 and u.month = $2`,
    [workspaceId, usageMonth(now)],
  );
  const r = rows[0];
  const { plan, graceEndsAt } = effectivePlan(r.plan ? { plan: r.plan, pastDueSince: r.past_due_since } : null, now);
  if (r.past_due_since && graceEndsAt) {
    return {
      kind: "payment" as const,
      message:
        now < graceEndsAt
          ? `Payment failed. ${PLANS[r.plan ?? "hobby"].name} stays active until ${graceEndsAt.toISOString().slice(0, 10)}; update the card in Settings → Billing.`
          : `Payment failed and the grace period is over: this workspace is on Hobby's limits. Update the card in Settings → Billing.`,
    };
  }
  if (r.limit_hit_at) {
    return {
      kind: "quota" as const,
      message: `Plan limit reached: ${plan.limits.runsPerMonth.toLocaleString("en-US")} runs this month on ${plan.name}. New runs and scheduled runs are skipped until next month. Upgrade in Settings → Billing.`,
    };
  }
  return null;
}
