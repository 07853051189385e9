import type { PlanId } from "../db/schema";
import { env } from "../env";

export type PlanLimits = {
  /** Members of the workspace (pending invitations count too, so an invitation can always be accepted). */
  members: number | null;
  /** Agents online at once. */
  agents: number | null;
  deployments: number | null;
  /** Flow runs created per calendar month (UTC). */
  runsPerMonth: number;
  /** Days finished runs and log lines are kept. */
  retentionDays: number;
  /** Alert emails per calendar month (UTC), one per recipient; "Send test" is limited separately. */
  alertEmailsPerMonth: number;
};

export type Plan = { id: PlanId; name: string; priceLabel: string; limits: PlanLimits };

/** Every plan and its limits; null is unlimited. Prices live in Stripe, their ids in the environment. */
export const PLANS: Record<PlanId, Plan> = {
  hobby: { id: "hobby", name: "Hobby", priceLabel: "Free", limits: { members: 3, agents: 2, deployments: 5, runsPerMonth: 2_000, retentionDays: 7, alertEmailsPerMonth: 1_000 } },
  pro: { id: "pro", name: "Pro", priceLabel: "Pro", limits: { members: 20, agents: 10, deployments: null, runsPerMonth: 50_000, retentionDays: 30, alertEmailsPerMonth: 20_000 } },
  team: { id: "team", name: "Team", priceLabel: "Team", limits: { members: null, agents: null, deployments: null, runsPerMonth: 500_000, retentionDays: 90, alertEmailsPerMonth: 200_000 } },
};

/** Paid plans can be bought only when their Stripe price is configured. */
export function priceIdFor(plan: PlanId): string | null {
  const e = env();
  if (plan === "pro") return e.STRIPE_PRICE_PRO ?? null;
  if (plan === "team") return e.STRIPE_PRICE_TEAM ?? null;
  return null;
}

/** The plan a Stripe price buys; null for a price Baton does not know (treated as Hobby). */
export function planForPrice(priceId: string | null | undefined): PlanId | null {
  if (!priceId) return null;
  const e = env();
  if (priceId === e.STRIPE_PRICE_PRO) return "pro";
  if (priceId === e.STRIPE_PRICE_TEAM) return "team";
  return null;
}

/** With no STRIPE_SECRET_KEY Baton is self-hosted: no billing pages, routes or limits. */
export function billingEnabled(): boolean {
  return Boolean(env().STRIPE_SECRET_KEY);
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
