import { sql } from "drizzle-orm";
import { check, customType, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { flowRuns } from "./runs";
import { workspaces } from "./workspaces";

/**
 * jsonb holding any JSON value. drizzle's own jsonb parses a string it reads once more, so the
 * string "0.75" would come back as the number 0.75; pg has already parsed it.
 */
const anyJson = customType<{ data: unknown; driverData: unknown }>({
  dataType: () => "jsonb",
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => value,
});

const NAME_CHECK = (column: unknown) => sql`${column} ~ '^[a-z0-9_-]{1,64}$'`;

/** Workspace settings a run can read (docs/secrets.md): any JSON value, visible to every member. */
export const variables = pgTable(
  "variables",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    value: anyJson().notNull(),
    createdBy: text().notNull(),
    updatedBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("variables_workspace_name_key").on(t.workspaceId, t.name), check("variables_name", NAME_CHECK(t.name))],
);

/**
 * Write-only credentials: `sealedValue` is AES-256-GCM under BATON_ENCRYPTION_KEY
 * (server/security/secret-box.ts); the plain value leaves the server only in a claim's env and
 * to a run token or developer key that asks for it (docs/secrets.md#threat-model).
 */
export const secrets = pgTable(
  "secrets",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    sealedValue: text().notNull(),
    createdBy: text().notNull(),
    updatedBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("secrets_workspace_name_key").on(t.workspaceId, t.name), check("secrets_name", NAME_CHECK(t.name))],
);

/** Which run has read which secret: the audit log gets one `secret.read` per run and secret. */
export const secretReads = pgTable(
  "secret_reads",
  {
    flowRunId: uuid()
      .notNull()
      .references(() => flowRuns.id, { onDelete: "cascade" }),
    secretName: text().notNull(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    readAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.flowRunId, t.secretName] }), index("secret_reads_workspace_idx").on(t.workspaceId)],
);

export type Variable = typeof variables.$inferSelect;
export type Secret = typeof secrets.$inferSelect;
