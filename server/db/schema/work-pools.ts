import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

export const workPools = pgTable(
  "work_pools",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    description: text(),
    concurrencyLimit: integer(),
    paused: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("work_pools_workspace_name_key").on(t.workspaceId, t.name),
    check("work_pools_concurrency_limit", sql`${t.concurrencyLimit} is null or ${t.concurrencyLimit} >= 0`),
  ],
);

export const agents = pgTable(
  "agents",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    workPoolId: uuid()
      .notNull()
      .references(() => workPools.id, { onDelete: "cascade" }),
    name: text().notNull(),
    hostname: text(),
    version: text(),
    slots: integer(),
    lastHeartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("agents_workspace_name_key").on(t.workspaceId, t.name), index("agents_pool_idx").on(t.workspaceId, t.workPoolId)],
);

export type WorkPool = typeof workPools.$inferSelect;
export type Agent = typeof agents.$inferSelect;
