import { sql } from "drizzle-orm";
import { boolean, check, date, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

export const PLAN_IDS = ["hobby", "pro", "team"] as const;
export type PlanId = (typeof PLAN_IDS)[number];

/** A workspace's plan as last converged from Stripe. No row: Hobby, never checked out. */
export const workspaceBilling = pgTable(
  "workspace_billing",
  {
    workspaceId: uuid()
      .primaryKey()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    plan: text({ enum: PLAN_IDS }).notNull().default("hobby"),
    stripeCustomerId: text(),
    stripeSubscriptionId: text(),
    /** Stripe's subscription status (active, past_due, canceled, …); null without a subscription. */
    subscriptionStatus: text(),
    currentPeriodEnd: timestamp({ withTimezone: true }),
    cancelAtPeriodEnd: boolean().notNull().default(false),
    /** When payment first failed in the current episode; the paid plan lasts a grace period from here. */
    pastDueSince: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("workspace_billing_customer_key").on(t.stripeCustomerId),
    check("workspace_billing_plan", sql`${t.plan} in ('hobby', 'pro', 'team')`),
  ],
);

/** Runs created per workspace and calendar month (UTC): the counter the run quota is enforced on. */
export const workspaceUsage = pgTable(
  "workspace_usage",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** First day of the month (UTC). */
    month: date({ mode: "string" }).notNull(),
    runs: integer().notNull().default(0),
    /** Alert emails sent (one per recipient), metered against the plan's monthly allowance. */
    alertEmails: integer().notNull().default(0),
    /** First time this month a run (or a schedule slot) was refused for the quota; drives the banner. */
    limitHitAt: timestamp({ withTimezone: true }),
    nearLimitEmailAt: timestamp({ withTimezone: true }),
    atLimitEmailAt: timestamp({ withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.month] }), check("workspace_usage_runs", sql`${t.runs} >= 0`)],
);

/** Every Stripe event id handled, so a redelivery (or a concurrent duplicate) has no second effect. */
export const stripeEvents = pgTable(
  "stripe_events",
  {
    id: text().primaryKey(),
    type: text().notNull(),
    workspaceId: uuid().references(() => workspaces.id, { onDelete: "cascade" }),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("stripe_events_workspace_idx").on(t.workspaceId, t.receivedAt)],
);

export type WorkspaceBilling = typeof workspaceBilling.$inferSelect;
export type WorkspaceUsage = typeof workspaceUsage.$inferSelect;
