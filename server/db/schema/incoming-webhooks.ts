import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { WEBHOOK_OUTCOMES } from "../../../agent/protocol/incoming-webhooks";
import { deployments } from "./deployments";
import { workspaces } from "./workspaces";

/**
 * A public URL (`POST /hooks/{token}`) that starts a run of one deployment, its parameters
 * rendered from the request by `parameterTemplate` (docs/incoming-webhooks.md). The token is the
 * URL's only credential (rotate replaces it); `sealedSecret` is the HMAC secret of the github or
 * stripe scheme, AES-256-GCM sealed (server/security/secret-box.ts). The rate window is counted
 * on the row itself, so the limit holds across app instances.
 */
export const incomingWebhooks = pgTable(
  "incoming_webhooks",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    deploymentId: uuid()
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    name: text().notNull(),
    token: text().notNull(),
    signatureScheme: text().$type<"none" | "github" | "stripe">().notNull().default("none"),
    sealedSecret: text(),
    parameterTemplate: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    enabled: boolean().notNull().default(true),
    rateLimitPerMinute: integer().notNull().default(60),
    rateWindowStart: timestamp({ withTimezone: true }),
    rateWindowCount: integer().notNull().default(0),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("incoming_webhooks_token_key").on(t.token),
    uniqueIndex("incoming_webhooks_workspace_name_key").on(t.workspaceId, t.name),
    check("incoming_webhooks_scheme", sql`${t.signatureScheme} in ('none', 'github', 'stripe')`),
    check("incoming_webhooks_secret", sql`(${t.signatureScheme} = 'none') = (${t.sealedSecret} is null)`),
    check("incoming_webhooks_rate", sql`${t.rateLimitPerMinute} between 1 and 6000`),
  ],
);

export const WEBHOOK_REQUEST_OUTCOMES = WEBHOOK_OUTCOMES;
export type WebhookRequestOutcome = (typeof WEBHOOK_REQUEST_OUTCOMES)[number];

/** Every call of an endpoint, newest kept (the last 500 per endpoint): what came and what Baton did. */
export const incomingWebhookRequests = pgTable(
  "incoming_webhook_requests",
  {
    id: uuid().primaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    endpointId: uuid()
      .notNull()
      .references(() => incomingWebhooks.id, { onDelete: "cascade" }),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    headers: jsonb().$type<Record<string, string>>().notNull(),
    query: jsonb().$type<Record<string, string>>().notNull(),
    /** The body as text, its first 8 KiB. */
    body: text().notNull(),
    bodyBytes: integer().notNull(),
    deliveryId: text(),
    outcome: text().$type<WebhookRequestOutcome>().notNull(),
    status: integer().notNull(),
    message: text(),
    /*
     * No foreign key on purpose: inserting a row that references a run takes a KEY SHARE lock on
     * it, and a claim (FOR UPDATE SKIP LOCKED) arriving in that instant skipped the new run and
     * slept until its long poll ended (measured: 5% of webhook runs claimed 10 s late). A run
     * deleted by retention leaves the id; the log shows no link for it.
     */
    runId: uuid(),
  },
  (t) => [
    index("incoming_webhook_requests_endpoint_idx").on(t.endpointId, t.id),
    index("incoming_webhook_requests_workspace_idx").on(t.workspaceId),
    check("incoming_webhook_requests_outcome", sql.raw(`outcome in (${WEBHOOK_REQUEST_OUTCOMES.map((o) => `'${o}'`).join(", ")})`)),
  ],
);

export type IncomingWebhook = typeof incomingWebhooks.$inferSelect;
export type IncomingWebhookRequest = typeof incomingWebhookRequests.$inferSelect;
