import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { workspaces } from "./workspaces";
import { API_KEY_ROLES } from "../../../agent/protocol/me";

export const DEVICE_AUTHORIZATION_STATUSES = ["pending", "approved", "denied", "consumed"] as const;
export type DeviceAuthorizationStatus = (typeof DEVICE_AUTHORIZATION_STATUSES)[number];

/**
 * One `baton login` in progress. Both codes are kept only as SHA-256 hashes; the API key is made
 * when the CLI collects the approval, so no plaintext secret is ever stored here. The workspace
 * and approver are set when a person approves or denies; until then the row belongs to no tenant.
 * Rows are deleted once expired (housekeeping loop).
 */
export const deviceAuthorizations = pgTable(
  "device_authorizations",
  {
    id: uuid().primaryKey().defaultRandom(),
    deviceCodeHash: text().notNull(),
    userCodeHash: text().notNull(),
    clientName: text().notNull(),
    status: text({ enum: DEVICE_AUTHORIZATION_STATUSES }).notNull().default("pending"),
    workspaceId: uuid().references(() => workspaces.id, { onDelete: "cascade" }),
    /** Who approved or denied; their membership is read again when the key is made. */
    decidedBy: uuid().references(() => users.id, { onDelete: "cascade" }),
    decidedAt: timestamp({ withTimezone: true }),
    /** Where and with what the CLI asked (created_at says when): the approval page shows them. */
    requestedIp: text(),
    requestedUserAgent: text(),
    /** The role the approver picked for the key; checked against their role again when it is made. */
    keyRole: text({ enum: API_KEY_ROLES }),
    intervalSeconds: integer().notNull(),
    lastPolledAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("device_authorizations_device_code_key").on(t.deviceCodeHash),
    uniqueIndex("device_authorizations_user_code_key").on(t.userCodeHash),
    index("device_authorizations_workspace_idx").on(t.workspaceId),
    index("device_authorizations_expires_idx").on(t.expiresAt),
    check("device_authorizations_status", sql`${t.status} in ('pending', 'approved', 'denied', 'consumed')`),
    check("device_authorizations_decided", sql`${t.status} = 'pending' or (${t.workspaceId} is not null and ${t.decidedBy} is not null)`),
  ],
);

export type DeviceAuthorization = typeof deviceAuthorizations.$inferSelect;
