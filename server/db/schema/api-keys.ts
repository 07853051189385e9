import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { workspaces } from "./workspaces";

import { API_KEY_KINDS, API_KEY_ROLES } from "../../../agent/protocol/me";

export { API_KEY_KINDS, API_KEY_ROLES };
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];
export type ApiKeyKind = (typeof API_KEY_KINDS)[number];

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    role: text({ enum: API_KEY_ROLES }).notNull(),
    /** A service account's key belongs to the workspace: its role is its own and it outlives its creator (kept for audit). */
    kind: text({ enum: API_KEY_KINDS }).notNull().default("personal"),
    /** The first characters of the key, safe to display ("bt_4fQk9x…"). */
    prefix: text().notNull(),
    /** SHA-256 of the whole key, hex. The key itself is shown once and never stored. */
    keyHash: text().notNull(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    expiresAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_key").on(t.keyHash),
    index("api_keys_workspace_idx").on(t.workspaceId, t.createdAt),
    check("api_keys_role", sql`${t.role} in ('owner', 'developer', 'runner', 'viewer', 'agent')`),
    check("api_keys_kind", sql`${t.kind} in ('personal', 'service_account')`),
  ],
);

export type ApiKey = typeof apiKeys.$inferSelect;
