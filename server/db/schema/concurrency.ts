import { sql } from "drizzle-orm";
import { check, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * Concurrency limits by tag: at most `limit` runs carrying `tag` hold a lease at once, across
 * every pool of the workspace. Nothing else is stored: the slots taken are counted from the runs
 * that are PENDING, RUNNING, PAUSED or CANCELLING, so a dead agent or a crashed run cannot leak one.
 */
export const concurrencyLimits = pgTable(
  "concurrency_limits",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    tag: text().notNull(),
    limit: integer().notNull(),
    updatedBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.tag] }), check("concurrency_limits_limit", sql`${t.limit} >= 0`)],
);

export type ConcurrencyLimit = typeof concurrencyLimits.$inferSelect;
