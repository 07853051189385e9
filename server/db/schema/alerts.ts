import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { workspaces } from "./workspaces";

import { ALERT_DELIVERY_STATUSES, ALERT_DESTINATION_KINDS, AUTOMATION_TRIGGER_KINDS, type ActionConfig } from "../../../agent/protocol/automations";
import { deployments } from "./deployments";

export { ALERT_DELIVERY_STATUSES, ALERT_DESTINATION_KINDS, ALERT_RUN_EVENTS, AUTOMATION_TRIGGER_KINDS } from "../../../agent/protocol/automations";
export const ALERT_DELIVERY_KINDS = ["alert", "digest", "test"] as const;

/** Who an email action goes to; resolved when it is sent, so new members are included. */
export type EmailRecipients = { userIds: string[]; roles: string[]; addresses: string[] };

/**
 * An automation: a trigger, filters and one or more destinations (its actions). Empty filter arrays
 * mean "any". `triggerStates` is only used by `run_state` automations; `thresholdMinutes` by
 * `running_longer` (minutes) and `no_success` (hours × 60).
 */
export const automations = pgTable(
  "automations",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    enabled: boolean().notNull().default(true),
    triggerKind: text({ enum: AUTOMATION_TRIGGER_KINDS }).notNull(),
    triggerStates: text().array().notNull().default(sql`'{}'::text[]`),
    thresholdMinutes: integer(),
    flowIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
    deploymentIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    /** The message template; null = the default for the trigger. */
    template: text(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    /**
     * Made by `baton deploy` from the `triggers:` of this deployment's baton.yaml: the next deploy
     * replaces it (matched by name), and it goes with the deployment.
     */
    managedByDeploymentId: uuid().references(() => deployments.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("automations_managed_name").on(t.managedByDeploymentId, t.name).where(sql`${t.managedByDeploymentId} is not null`),
    index("automations_workspace_idx").on(t.workspaceId, t.triggerKind).where(sql`${t.enabled}`),
    check("automations_trigger_kind", sql`${t.triggerKind} in ('run_state', 'running_longer', 'no_success', 'agent_offline')`),
  ],
);

/**
 * One action of an automation and the place it delivers to. Slack and webhook URLs (and webhook
 * signing secrets) live only in `secret`, encrypted (AES-256-GCM); `target` is a display hint such
 * as "hooks.slack.com/…/x7Qa". Repeated 404/410 answers disable a destination.
 */
export const alertDestinations = pgTable(
  "alert_destinations",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    automationId: uuid()
      .notNull()
      .references(() => automations.id, { onDelete: "cascade" }),
    kind: text({ enum: ALERT_DESTINATION_KINDS }).notNull(),
    recipients: jsonb().$type<EmailRecipients>(),
    secret: text(),
    target: text().notNull(),
    /** An acting action's settings (which deployment or pool, the parameter template); null for notifications. */
    config: jsonb().$type<ActionConfig>(),
    /** Pacing and 429s: nothing is sent to this destination before this time. */
    nextSendAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastDigestAt: timestamp({ withTimezone: true }),
    consecutiveGone: integer().notNull().default(0),
    disabledAt: timestamp({ withTimezone: true }),
    disabledReason: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("alert_destinations_automation_idx").on(t.workspaceId, t.automationId),
    check(
      "alert_destinations_kind",
      sql`${t.kind} in ('email', 'slack', 'webhook', 'run_deployment', 'pause_deployment', 'resume_deployment', 'cancel_runs', 'pause_work_pool', 'resume_work_pool')`,
    ),
  ],
);

/**
 * The outbox. A row is written in the transaction that commits the event (a state change, or the
 * watcher noticing a long run, a quiet deployment or an agent gone), one per destination, with a
 * unique (destination, dedupe key) so an event alerts once. Its id is the Resend idempotency key
 * and the webhook's `Baton-Delivery` header. `nextAttemptAt` doubles as the lease while sending.
 */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    automationId: uuid()
      .notNull()
      .references(() => automations.id, { onDelete: "cascade" }),
    destinationId: uuid()
      .notNull()
      .references(() => alertDestinations.id, { onDelete: "cascade" }),
    kind: text({ enum: ALERT_DELIVERY_KINDS }).notNull().default("alert"),
    dedupeKey: text().notNull(),
    event: jsonb().$type<Record<string, unknown>>().notNull(),
    status: text({ enum: ALERT_DELIVERY_STATUSES }).notNull().default("pending"),
    /** For a coalesced alert: the digest delivery that carried it. */
    digestId: uuid(),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("alert_deliveries_dedupe_key").on(t.destinationId, t.dedupeKey),
    index("alert_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("alert_deliveries_destination_idx").on(t.workspaceId, t.destinationId, t.createdAt),
    index("alert_deliveries_automation_idx").on(t.workspaceId, t.automationId, t.createdAt),
    check("alert_deliveries_kind", sql`${t.kind} in ('alert', 'digest', 'test')`),
    check("alert_deliveries_status", sql`${t.status} in ('pending', 'sent', 'failed', 'coalesced', 'skipped')`),
  ],
);

/** Every attempt to deliver, as shown on the automation's page. */
export const alertAttempts = pgTable(
  "alert_attempts",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    deliveryId: uuid()
      .notNull()
      .references(() => alertDeliveries.id, { onDelete: "cascade" }),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    outcome: text({ enum: ["sent", "retry", "failed", "kept"] }).notNull(),
    responseCode: integer(),
    error: text(),
    /** What an acting action did, e.g. "Started run daring-lemur" (its id in `runId`). */
    detail: text(),
    runId: uuid(),
    durationMs: integer().notNull(),
  },
  (t) => [index("alert_attempts_delivery_idx").on(t.workspaceId, t.deliveryId, t.at)],
);

/**
 * An address outside the workspace that an email action lists. It receives nothing until its owner
 * confirmed through the one-time link of the confirmation mail, and stops for good when they
 * unsubscribe (saving the automation again does not ask twice). The token is kept as a hash for
 * lookup and sealed for the unsubscribe link every alert mail to the address carries.
 */
export const alertEmailSubscriptions = pgTable(
  "alert_email_subscriptions",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    address: text().notNull(),
    tokenHash: text().notNull(),
    tokenSealed: text().notNull(),
    requestedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    confirmedAt: timestamp({ withTimezone: true }),
    unsubscribedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("alert_email_subscriptions_address").on(t.workspaceId, t.address), uniqueIndex("alert_email_subscriptions_token").on(t.tokenHash)],
);

export type Automation = typeof automations.$inferSelect;
export type AlertDestination = typeof alertDestinations.$inferSelect;
export type AlertDelivery = typeof alertDeliveries.$inferSelect;
export type AlertAttempt = typeof alertAttempts.$inferSelect;
